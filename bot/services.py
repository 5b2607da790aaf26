"""The bot's dependencies, passed explicitly (nothing is built at import time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.content import Content, load_content
from bot.db import queries
from bot.metrics import Metrics
from bot.settings import Settings
from scheduler.ratelimit import RateLimiter

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    content: Content
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock = field(default_factory=Clock)
    content_dir: Path = Path("content")
    process_id: str = "main"
    metrics: Metrics = field(default_factory=Metrics)
    # Every REST send the bot makes on its own (DMs, channel posts, edits) goes through this.
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(45.0))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: a session in a transaction, committed on success."""
        async with self.sessions() as session, session.begin():
            yield session

    async def sync_content_ids(self) -> dict[str, int]:
        async with self.unit() as s:
            counts = await queries.sync_content_ids(s, set(self.content.questions), self.content.replaced_by)
        if any(counts.values()):
            log.info("content sync: %s", counts)
        return counts

    async def reload_content(self) -> Content:
        """Validate the content folder and swap it in; on error the running content stays."""
        new = await asyncio.to_thread(load_content, self.content_dir)
        self.content = new
        await self.sync_content_ids()
        log.info("content reloaded: %s", new.summary())
        return new
