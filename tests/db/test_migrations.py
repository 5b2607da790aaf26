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
