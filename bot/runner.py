"""Assembling and running the bot: settings → content → database → client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from bot.client import StudyBot, create_bot
from bot.clock import Clock
from bot.content import load_content
from bot.db.session import Database, create_engine
from bot.endpoint import apply_endpoints
from bot.metrics import Metrics
from bot.services import Services
from bot.settings import Settings
from scheduler.ratelimit import RateLimiter

log = logging.getLogger(__name__)


async def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    content_dir: Path | None = None,
    process_id: str | None = None,
) -> Services:
    """Load and validate content (raises ContentError), open the database, migrate it."""
    folder = content_dir or settings.content_dir
    # Start fast: the lint (a second) is for authors (`content check`) and reloads.
    content = await asyncio.to_thread(load_content, folder)
    engine = create_engine(settings.database_url)
    if migrate:
        from bot.db.migrate import upgrade  # Alembic is loaded only when migrating here

        await upgrade(engine)
    metrics = Metrics()
    return Services(
        settings=settings,
        content=content,
        db=Database(engine, observe_wait=metrics.db_write_wait.observe),
        metrics=metrics,
        clock=clock or Clock(),
        content_dir=folder,
        process_id=process_id or settings.process_name or f"{socket.gethostname()}-{os.getpid()}",
        # Several processes share Discord's global limit: each sends under its share.
        limiter=RateLimiter(settings.rate_limit_per_second / settings.process_count),
    )


async def start_bot(
    services: Services, token: str, *, mode: str = "run", guild_ready_timeout: float = 2.0
) -> tuple[StudyBot, asyncio.Task[None]]:
    """Start the client in a task (for tests and the console); returns when it is ready."""
    await apply_endpoints(services.settings, token)
    bot = create_bot(services, mode=mode, guild_ready_timeout=guild_ready_timeout)
    task = asyncio.create_task(bot.start(token), name="discord-client")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED, timeout=30)
    if task in done:
        ready.cancel()
        task.result()  # raises the start-up error
        raise RuntimeError("the Discord client stopped during start-up")
    if ready not in done:
        ready.cancel()
        await bot.close()
        raise TimeoutError("the Discord client did not become ready within 30 s")
    return bot, task


async def stop_bot(bot: StudyBot, task: asyncio.Task[None]) -> None:
    await bot.close()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class MigrationError(RuntimeError):
    """`python -m bot migrate` failed before the bot started (its error output is the message)."""


async def migrate_apart(database_url: str) -> None:
    """Bring the schema to head in a short-lived `python -m bot migrate` process, so Alembic
    (~12 MB) never stays in the long-lived bot."""
    env = {**os.environ, "DATABASE_URL": database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise MigrationError(f"migrating the database failed:\n{err.decode(errors='replace')[-2000:]}")
    log.info("%s", out.decode(errors="replace").strip())


async def run_forever(settings: Settings, token: str) -> None:
    """`python -m bot run`: migrate (in another process), run until SIGINT/SIGTERM, then
    close scheduler, HTTP, engine."""
    await migrate_apart(settings.database_url)
    services = await build_services(settings, migrate=False)
    try:
        await apply_endpoints(settings, token)
        bot = create_bot(services)
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()

        def _stop(sig: signal.Signals) -> None:
            if not stopping.is_set():
                log.info("received %s, shutting down", sig.name)
                stopping.set()
                asyncio.ensure_future(bot.close())  # noqa: RUF006

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, _stop, sig)
        async with bot:
            await bot.start(token)
    finally:
        await services.engine.dispose()
        log.info("stopped")
