"""A learner's statistics from their history. No Discord, no plotting.

Rules (stated in the README):
- A **study day** is one of the learner's local days (starting at their day-start hour,
  default 04:00) with at least one answer: a review (quiz, digest, study channel) or cram
  practice.
- The **current streak** counts consecutive study days up to today; today not studied
  yet does not break it (it still counts up to yesterday). Vacation days neither count
  nor break a streak. The **best streak** is the longest such run ever.
- **True retention** (last 30 days) is the share of reviews of already-learned cards
  (cards in the Review state before the answer) that were not rated Again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Card, Learner, PracticeLog, ReviewLog
from scheduler.srs import State
from scheduler.timeutil import local_date, zone

HISTORY_DAYS = 90
FORECAST_DAYS = 14


@dataclass(frozen=True)
class Stats:
    today: date
    reviews_by_day: dict[date, int]  # last 90 local days, zero days included
    total_reviews: int
    retention_30d: float | None  # None: no reviews of learned cards yet
    retention_30d_n: int
    cards_by_state: dict[str, int]
    forecast: list[int]  # due per local day, today first (overdue counted today)
    current_streak: int
    best_streak: int
    study_seconds_90d: int
    study_seconds_total: int
    vacation_days: set[date] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return self.total_reviews == 0 and sum(self.cards_by_state.values()) == 0


def vacation_days(learner: Learner) -> set[date]:
    """Every local date covered by the learner's vacations."""
    days: set[date] = set()
    for start, end in learner.vacations or []:
        day, last = date.fromisoformat(start), date.fromisoformat(end)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def streaks(study_days: set[date], today: date, vacations: set[date]) -> tuple[int, int]:
    """(current, best). Vacation days are bridged; today unstudied does not break the run."""

    def run_back(day: date) -> int:
        count = 0
        while True:
            if day in study_days:
                count += 1
            elif day not in vacations:
                return count
            day -= timedelta(days=1)

    start = today if today in study_days else today - timedelta(days=1)
    current = run_back(start) if (start in study_days or start in vacations) else 0
    best, run = 0, 0
    if study_days:
        day, last = min(study_days), max(max(study_days), today)
        while day <= last:
            if day in study_days:
                run += 1
                best = max(best, run)
            elif day not in vacations:
                run = 0
            day += timedelta(days=1)
    return current, max(best, current)


def _day(at: datetime, tz: ZoneInfo, cutoff: int) -> date:
    return local_date(at, tz, cutoff)


@dataclass
class _Activity:
    """What the review and practice logs add up to."""

    per_day: Counter[date] = field(default_factory=Counter)
    study_days: set[date] = field(default_factory=set)
    seconds_total: int = 0
    seconds_90: int = 0
    passed: int = 0
    learned: int = 0
    reviews: int = 0


async def _activity(session: AsyncSession, learner: Learner, now: datetime, since: date) -> _Activity:
    tz, cutoff = zone(learner.timezone), learner.day_cutoff_hour
    found = _Activity()
    logs = await session.execute(
        select(ReviewLog.reviewed_at, ReviewLog.rating, ReviewLog.state_before, ReviewLog.duration_ms).where(
            ReviewLog.learner_id == learner.id
        )
    )
    for at, rating, state_before, ms in logs.all():
        day = _day(at, tz, cutoff)
        found.reviews += 1
        found.study_days.add(day)
        if day >= since:
            found.per_day[day] += 1
            found.seconds_90 += (ms or 0) // 1000
        found.seconds_total += (ms or 0) // 1000
        if state_before == State.REVIEW and at >= now - timedelta(days=30):
            found.learned += 1
            found.passed += rating != 1
    practice = await session.execute(
        select(PracticeLog.answered_at, PracticeLog.duration_ms).where(PracticeLog.learner_id == learner.id)
    )
    for at, ms in practice.all():
        day = _day(at, tz, cutoff)
        found.study_days.add(day)
        found.seconds_total += (ms or 0) // 1000
        if day >= since:
            found.seconds_90 += (ms or 0) // 1000
    return found


async def _cards(session: AsyncSession, learner: Learner, today: date) -> tuple[dict[str, int], list[int]]:
    """Cards by state, and how many fall due on each of the next days (overdue: today)."""
    tz, cutoff = zone(learner.timezone), learner.day_cutoff_hour
    rows = await session.execute(
        select(Card.state, Card.last_review, Card.suspended, Card.due).where(Card.learner_id == learner.id)
    )
    by_state = {"new": 0, "learning": 0, "review": 0, "relearning": 0, "suspended": 0}
    forecast = [0] * FORECAST_DAYS
    names = {State.LEARNING: "learning", State.REVIEW: "review", State.RELEARNING: "relearning"}
    for state, last_review, suspended, due in rows.all():
        if suspended:
            by_state["suspended"] += 1
        elif last_review is None:
            by_state["new"] += 1
        else:
            by_state[names[State(state)]] += 1
            offset = max(0, (_day(due, tz, cutoff) - today).days)
            if offset < FORECAST_DAYS:
                forecast[offset] += 1
    return by_state, forecast


async def compute(session: AsyncSession, learner: Learner, now: datetime) -> Stats:
    """The learner's figures for /stats: reviews per day, retention, streaks, cards, forecast, time."""
    today = _day(now, zone(learner.timezone), learner.day_cutoff_hour)
    since = today - timedelta(days=HISTORY_DAYS - 1)
    activity = await _activity(session, learner, now, since)
    by_state, forecast = await _cards(session, learner, today)
    vac = vacation_days(learner)
    current, best = streaks(activity.study_days, today, vac)
    days = [since + timedelta(days=offset) for offset in range(HISTORY_DAYS)]
    return Stats(
        today=today,
        reviews_by_day={day: activity.per_day.get(day, 0) for day in days},
        total_reviews=activity.reviews,
        retention_30d=(activity.passed / activity.learned) if activity.learned else None,
        retention_30d_n=activity.learned,
        cards_by_state=by_state,
        forecast=forecast,
        current_streak=current,
        best_streak=best,
        study_seconds_90d=activity.seconds_90,
        study_seconds_total=activity.seconds_total,
        vacation_days=vac,
    )


def format_duration(seconds: int) -> str:
    """A duration as a learner reads it: 45 s, 12 min, 3 h 05 min."""
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
