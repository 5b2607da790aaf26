"""Units of work: SQLite writers queue in arrival order, readers take no write lock, a read
unit cannot write, and the same code runs on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from bot.db import queries
from bot.db.models import AppState, Learner
from bot.db.session import ReadOnlyUnitError
from bot.services import Services

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def test_many_concurrent_writers_all_commit_in_arrival_order(services: Services) -> None:
    """200 writers at once, each holding its transaction a moment: none fails with
    'database is locked', and they commit first come, first served."""
    order: list[int] = []

    async def writer(i: int) -> None:
        async with services.unit() as s:
            await queries.ensure_learner(s, 1000 + i, NOW)
            await asyncio.sleep(0.002)  # hold the transaction open across an await
            order.append(i)

    await asyncio.gather(*(writer(i) for i in range(200)))
    async with services.read() as s:
        assert await s.scalar(select(func.count()).select_from(Learner)) == 200
    if services.engine.dialect.name == "sqlite":
        assert order == list(range(200))  # the gate is fair


async def test_readers_do_not_wait_for_a_writer(services: Services) -> None:
    async with services.unit() as s:
        await queries.ensure_learner(s, 1, NOW)
    holding, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with services.unit() as s:
            (await s.get(Learner, 1)).digest_size = 9  # type: ignore[union-attr]
            await s.flush()
            holding.set()
            await release.wait()

    task = asyncio.create_task(slow_writer())
    await holding.wait()
    async with asyncio.timeout(2), services.read() as s:
        learner = await s.get(Learner, 1)
        assert learner is not None and learner.digest_size == 5  # the committed snapshot
    release.set()
    await task
    async with services.read() as s:
        assert (await s.get(Learner, 1)).digest_size == 9  # type: ignore[union-attr]


async def test_a_read_unit_refuses_to_write(services: Services) -> None:
    with pytest.raises(ReadOnlyUnitError):
        async with services.read() as s:
            s.add(AppState(key="k", value="v", updated_at=NOW))
            await s.flush()
    with pytest.raises(ReadOnlyUnitError):
        async with services.read() as s:
            await queries.ensure_learner(s, 5, NOW)  # an INSERT
    async with services.read() as s:
        assert await s.get(Learner, 5) is None


async def test_a_write_unit_inside_another_of_the_same_task_is_refused(services: Services) -> None:
    if services.engine.dialect.name != "sqlite":
        pytest.skip("the write gate exists on SQLite only")
    with pytest.raises(RuntimeError, match="inside another write unit"):
        async with services.unit(), services.unit():
            pass
    async with services.unit() as s:  # the gate was released
        await queries.ensure_learner(s, 7, NOW)


async def test_a_failed_write_unit_rolls_back_and_frees_the_gate(services: Services) -> None:
    with pytest.raises(ZeroDivisionError):
        async with services.unit() as s:
            await queries.ensure_learner(s, 8, NOW)
            await s.flush()
            _ = 1 / 0
    async with asyncio.timeout(2), services.unit() as s:
        assert await s.get(Learner, 8) is None


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_two_processes_storing_the_same_state_key_both_succeed(services: Services) -> None:
    """Two bot processes start together and both store the synced command hash: the second
    writer, which did not see the first's uncommitted row, must update it, not fail on the
    primary key (that failure used to stop one process at start)."""
    from bot.db.session import create_engine, session_factory

    other = create_engine(services.engine.url.render_as_string(hide_password=False))
    now = datetime(2026, 6, 1, tzinfo=UTC)

    looked, written = asyncio.Event(), asyncio.Event()

    async def second_process() -> None:
        async with session_factory(other)() as session, session.begin():
            assert await queries.get_state(session, "commands:x") is None  # nobody has written it yet
            looked.set()
            await written.wait()
            await queries.set_state(session, "commands:x", "two", now)  # the first's row is there now

    racing = asyncio.create_task(second_process())
    try:
        await looked.wait()
        async with services.unit() as session:
            await queries.set_state(session, "commands:x", "one", now)
            await session.flush()
            written.set()
            # Commit only once the second writer waits on this uncommitted row.
            async with other.connect() as watcher:
                waiting = text("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
                while not racing.done() and not (await watcher.execute(waiting)).scalar():  # noqa: ASYNC110 - polls the server
                    await asyncio.sleep(0.01)
        await racing
        async with services.read() as session:
            assert await queries.get_state(session, "commands:x") == "two"
            assert await session.scalar(select(func.count()).select_from(AppState)) == 1
    finally:
        await other.dispose()
