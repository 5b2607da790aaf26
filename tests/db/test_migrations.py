"""Migrations: upgrade, downgrade, upgrade again; the models match the migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from bot.db.migrate import current_revision, downgrade, upgrade
from bot.db.models import Base, Learner
from bot.db.session import SQLITE_BUSY_TIMEOUT_MS, create_engine, session_factory


async def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) is not None
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert set(Base.metadata.tables) <= tables
        await downgrade(engine, "base")
        async with engine.connect() as conn:
            left = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert not (set(Base.metadata.tables) & left)
        await upgrade(engine)
        assert await current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
            )
        assert diff == [], f"models and migrations differ (run alembic revision --autogenerate): {diff}"
    finally:
        await engine.dispose()


async def test_aware_utc_round_trip(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        berlin = timezone(timedelta(hours=1))
        when = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=berlin)
        async with sessions() as s, s.begin():
            s.add(Learner(id=2**62 + 5, created_at=when, timezone="Europe/Berlin"))
        async with sessions() as s:
            got = await s.scalar(select(Learner.created_at).where(Learner.id == 2**62 + 5))
        assert got is not None and got.tzinfo is not None
        assert got.utcoffset() == timedelta(0)
        assert got == when and got == datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=UTC)
    finally:
        await engine.dispose()


async def test_naive_datetime_is_refused(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        import pytest
        from sqlalchemy.exc import StatementError

        with pytest.raises(StatementError, match="naive datetime"):
            async with sessions() as s, s.begin():
                s.add(Learner(id=1, created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    finally:
        await engine.dispose()


async def test_sqlite_pragmas(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == SQLITE_BUSY_TIMEOUT_MS
    finally:
        await engine.dispose()


async def test_0002_clears_durations_timed_from_a_push_and_recomputes_usual_times(db_url: str) -> None:
    """Answers to a digest's first question and to channel posts were timed from the send;
    0002 clears those durations and recomputes each learner's usual (EMA) answer time."""
    engine = create_engine(db_url)
    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    try:
        await upgrade(engine, "0001")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO learners (id, created_at, timezone, digest_minute, digest_enabled, digest_size,"
                     " day_cutoff_hour, desired_retention, new_per_day, reviews_per_day, dm_status, paused,"
                     " vacations, leaderboard_opt_out, avg_answer_ms) VALUES (1, :t, 'UTC', 540, :y, 5, 4, 0.9, 10,"
                     " 100, 'open', :n, '[]', :n, 200000)"),
                {"t": t0, "y": True, "n": False},
            )  # fmt: skip
            await conn.execute(
                text("INSERT INTO quiz_sessions (id, learner_id, source, queue, position, answered, correct_count,"
                     " answered_count, seed, shown_at, created_at)"
                     " VALUES (1, 1, 'digest', '[]', 0, :n, 0, 0, 1, :t, :t)"),
                {"t": t0, "n": False},
            )  # fmt: skip
            cards = [(i, f"q{i}") for i in range(1, 6)]
            for cid, qid in cards:
                await conn.execute(
                    text("INSERT INTO cards (id, learner_id, question_id, topic_id, state, due, reps, lapses,"
                         " suspended, created_at) VALUES (:id, 1, :q, 't', 2, :t, 1, 0, :n, :t)"),
                    {"id": cid, "q": qid, "t": t0, "n": False},
                )  # fmt: skip
            logs = [  # (card, source, reviewed at, duration ms)
                (1, "quiz", t0 - timedelta(days=1), 6000),  # an honest /quiz answer
                (2, "digest", t0 + timedelta(hours=3), 600000),  # the digest's first question, clamped
                (3, "digest", t0 + timedelta(hours=3, seconds=8), 5000),  # its second: timed from Next
                (4, "channel", t0 + timedelta(hours=5), 90000),  # a post, timed from the post
                (5, "digest", t0 + timedelta(minutes=2), 120000),  # an unclamped first answer
            ]
            for cid, source, at, ms in logs:
                await conn.execute(
                    text("INSERT INTO review_logs (card_id, learner_id, question_id, rating, correct, reviewed_at,"
                         " duration_ms, source, state_before, state_after, due_before, due_after, was_new)"
                         " VALUES (:c, 1, :q, 3, :y, :at, :ms, :src, 2, 2, :at, :at, :n)"),
                    {"c": cid, "q": f"q{cid}", "y": True, "at": at, "ms": ms, "src": source, "n": False},
                )  # fmt: skip
        await upgrade(engine)
        async with engine.connect() as conn:
            kept = dict((await conn.execute(text("SELECT card_id, duration_ms FROM review_logs"))).all())
            usual = await conn.scalar(text("SELECT avg_answer_ms FROM learners WHERE id = 1"))
        assert kept == {1: 6000, 2: None, 3: 5000, 4: None, 5: None}
        assert usual == round(6000 * 0.8 + 5000 * 0.2)  # the EMA over the honest answers only
    finally:
        await engine.dispose()


async def test_0006_rounds_desired_retention_to_the_two_decimals_the_scheduler_uses(db_url: str) -> None:
    engine = create_engine(db_url)
    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    try:
        await upgrade(engine, "0005")
        async with engine.begin() as conn:
            for uid, retention in ((1, 0.856), (2, 0.9), (3, 0.7049)):
                await conn.execute(
                    text("INSERT INTO learners (id, created_at, timezone, digest_minute, digest_enabled, digest_size,"
                         " day_cutoff_hour, desired_retention, new_per_day, reviews_per_day, dm_status, paused,"
                         " vacations, leaderboard_opt_out, personal_parameters) VALUES (:id, :t, 'UTC', 540, :y, 5,"
                         " 4, :r, 10, 100, 'open', :n, '[]', :n, :y)"),
                    {"id": uid, "t": t0, "y": True, "n": False, "r": retention},
                )  # fmt: skip
        await upgrade(engine)
        async with engine.connect() as conn:
            stored = dict((await conn.execute(text("SELECT id, desired_retention FROM learners"))).all())
        assert stored == {1: 0.86, 2: 0.9, 3: 0.7}
    finally:
        await engine.dispose()
