"""Shared look for the question diagrams: readable at Discord's embed width in dark and light themes.

Every diagram is drawn on an opaque light card (never a transparent background, which turns dark text
invisible in the dark theme) with large type, since Discord shows embed images about 400 px wide.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

IMAGES = Path(__file__).resolve().parents[1]

#: Width × height in inches at DPI: 800 × 500 px, shown at about half size in an embed.
SIZE = (8.0, 5.0)
DPI = 100

BACKGROUND = "#f7f7f5"
INK = "#1f2328"
MUTED = "#6e7781"
#: Colour-blind-safe accents (Okabe–Ito).
BLUE = "#0072b2"
ORANGE = "#e69f00"
GREEN = "#009e73"
RED = "#d55e00"
PURPLE = "#cc79a7"
SKY = "#56b4e9"

plt.rcParams.update(
    {
        "font.size": 16,
        "axes.titlesize": 19,
        "axes.labelsize": 16,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
        "figure.facecolor": BACKGROUND,
        "axes.facecolor": BACKGROUND,
        "savefig.facecolor": BACKGROUND,
        "lines.linewidth": 3,
        "svg.hashsalt": "study-bot",
    }
)


def figure(size: tuple[float, float] = SIZE) -> Figure:
    """A new figure on the shared light card."""
    return plt.figure(figsize=size, dpi=DPI)


def save(fig: Figure, path: Path) -> None:
    """Write the PNG without metadata that changes between runs, so the output is reproducible."""
    fig.savefig(path, dpi=DPI, metadata={"Software": None}, pil_kwargs={"optimize": False})
    plt.close(fig)


def arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = INK,
    width: float = 2.5,
    head: float = 22,
    **kwargs: object,
) -> None:
    """A straight (or, with ``connectionstyle``, curved) arrow from ``start`` to ``end``."""
    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=head, linewidth=width, color=colour, **kwargs)
    )


def box(
    ax: Axes,
    centre: tuple[float, float],
    size: tuple[float, float],
    text: str,
    *,
    face: str,
    edge: str = INK,
    width: float = 2.0,
    pad: float = 0.05,
    fontsize: float = 17,
    bold: bool = False,
    alpha: float | None = None,
) -> None:
    """A rounded box of ``size`` (width, height) centred on ``centre``, with ``text`` in it."""
    (x, y), (w, h) = centre, size
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle=f"round,pad={pad}",
            facecolor=face,
            edgecolor=edge,
            linewidth=width,
            alpha=alpha,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, fontweight="bold" if bold else "normal", color=INK)
