"""Stats from a known history equal hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.db import queries
from bot.db.models import Card, PracticeLog, ReviewLog
from bot.services import Services
from bot.study import stats as st
from scheduler.srs import State

UID = 7


def test_streak_rules() -> None:
    today = date(2026, 3, 10)
    days = {date(2026, 3, d) for d in (1, 2, 3, 5, 6, 8, 9)}
    assert st.streaks(days, today, set()) == (2, 3)  # 8, 9 (today not yet studied); best 1–3
    assert st.streaks(days | {today}, today, set()) == (3, 3)
    assert st.streaks(days, today, {date(2026, 3, 7), date(2026, 3, 4)}) == (7, 7)  # vacations bridge
    assert st.streaks(days, date(2026, 3, 12), set()) == (0, 3)  # two days missed: streak over
    assert st.streaks(set(), today, set()) == (0, 0)


async def test_stats_from_known_history(services: Services) -> None:
    """Berlin learner, day starts 04:00; history around the spring DST change (2026-03-29)."""
    now = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # 12:00 CEST on 31 March
    services.clock.set(now)
    async with services.unit() as s:
        learner = await queries.ensure_learner(s, UID, now)
        learner.timezone, learner.day_cutoff_hour = "Europe/Berlin", 4
        card = Card(
            learner_id=UID,
            question_id="q1",
            topic_id="pca",
            state=2,
            step=None,
            stability=5.0,
            difficulty=5.0,
            due=now,
            last_review=now - timedelta(days=1),
            reps=3,
            lapses=0,
            suspended=False,
            created_at=now - timedelta(days=10),
        )
        s.add(card)
        await s.flush()

        def log(at: datetime, rating: int, state_before: int, ms: int = 30_000) -> ReviewLog:
            return ReviewLog(
                card_id=card.id,
                learner_id=UID,
                question_id="q1",
                rating=rating,
                correct=rating > 1,
                reviewed_at=at,
                duration_ms=ms,
                source="quiz",
                state_before=state_before,
                state_after=2,
                due_before=at,
                due_after=at + timedelta(days=1),
            )

        s.add_all(
            [
                # 28 March 23:30 CET = day 28 (local), learned-card pass
                log(datetime(2026, 3, 28, 22, 30, tzinfo=UTC), 3, State.REVIEW),
                # 29 March 03:30 CEST (01:30 UTC) is before the 04:00 day start: still day 28
                log(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), 1, State.REVIEW),
                # 29 March 12:00 CEST: day 29, a learning-step review (not counted in retention)
                log(datetime(2026, 3, 29, 10, 0, tzinfo=UTC), 1, State.LEARNING),
                # 31 March 09:00 CEST: today
                log(datetime(2026, 3, 31, 7, 0, tzinfo=UTC), 4, State.REVIEW),
            ]
        )
        s.add(
            PracticeLog(
                learner_id=UID,
                question_id="q2",
                correct=True,
                rating=3,
                answered_at=datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
                duration_ms=60_000,
            )
        )
        # forecast: due today (overdue), in 3 days, and one far away
        for i, due in enumerate((now - timedelta(days=2), now + timedelta(days=3), now + timedelta(days=30))):
            s.add(
                Card(
                    learner_id=UID,
                    question_id=f"f{i}",
                    topic_id="pca",
                    state=2,
                    step=None,
                    stability=9.0,
                    difficulty=5.0,
                    due=due,
                    last_review=now - timedelta(days=3),
                    reps=2,
                    lapses=0,
                    suspended=False,
                    created_at=now,
                )
            )
        s.add(
            Card(
                learner_id=UID,
                question_id="new",
                topic_id="pca",
                state=1,
                step=0,
                due=now,
                reps=0,
                lapses=0,
                suspended=False,
                created_at=now,
            )
        )
    async with services.unit() as s:
        learner = await queries.ensure_learner(s, UID, now)
        stats = await st.compute(s, learner, now)
    assert stats.today == date(2026, 3, 31)
    assert stats.reviews_by_day[date(2026, 3, 28)] == 2
    assert stats.reviews_by_day[date(2026, 3, 29)] == 1
    assert stats.reviews_by_day[date(2026, 3, 31)] == 1
    assert stats.total_reviews == 4
    assert stats.retention_30d_n == 3 and abs(stats.retention_30d - 2 / 3) < 1e-9  # type: ignore[operator]
    assert stats.current_streak == 4  # 28, 29, 30 (cram practice), 31
    assert stats.best_streak == 4
    assert stats.forecast[0] == 2 and stats.forecast[3] == 1 and sum(stats.forecast) == 3
    assert stats.cards_by_state == {"new": 1, "learning": 0, "review": 4, "relearning": 0, "suspended": 0}
    assert stats.study_seconds_total == 4 * 30 + 60
    assert not stats.empty
