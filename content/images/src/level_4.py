"""Diagrams for level 4 (sequence models): an LSTM cell, an unrolled RNN and a seasonal time series."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import style
from matplotlib.patches import Circle


def _arrow(ax, start, end, colour: str = style.INK) -> None:
    style.arrow(ax, start, end, colour=colour, head=20)


def _line(ax, xs, ys, colour: str = style.INK) -> None:
    ax.plot(xs, ys, color=colour, linewidth=2.5, solid_capstyle="round")


def _box(ax, centre, text: str, colour: str, width: float = 1.0, height: float = 0.75) -> None:
    style.box(ax, centre, (width, height), text, face="white", edge=colour, width=3, fontsize=21, bold=True)


def _op(ax, centre, text: str) -> None:
    ax.add_patch(Circle(centre, 0.32, facecolor="white", edgecolor=style.ORANGE, linewidth=2.5))
    ax.text(*centre, text, ha="center", va="center", fontsize=20, fontweight="bold", color=style.INK)


def lstm_cell(path: Path) -> None:
    """An LSTM cell: cell-state line on top, four layers below; the first gate is marked '?'."""
    fig = style.figure()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 7.5)
    ax.axis("off")
    top, layer_y, bus_y = 6.0, 2.9, 1.4
    gates = [(3.0, "?", style.RED), (5.0, "σ", style.BLUE), (6.6, "tanh", style.BLUE), (8.4, "σ", style.BLUE)]
    # cell-state line with the forget multiply and the add
    _line(ax, [0.6, 2.68], [top, top], style.GREEN)
    _line(ax, [3.32, 5.48], [top, top], style.GREEN)
    _arrow(ax, (6.12, top), (11.3, top), style.GREEN)
    _op(ax, (3.0, top), "×")
    _op(ax, (5.8, top), "+")
    ax.text(0.6, top + 0.45, "c(t−1)", fontsize=19, color=style.INK)
    ax.text(10.4, top + 0.45, "c(t)", fontsize=19, color=style.INK)
    # input bus: h(t−1) and x(t) feed every layer
    _line(ax, [0.6, 8.4], [bus_y, bus_y])
    _line(ax, [1.6, 1.6], [0.4, bus_y])
    ax.text(0.6, bus_y + 0.25, "h(t−1)", fontsize=19, color=style.INK)
    ax.text(1.8, 0.35, "x(t)", fontsize=19, color=style.INK)
    for x, text, colour in gates:
        _line(ax, [x, x], [bus_y, layer_y - 0.42])
        _box(ax, (x, layer_y), text, colour, width=1.2 if text == "tanh" else 0.9)
    # "?" gate up to the forget multiply
    _arrow(ax, (3.0, layer_y + 0.42), (3.0, top - 0.34))
    # input gate and candidate multiply, then up to the add
    _op(ax, (5.8, 4.4), "×")
    _line(ax, [5.0, 5.0], [layer_y + 0.42, 4.4])
    _arrow(ax, (5.0, 4.4), (5.48, 4.4))
    _line(ax, [6.6, 6.6], [layer_y + 0.42, 4.4])
    _arrow(ax, (6.6, 4.4), (6.12, 4.4))
    _arrow(ax, (5.8, 4.72), (5.8, top - 0.34))
    # output: tanh(c(t)) times the last gate gives h(t)
    _line(ax, [9.6, 9.6], [top, 5.05])
    _box(ax, (9.6, 4.65), "tanh", style.PURPLE, width=1.2, height=0.65)
    _op(ax, (9.6, 3.4), "×")
    _arrow(ax, (9.6, 4.3), (9.6, 3.72))
    _line(ax, [8.4, 8.4], [layer_y + 0.42, 3.4])
    _arrow(ax, (8.4, 3.4), (9.28, 3.4))
    _arrow(ax, (9.92, 3.4), (11.3, 3.4))
    ax.text(10.45, 3.7, "h(t)", fontsize=19, color=style.INK)
    style.save(fig, path)


def rnn_unrolled(path: Path) -> None:
    """The same RNN cell repeated over four time steps; one horizontal arrow is marked '?'."""
    fig = style.figure()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 7.5)
    ax.axis("off")
    xs = [1.8, 4.6, 7.4, 10.2]
    for step, x in enumerate(xs, start=1):
        _box(ax, (x, 3.75), "cell", style.BLUE, width=1.6, height=1.1)
        ax.text(x, 0.75, f"x{step}", ha="center", fontsize=21, color=style.INK)
        _arrow(ax, (x, 1.35), (x, 3.12))
        _arrow(ax, (x, 4.38), (x, 6.0))
        ax.text(x, 6.3, f"y{step}", ha="center", fontsize=21, color=style.INK)
    for left, right in itertools.pairwise(xs):
        _arrow(ax, (left + 0.88, 3.75), (right - 0.88, 3.75), style.GREEN)
    ax.text((xs[1] + xs[2]) / 2, 4.1, "?", ha="center", fontsize=26, fontweight="bold", color=style.RED)
    ax.text(6.0, 7.0, "time →", ha="center", fontsize=19, color=style.MUTED)
    style.save(fig, path)


def seasonal_series(path: Path) -> None:
    """Four years of monthly values: upward trend plus a yearly cycle and a little noise."""
    fig = style.figure()
    ax = fig.add_subplot()
    months = np.arange(48)
    rng = np.random.default_rng(7)
    values = 100 + 1.2 * months + 15 * np.sin(2 * np.pi * (months - 2) / 12 + np.pi / 2) + rng.normal(0, 2, 48)
    ax.plot(months, values, color=style.BLUE, marker="o", markersize=5)
    ax.set_xticks(range(0, 49, 4))
    ax.set_xlim(-1, 48)
    ax.grid(axis="x", color=style.MUTED, linewidth=0.8, alpha=0.6)
    ax.set_xlabel("month")
    ax.set_ylabel("sales")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    style.save(fig, path)


DIAGRAMS = {
    "lstm-cell.png": lstm_cell,
    "rnn-unrolled.png": rnn_unrolled,
    "seasonal-series.png": seasonal_series,
}
