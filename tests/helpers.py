"""Test helpers: a running bot against the local Discord, and database set-up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.client import StudyBot
from bot.clock import Clock
from bot.endpoint import reset_endpoints
from bot.runner import build_services, start_bot, stop_bot
from bot.services import Services
from bot.settings import Settings
from localdiscord import LocalDiscord

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


def pg_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = pg_url()
    assert base is not None
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    url = make_url(base)
    admin = await asyncpg.connect(
        user=url.username, password=url.password, host=url.host, port=url.port, database=url.database
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@dataclass
class Harness:
    ld: LocalDiscord
    bot: StudyBot
    services: Services
    task: asyncio.Task[None]
    settings: Settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    async def restart(self) -> None:
        """Stop the bot process and start a new one on the same database."""
        await stop_bot(self.bot, self.task)
        await self.services.engine.dispose()
        self.services = await build_services(self.settings, clock=self.services.clock)
        self.bot, self.task = await start_bot(self.services, self.ld.token, guild_ready_timeout=0.05)

    async def unit(self) -> Any:
        return self.services.unit()


def settings_for(ld: LocalDiscord, db_url: str, **extra: Any) -> Settings:
    extra.setdefault("content_dir", CONTENT)
    extra.setdefault("dispatch_interval_seconds", 0)  # tests drive the tick themselves
    extra.setdefault("backup_daily", False)
    extra.setdefault("discord_gateway_url", ld.gateway_url)
    return Settings(
        discord_token=ld.token,
        database_url=db_url,
        discord_api_base=ld.api_base,
        _env_file=None,
        **extra,
    )  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running_bot(
    ld: LocalDiscord, db_url: str, *, clock: Clock | None = None, **extra: Any
) -> AsyncIterator[Harness]:
    settings = settings_for(ld, db_url, **extra)
    services = await build_services(settings, clock=clock or Clock())
    bot, task = await start_bot(services, ld.token, guild_ready_timeout=0.05)
    h = Harness(ld, bot, services, task, settings)
    try:
        yield h
    finally:
        await stop_bot(h.bot, h.task)
        await h.services.engine.dispose()
        reset_endpoints()


async def raw_sql(services: Services, sql: str, **params: Any) -> list[Any]:
    async with services.unit() as s:
        return list((await s.execute(text(sql), params)).all())


async def work_through(ld: LocalDiscord, user: Any, msg: Any) -> None:
    """Answer a whole quiz session (the first option, or Good), as a learner clicking through."""
    for _ in range(100):
        if msg.embeds[0]["title"] == "🎓 Session complete":
            return
        labels = [c.get("label") for c in ld.components_of(msg)]
        for wanted in ("Show answer", "Good", "Next", "Finish"):
            if wanted in labels:
                await ld.click(user, msg, wanted)
                break
        else:
            answers = [c for c in ld.components_of(msg) if c.get("custom_id", "").startswith("quiz:ans:")]
            assert answers, (msg.embeds, labels)
            await ld.click(user, msg, answers[0]["custom_id"])
    raise AssertionError("the session did not end")
