"""The /stats picture: matplotlib (Agg), drawn in a separate worker process.

matplotlib and its figures cost the bot ~50 MB, and each thread that drew a figure kept
its own; so the bot never imports it. ``ChartWorker`` starts one worker process on first
use, sends it one chart at a time (the others wait their turn in the event loop), restarts
it if it died, and ends it after an idle period.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta

from bot.study.stats import Stats

log = logging.getLogger(__name__)
IDLE_SECONDS = 300.0


def _warm_up() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure


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
        async with self._turn:
            if self._idle is not None:
                self._idle.cancel()
            loop = asyncio.get_running_loop()
            try:
                for attempt in (1, 2):
                    try:
                        return await loop.run_in_executor(self._started(), render_stats_png, stats)
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
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_warm_up)
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


def render_stats_png(stats: Stats, *, dpi: int = 100) -> bytes:
    """Reviews per day (90 days), cards by state, and the 14-day forecast, as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # Fixed margins: a layout engine would cost a third of the rendering time.
    fig = Figure(figsize=(9, 6), dpi=dpi)
    grid = fig.add_gridspec(
        2, 2, height_ratios=[1.1, 1], left=0.12, right=0.97, top=0.94, bottom=0.14, hspace=0.42, wspace=0.28
    )
    ax = fig.add_subplot(grid[0, :])
    days = list(stats.reviews_by_day)
    counts = [stats.reviews_by_day[d] for d in days]
    colours = ["#c8c8c8" if d in stats.vacation_days else "#5865F2" for d in days]
    positions = [float(date2num(d)) for d in days]
    ax.bar(positions, counts, width=0.9, color=colours)
    ax.xaxis_date()
    ax.set_title("Reviews per day — last 90 days", loc="left", fontsize=11)
    ax.set_xlim(positions[0] - 1, positions[-1] + 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))

    ax2 = fig.add_subplot(grid[1, 0])
    labels = [k for k, value in stats.cards_by_state.items() if value]
    values = [stats.cards_by_state[k] for k in labels]
    palette = {
        "new": "#9aa0a6",
        "learning": "#f9ab00",
        "review": "#34a853",
        "relearning": "#ea4335",
        "suspended": "#5f6368",
    }
    ax2.barh(labels, values, color=[palette[k] for k in labels])
    for row, value in enumerate(values):
        ax2.text(value, row, f" {value}", va="center", fontsize=9)
    ax2.set_title("Cards by state", loc="left", fontsize=11)
    ax2.spines[["top", "right"]].set_visible(False)
    ax2.invert_yaxis()

    ax3 = fig.add_subplot(grid[1, 1])
    names = [
        "today" if row == 0 else (stats.today + timedelta(days=row)).strftime("%a %d")
        for row in range(len(stats.forecast))
    ]
    ax3.bar(range(len(stats.forecast)), stats.forecast, color="#5865F2")
    ax3.set_xticks(range(len(names)), names, rotation=60, fontsize=7)
    ax3.set_title("Due in the next 14 days", loc="left", fontsize=11)
    ax3.spines[["top", "right"]].set_visible(False)
    ax3.yaxis.set_major_locator(MaxNLocator(integer=True))

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
