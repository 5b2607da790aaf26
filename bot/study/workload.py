"""Workload advice for /settings retention, and calibration for /stats. No Discord.

- **Workload**: for each desired retention from 0.75 to 0.97, fsrs-rs's simulator plays the
  next 365 days of the learner's own deck (their cards of each kind, under the parameters
  scheduling that kind, with their daily limits for new cards and reviews; one learning and
  one relearning step, as the bot asks) and reports the expected reviews a day and the cards
  remembered at the end. A learner without cards gets the figures for a 100-card deck.
- **Calibration**: over the last 30 days, per kind, the share of *due* reviews (cards in the
  Review state, answered at or after their due date) that were recalled, against the desired
  retention their due dates were set for (the learner's setting at the card's previous review;
  today's setting for reviews logged before that was recorded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS
from fsrs_rs_python import SimulatorConfig, default_simulator_config, simulate
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.content import Content
from bot.db.models import Card, Learner, ReviewLog
from bot.study import parameters as store
from scheduler.srs import KINDS, Parameters, State

RETENTIONS = (0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
LOW, HIGH = 0.80, 0.95
DAYS = 365
EMPTY_DECK = 100
SEED = 2026
CALIBRATION_DAYS = 30
LOW_WARNING = "below 0.80: intervals get very long and you'd forget more than one card in five before its review"
HIGH_WARNING = "above 0.95: the workload rises steeply, each extra point costs many more reviews"


@dataclass(frozen=True)
class Point:
    """What the simulator expects at one desired retention."""

    retention: float
    reviews_per_day: float
    remembered: float
    warning: str | None


@dataclass(frozen=True)
class Deck:
    """What the simulation starts from: the learner's cards and parameters per kind, and limits."""

    cards: dict[str, int]
    parameters: dict[str, Parameters | None]
    new_per_day: int
    reviews_per_day: int
    current: float

    @property
    def own(self) -> bool:
        """Does the learner have cards (else the advice is for an example deck)?"""
        return sum(self.cards.values()) > 0


@dataclass(frozen=True)
class Calibration:
    """Desired against achieved retention at due reviews of one kind (None: no due review)."""

    kind: str
    desired: float
    achieved: float | None
    reviews: int


def warning_for(retention: float) -> str | None:
    """Why a desired retention is unwise, or None."""
    if retention < LOW:
        return LOW_WARNING
    if retention > HIGH:
        return HIGH_WARNING
    return None


def saved_warning(retention: float) -> str | None:
    """What to say with a saved desired retention that is unwise, or None."""
    warning = warning_for(retention)
    if warning is None:
        return None
    return f"⚠ {retention:.2f} is {warning}. `/settings retention` without a value shows what each costs."


async def deck_of(session: AsyncSession, learner: Learner, content: Content) -> Deck:
    """The learner's live cards per kind and the parameters scheduling each kind."""
    kinds = store.kinds_of(content)
    rows = await session.execute(
        select(Card.question_id).where(Card.learner_id == learner.id, Card.suspended.is_(False))
    )
    cards = dict.fromkeys(KINDS, 0)
    for (question_id,) in rows.all():
        cards[kinds.get(question_id, KINDS[-1])] += 1
    used = await store.parameters_by_kind(session, learner)
    return Deck(cards, used, learner.new_per_day, learner.reviews_per_day, round(learner.desired_retention, 2))


def _config(cards: int, new_per_day: int, reviews_per_day: int) -> SimulatorConfig:
    config = default_simulator_config()
    config.deck_size = cards
    config.learn_span = DAYS
    config.learn_limit = max(1, new_per_day)
    config.review_limit = reviews_per_day
    config.max_cost_perday = 1e9  # the limits above decide, not a time budget
    config.learning_step_count = 1
    config.relearning_step_count = 1
    return config


def advice(deck: Deck) -> list[Point]:
    """Reviews a day and cards remembered after 365 days for each desired retention (and the
    learner's current one), by fsrs-rs's simulator with a fixed seed (CPU: call it in a thread)."""
    sizes = deck.cards if deck.own else {KINDS[-1]: EMPTY_DECK}
    points = []
    for retention in sorted({*RETENTIONS, deck.current}):
        reviews = remembered = 0.0
        for kind, size in sizes.items():
            if size == 0:
                continue
            values = deck.parameters.get(kind) or DEFAULT_PARAMETERS
            result = simulate(list(values), retention, _config(size, deck.new_per_day, deck.reviews_per_day), SEED)
            reviews += sum(result.review_cnt_per_day) / DAYS
            remembered += result.memorized_cnt_per_day[-1]
        points.append(Point(retention, reviews, remembered, warning_for(retention)))
    return points


async def calibration(session: AsyncSession, learner: Learner, content: Content, now: datetime) -> list[Calibration]:
    """Per kind: the share of due reviews recalled over the last 30 days, and the desired
    retention those reviews were scheduled for (their mean; the learner's setting when none)."""
    kinds = store.kinds_of(content)
    previous = aliased(ReviewLog)
    scheduled_for = (
        select(previous.desired_retention)
        .where(previous.card_id == ReviewLog.card_id, previous.reviewed_at == ReviewLog.last_review_before)
        .order_by(previous.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    desired = func.coalesce(scheduled_for, learner.desired_retention)
    rows = await session.execute(
        select(
            ReviewLog.question_id,
            func.count(),
            func.sum(case((ReviewLog.rating > 1, 1), else_=0)),
            func.sum(desired),
        )
        .where(
            ReviewLog.learner_id == learner.id,
            ReviewLog.state_before == State.REVIEW,
            ReviewLog.reviewed_at >= ReviewLog.due_before,
            ReviewLog.reviewed_at >= now - timedelta(days=CALIBRATION_DAYS),
        )
        .group_by(ReviewLog.question_id)
    )
    totals = {kind: [0, 0, 0.0] for kind in KINDS}
    for question_id, count, recalled, desired_sum in rows.all():
        total = totals[kinds.get(question_id, KINDS[-1])]
        total[0] += int(count)
        total[1] += int(recalled or 0)
        total[2] += float(desired_sum or 0.0)
    return [
        Calibration(
            kind,
            (desired_sum / count) if count else learner.desired_retention,
            (recalled / count) if count else None,
            int(count),
        )
        for kind, (count, recalled, desired_sum) in totals.items()
    ]
