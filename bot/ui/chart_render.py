"""Drawing the /stats and workload pictures with matplotlib (Agg). This module runs in the chart worker
process: it imports nothing of the bot but ``ChartData`` (plain values), so the worker
loads matplotlib and little else."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ChartData:
    """What the chart shows (the parts of ``bot.study.stats.Stats`` it needs)."""

    today: date
    reviews_by_day: dict[date, int]
    vacation_days: frozenset[date]
    cards_by_state: dict[str, int]
    forecast: list[int]


def warm_up() -> None:
    """Load matplotlib once, when the worker starts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure


def release_memory() -> None:
    """Hand a chart's freed memory back to the system: matplotlib's figures are reference
    cycles, and glibc keeps what they freed (~18 MB after a few charts) unless trimmed."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def render_png(stats: ChartData, *, dpi: int = 100) -> bytes:
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


def render_workload_png(points: Sequence[tuple[float, float, float]], current: float, *, dpi: int = 100) -> bytes:
    """Reviews a day and cards remembered after a year against desired retention (a point per
    ``(retention, reviews per day, remembered)``), the current setting marked, as a small PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2), dpi=dpi)
    ax = fig.add_axes((0.12, 0.16, 0.74, 0.72))
    retentions = [point[0] for point in points]
    ax.plot(retentions, [point[1] for point in points], marker="o", color="#5865F2")
    ax.set_xlabel("desired retention", fontsize=9)
    ax.set_ylabel("reviews per day", fontsize=9, color="#5865F2")
    ax.axvspan(min(retentions) - 0.005, 0.80, color="#fce8e6", zorder=0)
    ax.axvspan(0.95, max(retentions) + 0.005, color="#fce8e6", zorder=0)
    ax.axvline(current, color="#34a853", linestyle="--", linewidth=1.2)
    ax.set_xlim(min(retentions) - 0.005, max(retentions) + 0.005)
    ax.set_title(f"Workload over the next 365 days (yours: {current:.2f})", loc="left", fontsize=10)
    twin = ax.twinx()
    twin.plot(retentions, [point[2] for point in points], marker="s", color="#f9ab00")
    twin.set_ylabel("remembered after a year", fontsize=9, color="#f9ab00")
    for axis in (ax, twin):
        axis.tick_params(labelsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
