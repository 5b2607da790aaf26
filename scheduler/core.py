"""The APScheduler set-up: a UTC AsyncIOScheduler (memory job store) running the dispatch
tick every minute, a takeover check, the daily FSRS refit, the daily SQLite backup and an
event-loop lag probe.
Jobs are derived, rebuilt at every start. What is delivered, and how, comes in from the
bot as ``Deliverers``; nothing here knows Discord."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db import backup
from bot.services import Services
from scheduler.dispatch import Deliverers, Dispatcher
from scheduler.ledger import expired_leases
from scheduler.refit import Refitter

log = logging.getLogger(__name__)
BACKUP_EVERY_HOURS = 23.5


class StudyScheduler:
    """Owns the periodic work of one bot process: dispatch ticks, takeovers, backups."""

    def __init__(
        self,
        services: Services,
        deliverers: Deliverers,
        *,
        is_ready: Callable[[], bool],
        latency: Callable[[], float],
    ) -> None:
        self.services = services
        self.is_ready = is_ready
        self.latency = latency
        settings = services.settings
        self.scheduler = AsyncIOScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        )
        metrics = services.metrics
        self.dispatcher = Dispatcher(
            services.unit,
            services.clock.now,
            deliverers,
            process_id=services.process_id,
            grace=timedelta(hours=settings.digest_grace_hours),
            lease=timedelta(seconds=settings.claim_timeout_seconds),
            shards=(settings.shard_count, list(settings.shard_ids or range(settings.shard_count)))
            if settings.shard_count
            else None,
            on_attempt=lambda claim, outcome: metrics.deliveries.labels(kind=claim.kind, result=outcome.status).inc(),
        )
        self.refitter = Refitter(services)
        self._tick: asyncio.Task[int] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Register the jobs and start them (the first dispatch tick comes within 5 s)."""
        settings = self.services.settings
        interval = settings.dispatch_interval_seconds
        if interval > 0:
            first = datetime.now(UTC) + timedelta(seconds=min(5.0, interval))
            self.scheduler.add_job(self._tick_job, "interval", seconds=interval, id="dispatch", next_run_time=first)
            # A dead process's claims are taken over soon after their lease ends, not at the
            # next minute's tick: the re-send must fall inside Discord's nonce window.
            self.scheduler.add_job(
                self._takeover_job, "interval", seconds=self.dispatcher.lease.total_seconds() / 3, id="takeover"
            )
        if settings.backup_daily and settings.database_url.startswith("sqlite"):
            soon = datetime.now(UTC) + timedelta(minutes=1)
            self.scheduler.add_job(self._backup_job, "interval", hours=1, id="backup", next_run_time=soon)
        if interval > 0:
            # The daily FSRS refit, at a quiet hour; one process runs it (the ledger's lease).
            self.scheduler.add_job(
                self._refit_job,
                "cron",
                hour=settings.fsrs_refit_hour,
                minute=30,
                id="fsrs-refit",
                misfire_grace_time=3600,
            )
        self.scheduler.start()
        self._probe = asyncio.create_task(self._lag_probe(), name="loop-lag-probe")
        self._heartbeat = asyncio.create_task(self.dispatcher.heartbeat(), name="claim-heartbeat")

    async def _tick_job(self) -> None:
        """The APScheduler job. The tick runs in a task of our own, shielded: APScheduler
        cancels its running jobs on shutdown, and the drain, not a cancellation, ends a tick."""
        with contextlib.suppress(asyncio.CancelledError):
            await self.tick()

    async def _backup_job(self) -> None:
        """Once a day (checked hourly, so restarts do not skip a day): back up SQLite."""
        settings = self.services.settings
        folder = settings.backup_dir
        age = backup.latest_age_hours(folder, datetime.now(UTC))
        if age is not None and age < BACKUP_EVERY_HOURS:
            return
        with contextlib.suppress(asyncio.CancelledError):
            try:
                source = backup.sqlite_file(settings.database_url)
                path = await asyncio.to_thread(backup.backup_file, source, folder)
                removed = backup.prune(folder, settings.backup_keep)
                log.info("daily backup written to %s (%d older removed)", path, len(removed))
            except backup.BackupError as exc:
                log.warning("daily backup failed: %s", exc)

    async def _refit_job(self) -> None:
        """Refit FSRS parameters (in a worker process; see ``scheduler.refit``)."""
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await self.refitter.run()
            except Exception:
                log.exception("FSRS refit failed; tomorrow's run tries again")

    async def _takeover_job(self) -> None:
        if self._tick is not None and not self._tick.done():
            return  # a running tick takes them over itself
        async with self.services.read() as session:
            due = await expired_leases(session, self.services.clock.now())
        if due:
            await self._tick_job()

    async def tick(self) -> int:
        """Deliver everything that is due now; returns how many deliveries were handled."""
        if not self.is_ready():  # guilds not in the cache yet: posting now would misjudge them
            return 0
        if self._tick is None or self._tick.done():
            self._tick = asyncio.create_task(self._run_tick(), name="dispatch-tick")
        return await asyncio.shield(self._tick)

    async def _run_tick(self) -> int:
        try:
            return await self.dispatcher.tick()
        except Exception:
            log.exception("dispatch tick failed; the next tick carries on")
            return 0

    async def _lag_probe(self, interval: float = 0.25) -> None:
        metrics = self.services.metrics
        while True:
            started = time.perf_counter()
            await asyncio.sleep(interval)
            metrics.loop_lag.observe(max(0.0, time.perf_counter() - started - interval))
            latency = self.latency()
            if latency == latency and latency != float("inf"):
                metrics.gateway_latency.set(latency)

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def shutdown(self, drain_timeout: float = 10.0) -> None:
        """Stop claiming, let in-flight sends finish (bounded), release the rest: one INFO line."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        result = await self.dispatcher.drain(drain_timeout)
        if self._tick is not None and not self._tick.done():
            await asyncio.wait({self._tick}, timeout=drain_timeout)
        for task in (self._probe, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        log.info("scheduler stopped: %s", result)
