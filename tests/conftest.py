from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.content import Content, load_content
from bot.runner import build_services
from bot.services import Services
from localdiscord import LocalDiscord
from tests.helpers import CONTENT, Harness, pg_url, postgres_database, running_bot

_content: Content | None = None


@pytest.fixture
def content() -> Content:
    global _content
    if _content is None:
        _content = load_content(CONTENT)
    return _content


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


PG_SKIP = "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1/test)"


def _need_postgres() -> None:
    if pg_url() is None:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip(PG_SKIP)


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    _need_postgres()
    async with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    _need_postgres()
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def discord_server() -> AsyncIterator[LocalDiscord]:
    ld = await LocalDiscord().start()
    try:
        yield ld
    finally:
        await ld.stop()
    ld.assert_clean()


@pytest.fixture
async def harness(discord_server: LocalDiscord, db_url: str) -> AsyncIterator[Harness]:
    """The real bot against the local Discord, on SQLite and on PostgreSQL."""
    async with running_bot(discord_server, db_url) as h:
        yield h


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    """Services on a migrated database (SQLite and PostgreSQL), with a movable clock."""
    from bot.settings import Settings

    settings = Settings(discord_token=None, database_url=db_url, content_dir=CONTENT, _env_file=None)  # type: ignore[call-arg]
    clock = Clock()
    clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    svc = await build_services(settings, clock=clock)
    try:
        yield svc
    finally:
        await svc.engine.dispose()
