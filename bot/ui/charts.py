"""The /stats and workload pictures: matplotlib (Agg), drawn in a separate worker process.

matplotlib and its figures cost the bot ~50 MB, and each thread that drew a figure kept
its own; so the bot never imports it. ``ChartWorker`` starts one worker process on first
use, sends it one chart at a time (the others wait their turn in the event loop), restarts
it if it died, and ends it after an idle period. The worker draws with
``bot.ui.chart_render`` from plain values, so it loads matplotlib and little else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.study.stats import Stats
from bot.ui.chart_render import ChartData, release_memory, render_png, render_workload_png, warm_up

log = logging.getLogger(__name__)
IDLE_SECONDS = 300.0


def chart_data(stats: Stats) -> ChartData:
    """The plain values the worker draws from (it never imports the bot's database code)."""
    return ChartData(
        stats.today,
        dict(stats.reviews_by_day),
        frozenset(stats.vacation_days),
        dict(stats.cards_by_state),
        list(stats.forecast),
    )


class ChartWorker:
    """One chart process for the bot, started when first needed."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._turn = asyncio.Lock()
        self._idle: asyncio.TimerHandle | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, while it runs."""
        processes = getattr(self._pool, "_processes", None) or {}
        return next(iter(processes), None)

    async def render(self, stats: Stats) -> bytes:
        """The /stats PNG, drawn in the worker (restarted once if it had died)."""
        return await self._draw(render_png, chart_data(stats))

    async def render_workload(self, points: Sequence[tuple[float, float, float]], current: float) -> bytes:
        """The workload chart of ``/settings retention`` (``(retention, reviews a day, remembered)``
        per point, the current setting marked), drawn in the worker."""
        return await self._draw(render_workload_png, list(points), current)

    async def _draw(self, draw: Callable[..., bytes], *args: object) -> bytes:
        async with self._turn:
            if self._idle is not None:
                self._idle.cancel()
            loop = asyncio.get_running_loop()
            try:
                for attempt in (1, 2):
                    try:
                        pool = self._started()
                        png = await loop.run_in_executor(pool, draw, *args)
                        # Afterwards, not in the chart's time (a next chart waits for it, ~30 ms).
                        with contextlib.suppress(BrokenProcessPool, RuntimeError):
                            pool.submit(release_memory)
                        return png
                    except BrokenProcessPool:
                        log.warning("the chart worker had stopped; starting a new one")
                        self._stop()
                        if attempt == 2:
                            raise
                raise AssertionError("unreachable")
            finally:
                self._idle = loop.call_later(self.idle_seconds, self._stop)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # never a fork of the bot's threads
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=warm_up)
        return self._pool

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """End the worker (the bot is closing)."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        self._stop()
