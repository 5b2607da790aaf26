"""The bot's dependencies, passed explicitly (nothing is built at import time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import Clock
from bot.content import Content, load_content
from bot.content.lint import rule_counts
from bot.db import queries
from bot.db.session import Database
from bot.metrics import Metrics
from bot.settings import Settings
from scheduler.ratelimit import RateLimiter

log = logging.getLogger(__name__)


def load_linted(folder: Path) -> Content:
    """Load content (ContentError if invalid) and log its lint: a summary by rule, and each lint
    error (style warnings are only counted; `content check` lists them). Lint never stops the bot."""
    content = load_content(folder, lint=True)
    if content.lint:
        counts = rule_counts(content.lint)
        errors = sum(e for e, _ in counts.values())
        per_rule = ", ".join(f"{rule} {e + w}" for rule, (e, w) in counts.items())
        log.warning(
            "content lint: %d errors, %d warnings (%s); run `python -m bot content check` for the list",
            errors,
            len(content.lint) - errors,
            per_rule,
        )
        for issue in content.lint:
            if not issue.warning:
                log.warning("content lint: %s", issue)
    return content


@dataclass
class Services:
    settings: Settings
    content: Content
    db: Database
    clock: Clock = field(default_factory=Clock)
    content_dir: Path = Path("content")
    process_id: str = "main"
    metrics: Metrics = field(default_factory=Metrics)
    # Every REST send the bot makes on its own (DMs, channel posts, edits) goes through this.
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(48.0))

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work: one transaction, committed on success (queued behind the
        process's other writers on SQLite). Never await Discord inside it."""
        async with self.db.unit() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work: takes no write lock; writing in it raises."""
        async with self.db.read() as session:
            yield session

    async def sync_content_ids(self) -> dict[str, int]:
        async with self.unit() as session:
            counts = await queries.sync_content_ids(session, set(self.content.questions), self.content.replaced_by)
        if any(counts.values()):
            log.info("content sync: %s", counts)
        return counts

    async def reload_content(self) -> Content:
        """Validate the content folder and swap it in; on error the running content stays."""
        new = await asyncio.to_thread(load_linted, self.content_dir)
        self.content = new
        await self.sync_content_ids()
        log.info("content reloaded: %s", new.summary())
        return new
