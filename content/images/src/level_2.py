"""Diagrams for level 2 (neural network basics): activation curves and a small computational graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import style
from matplotlib.patches import Circle


def activation_curves(path: Path) -> None:
    """Sigmoid, tanh and ReLU on one axis, labelled only A, B and C."""
    fig = style.figure()
    ax = fig.add_subplot()
    z = np.linspace(-4, 4, 401)
    curves = [
        ("A", 1 / (1 + np.exp(-z)), style.BLUE, "-"),
        ("B", np.tanh(z), style.ORANGE, "--"),
        ("C", np.maximum(0, z), style.GREEN, ":"),
    ]
    for label, y, colour, dash in curves:
        ax.plot(z, y, color=colour, linestyle=dash, linewidth=3.5, label=label)
    for level in (-1, 0, 0.5, 1):
        ax.axhline(level, color=style.MUTED, linewidth=0.8, zorder=0)
    ax.axvline(0, color=style.MUTED, linewidth=0.8, zorder=0)
    ax.set_xlim(-4, 4)
    ax.set_ylim(-1.4, 2.6)
    ax.set_yticks([-1, 0, 0.5, 1, 2])
    ax.set_xlabel("input z")
    ax.set_ylabel("output f(z)")
    ax.legend(loc="upper left", fontsize=18, frameon=False, handlelength=2.5)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    style.save(fig, path)


def _node(ax, xy: tuple[float, float], text: str, colour: str) -> None:
    ax.add_patch(Circle(xy, 0.42, facecolor="white", edgecolor=colour, linewidth=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=24, fontweight="bold", color=style.INK)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    style.arrow(ax, start, end)


def backprop_graph(path: Path) -> None:
    """f = (x + y) · z with its forward values written on the edges (no gradients shown)."""
    fig = style.figure()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.25)
    ax.axis("off")
    inputs = {"x": ((1.0, 4.8), "x = 3"), "y": ((1.0, 3.0), "y = 1"), "z": ((1.0, 1.2), "z = −2")}
    plus, times = (4.6, 3.9), (7.6, 2.6)
    for (x0, y0), label in inputs.values():
        ax.text(
            x0,
            y0,
            label,
            ha="center",
            va="center",
            fontsize=20,
            color=style.INK,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": style.BLUE, "linewidth": 2.5},
        )
    _arrow(ax, (1.85, 4.75), (4.2, 4.05))
    _arrow(ax, (1.85, 3.05), (4.2, 3.75))
    _arrow(ax, (1.95, 1.25), (7.2, 2.45))
    _arrow(ax, (5.02, 3.75), (7.2, 2.78))
    _node(ax, plus, "+", style.ORANGE)
    _node(ax, times, "×", style.ORANGE)
    ax.text(6.2, 3.65, "q = 4", fontsize=19, color=style.INK, ha="center")
    _arrow(ax, (8.02, 2.6), (9.4, 2.6))
    ax.text(8.75, 2.95, "f = −8", fontsize=19, color=style.INK, ha="center")
    ax.text(5.0, 5.85, "Forward values of f = (x + y) · z", fontsize=19, ha="center", color=style.INK)
    style.save(fig, path)


DIAGRAMS = {
    "activation-curves.png": activation_curves,
    "backprop-graph.png": backprop_graph,
}
