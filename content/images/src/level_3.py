"""Level 3 diagrams: a 3×3 kernel over a 5×5 input, padding and stride, 2×2 max pooling, a residual block."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import style
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

CONV_INPUT = np.array(
    [
        [1, 2, 0, 1, 3],
        [0, 1, 3, 2, 1],
        [2, 0, 1, 1, 0],
        [1, 3, 2, 0, 2],
        [0, 1, 1, 2, 1],
    ]
)
CONV_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
#: Top-left corner (row, column) of the highlighted 3×3 window.
CONV_WINDOW = (1, 1)

POOL_INPUT = np.array(
    [
        [1, 5, 2, 0],
        [3, 2, 4, 6],
        [7, 1, 0, 2],
        [2, 4, 3, 1],
    ]
)


def _grid(
    ax: Axes,
    values: np.ndarray | None,
    origin: tuple[float, float],
    shape: tuple[int, int],
    fills: dict[tuple[int, int], str] | None = None,
    fontsize: int = 18,
) -> None:
    """Draw a table of unit cells with its top-left corner at origin (x, y), row 0 at the top."""
    fills = fills or {}
    x0, y0 = origin
    rows, cols = shape
    for r in range(rows):
        for c in range(cols):
            colour = fills.get((r, c), "white")
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=colour, edgecolor=style.INK, lw=1.5))
            if values is not None:
                ax.text(x0 + c + 0.5, y0 - r - 0.5, str(values[r][c]), ha="center", va="center", fontsize=fontsize)


def _outline(ax: Axes, origin: tuple[float, float], top_left: tuple[int, int], size: int, colour: str) -> None:
    x0, y0 = origin
    r, c = top_left
    ax.add_patch(Rectangle((x0 + c, y0 - r - size), size, size, fill=False, edgecolor=colour, lw=5))


def _card_axes(fig_width: float, fig_height: float) -> tuple[style.Figure, Axes]:
    fig = style.figure()
    ax = fig.add_axes((0, 0, 1, 0.88))
    ax.set_xlim(0, fig_width)
    ax.set_ylim(0, fig_height)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def conv_kernel_window(path: Path) -> None:
    """5×5 input with one highlighted 3×3 window, the kernel, and the output grid with one unknown cell."""
    fig, ax = _card_axes(16, 8)
    window = {(CONV_WINDOW[0] + r, CONV_WINDOW[1] + c): "#cfe6f5" for r in range(3) for c in range(3)}
    _grid(ax, CONV_INPUT, (0.5, 6.5), (5, 5), window)
    _outline(ax, (0.5, 6.5), CONV_WINDOW, 3, style.BLUE)
    ax.text(3.0, 7.0, "input 5×5", ha="center", fontsize=18)
    ax.text(6.4, 4.0, "∗", ha="center", va="center", fontsize=34)
    _grid(ax, CONV_KERNEL, (7.3, 5.5), (3, 3), {(r, c): "#fbe3b0" for r in range(3) for c in range(3)})
    ax.text(8.8, 6.0, "kernel 3×3", ha="center", fontsize=18)
    ax.text(11.2, 4.0, "=", ha="center", va="center", fontsize=34)
    output = np.full((3, 3), "", dtype=object)
    output[CONV_WINDOW] = "?"
    _grid(ax, output, (12.3, 5.5), (3, 3), {CONV_WINDOW: "#cfe6f5"}, fontsize=24)
    _outline(ax, (12.3, 5.5), CONV_WINDOW, 1, style.BLUE)
    ax.text(13.8, 6.0, "output 3×3", ha="center", fontsize=18)
    fig.suptitle("Convolution, stride 1, no padding", fontsize=20)
    style.save(fig, path)


def padding_stride_grid(path: Path) -> None:
    """A 5×5 input with 1 pixel of zero padding; the first two 3×3 kernel positions at stride 2."""
    fig, ax = _card_axes(16, 8.4)
    size = 7
    labels = np.full((size, size), "", dtype=object)
    fills = {}
    for r in range(size):
        for c in range(size):
            if r in (0, size - 1) or c in (0, size - 1):
                labels[r][c] = "0"
                fills[(r, c)] = "#e4e4e0"
            else:
                labels[r][c] = "x"
    origin = (0.7, 7.7)
    _grid(ax, labels, origin, (size, size), fills, fontsize=16)
    _outline(ax, origin, (0, 0), 3, style.BLUE)
    _outline(ax, origin, (0, 2), 3, style.ORANGE)
    ax.text(9.0, 6.6, "0 = zero padding, p = 1", fontsize=18, va="center")
    ax.text(9.0, 5.4, "x = input pixel (5×5)", fontsize=18, va="center")
    ax.add_patch(Rectangle((9.0, 3.9), 0.7, 0.7, fill=False, edgecolor=style.BLUE, lw=5))
    ax.text(10.0, 4.25, "1st kernel position", fontsize=18, va="center")
    ax.add_patch(Rectangle((9.0, 2.7), 0.7, 0.7, fill=False, edgecolor=style.ORANGE, lw=5))
    ax.text(10.0, 3.05, "next position", fontsize=18, va="center")
    ax.text(9.0, 1.6, "kernel 3×3, stride 2", fontsize=18, va="center")
    fig.suptitle("Padding and stride", fontsize=20)
    style.save(fig, path)


def max_pool_grid(path: Path) -> None:
    """A 4×4 feature map split into the four 2×2 windows of a stride-2 pooling layer."""
    fig, ax = _card_axes(16, 7.4)
    colours = ["#cfe6f5", "#fbe3b0", "#c9eee2", "#f3d3e5"]
    fills = {}
    for r in range(4):
        for c in range(4):
            fills[(r, c)] = colours[(r // 2) * 2 + c // 2]
    origin = (1.5, 6.0)
    _grid(ax, POOL_INPUT, origin, (4, 4), fills, fontsize=22)
    for top_left in [(0, 0), (0, 2), (2, 0), (2, 2)]:
        _outline(ax, origin, top_left, 2, style.INK)
    ax.text(3.5, 6.5, "feature map 4×4", ha="center", fontsize=18)
    ax.add_patch(FancyArrowPatch((6.8, 4.0), (9.6, 4.0), arrowstyle="-|>", mutation_scale=30, lw=3, color=style.INK))
    ax.text(8.2, 4.5, "2×2 max pool", ha="center", fontsize=18)
    ax.text(8.2, 3.0, "stride 2", ha="center", fontsize=18)
    output = np.full((2, 2), "?", dtype=object)
    _grid(ax, output, (10.5, 5.0), (2, 2), {(r, c): colours[r * 2 + c] for r in range(2) for c in range(2)}, 24)
    ax.text(11.5, 5.5, "output 2×2", ha="center", fontsize=18)
    fig.suptitle("Max pooling", fontsize=20)
    style.save(fig, path)


def _box(ax: Axes, centre: tuple[float, float], text: str, colour: str, width: float = 3.2) -> None:
    style.box(ax, centre, (width, 0.9), text, face=colour, width=1.0, pad=0.1, fontsize=18)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kwargs: object) -> None:
    style.arrow(ax, start, end, head=24, **kwargs)


def residual_block(path: Path) -> None:
    """Input x through conv–BN–ReLU–conv–BN, added to a skip path marked '?', then ReLU."""
    fig, ax = _card_axes(16, 8.8)
    xs = [1.0, 3.6, 6.6, 9.6, 12.6]
    y = 3.2
    ax.text(xs[0], y, "x", ha="center", va="center", fontsize=24, fontweight="bold")
    _box(ax, (xs[1], y), "conv + BN", "#cfe6f5", 2.8)
    _box(ax, (xs[2], y), "ReLU", "#fbe3b0", 2.0)
    _box(ax, (xs[3], y), "conv + BN", "#cfe6f5", 2.8)
    ax.add_patch(plt_circle((xs[4], y)))
    ax.text(xs[4], y, "+", ha="center", va="center", fontsize=26)
    _box(ax, (14.8, y), "ReLU", "#fbe3b0", 1.6)
    _arrow(ax, (xs[0] + 0.3, y), (xs[1] - 1.5, y))
    _arrow(ax, (xs[1] + 1.5, y), (xs[2] - 1.1, y))
    _arrow(ax, (xs[2] + 1.1, y), (xs[3] - 1.5, y))
    _arrow(ax, (xs[3] + 1.5, y), (xs[4] - 0.45, y))
    _arrow(ax, (xs[4] + 0.45, y), (14.8 - 0.9, y))
    _arrow(ax, (xs[0], y + 0.45), (xs[4], y + 0.45), connectionstyle="bar,fraction=-0.25", linestyle="--")
    ax.text((xs[0] + xs[4]) / 2, 7.1, "?", ha="center", va="center", fontsize=30, color=style.RED, fontweight="bold")
    ax.text((xs[1] + xs[3]) / 2, 1.6, "F(x): learned branch (3×3 convs)", ha="center", va="center", fontsize=18)
    fig.suptitle("A residual block", fontsize=20)
    style.save(fig, path)


def plt_circle(centre: tuple[float, float]) -> FancyBboxPatch:
    """The round adder node of the residual block."""
    x, y = centre
    return FancyBboxPatch(
        (x - 0.35, y - 0.35), 0.7, 0.7, boxstyle="circle,pad=0.05", facecolor="white", edgecolor=style.INK, lw=2
    )


DIAGRAMS = {
    "conv-3x3-kernel-5x5-input.png": conv_kernel_window,
    "padding-stride-grid.png": padding_stride_grid,
    "pooling-max-2x2-grid.png": max_pool_grid,
    "cnn-residual-block.png": residual_block,
}
