"""`python -m bot run` as separate processes against the local Discord, and database seeding,
for the multi-process, takeover and shutdown tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content import Content
from bot.db.models import Card, Learner, StudyChannel, TopicProgress
from bot.db.queries import new_card
from localdiscord import Channel, LocalDiscord, User
from tests.helpers import CONTENT, ROOT


class Endpoint(Protocol):
    """A Discord-compatible server: the local one here, or in its own process."""

    token: str
    api_base: str
    gateway_url: str


def start_bot_process(ld: Endpoint, url: str, tmp: Path, **env: str) -> subprocess.Popen[str]:
    """The bot as an operator runs it (output on a pipe, read with ``communicate``)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    full.update(
        DISCORD_TOKEN=ld.token,
        DISCORD_API_BASE=ld.api_base,
        DISCORD_GATEWAY_URL=ld.gateway_url,
        DATABASE_URL=url,
        DISPATCH_INTERVAL_SECONDS="1",
        LOG_LEVEL="INFO",
        CONTENT_DIR=str(CONTENT),
        BACKUP_DIR=str(tmp / "backups"),
    )
    full.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=full,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen[str], sig: int) -> str:
    """Signal the process and return everything it printed."""
    if proc.poll() is None:
        proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    return out


async def wait_for(cond: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def seed_learners(
    sessions: async_sessionmaker[AsyncSession],
    ld: LocalDiscord,
    content: Content,
    users: Iterable[User],
    *,
    next_digest_at: datetime,
    topic: str = "numpy",
    **columns: Any,
) -> None:
    """Learners with reminders on, a known DM channel and one enrolled topic (so a digest is due
    at ``next_digest_at``), inserted in bulk."""
    now = datetime.now(UTC)
    users = list(users)
    questions = [q.id for q in content.topic_questions(topic)]
    async with sessions() as s, s.begin():
        await s.execute(
            insert(Learner),
            [
                {
                    "id": u.id,
                    "created_at": now,
                    "digest_minute": 0,
                    "digest_enabled": True,
                    "dm_channel_id": ld.dm_channel(u).id,
                    "dm_status": "open",
                    "next_digest_at": next_digest_at,
                    **columns,
                }
                for u in users
            ],
        )
        await s.execute(
            insert(TopicProgress),
            [
                {"learner_id": u.id, "topic_id": topic, "status": "learning", "enrolled": True, "updated_at": now}
                for u in users
            ],
        )
        await s.execute(insert(Card), [new_card(u.id, q, topic, now) for u in users for q in questions])


async def seed_channels(
    sessions: async_sessionmaker[AsyncSession], channels: Iterable[Channel], *, next_post_at: datetime
) -> None:
    """Study channels (any level, one question a post) due at ``next_post_at``."""
    now = datetime.now(UTC)
    async with sessions() as s, s.begin():
        await s.execute(
            insert(StudyChannel),
            [
                {
                    "guild_id": c.guild_id,
                    "channel_id": c.id,
                    "created_by": 1,
                    "levels": [],
                    "topics": [],
                    "created_at": now,
                    "used_questions": [],
                    "next_post_at": next_post_at,
                }
                for c in channels
            ],
        )


def errors_in(out: str) -> list[str]:
    """Lines a clean run must not print: ERROR records and tracebacks."""
    return [line for line in out.splitlines() if " ERROR " in line or "Traceback" in line or "CRITICAL" in line]
