"""Level 5 diagrams: Transformers and attention."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import style

TOKENS = ["the", "cat", "sat", "because", "it", "was", "tired"]

# Rows are queries, columns are keys; every row sums to 1. Row "it" peaks on "cat";
# row "cat" puts little weight on "it", so the matrix is clearly not symmetric.
WEIGHTS = np.array(
    [
        [0.40, 0.25, 0.10, 0.05, 0.05, 0.05, 0.10],
        [0.15, 0.35, 0.30, 0.05, 0.05, 0.05, 0.05],
        [0.05, 0.45, 0.25, 0.05, 0.05, 0.05, 0.10],
        [0.05, 0.10, 0.30, 0.25, 0.10, 0.10, 0.10],
        [0.05, 0.60, 0.05, 0.05, 0.10, 0.05, 0.10],
        [0.05, 0.10, 0.05, 0.05, 0.30, 0.20, 0.25],
        [0.05, 0.30, 0.05, 0.05, 0.20, 0.15, 0.20],
    ]
)


def draw_heatmap(path: Path) -> None:
    fig = style.figure((8.0, 6.4))
    ax = fig.add_axes((0.2, 0.08, 0.62, 0.72))
    image = ax.imshow(WEIGHTS, cmap="Blues", vmin=0.0, vmax=0.65)
    ax.set_xticks(range(len(TOKENS)), TOKENS, rotation=45, ha="left")
    ax.set_yticks(range(len(TOKENS)), TOKENS)
    ax.xaxis.tick_top()
    ax.set_xlabel("keys (attended to)")
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("queries (attending)")
    for i in range(len(TOKENS)):
        for j in range(len(TOKENS)):
            value = WEIGHTS[i, j]
            colour = "white" if value > 0.4 else style.INK
            ax.text(j, i, f"{value:.2f}".lstrip("0"), ha="center", va="center", fontsize=15, color=colour)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.03)
    bar.ax.tick_params(labelsize=12)
    style.save(fig, path)


def _box(ax, x: float, y: float, text: str, colour: str, width: float = 1.7) -> None:
    style.box(ax, (x, y), (width, 0.6), text, face=colour)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    style.arrow(ax, start, end, head=20, width=2)


def draw_dataflow(path: Path) -> None:
    fig = style.figure((8.0, 5.6))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 7)
    ax.axis("off")
    _box(ax, 1.5, 6.2, "Q", style.SKY, 1.0)
    _box(ax, 3.5, 6.2, "K", style.SKY, 1.0)
    _box(ax, 7.5, 6.2, "V", style.SKY, 1.0)
    _box(ax, 2.5, 4.8, "MatMul  QKᵀ", "white", 2.6)
    _box(ax, 2.5, 3.5, "?", style.ORANGE, 2.6)
    _box(ax, 2.5, 2.2, "mask (optional)", "white", 2.6)
    _box(ax, 2.5, 0.9, "softmax (rows)", "white", 2.6)
    _box(ax, 7.5, 2.2, "MatMul", "white", 2.0)
    _box(ax, 7.5, 0.9, "output", style.GREEN, 2.0)
    _arrow(ax, (1.5, 5.85), (2.1, 5.15))
    _arrow(ax, (3.5, 5.85), (2.9, 5.15))
    _arrow(ax, (2.5, 4.45), (2.5, 3.85))
    _arrow(ax, (2.5, 3.15), (2.5, 2.55))
    _arrow(ax, (2.5, 1.85), (2.5, 1.25))
    _arrow(ax, (3.85, 0.9), (6.4, 2.0))
    _arrow(ax, (7.5, 5.85), (7.5, 2.55))
    _arrow(ax, (7.5, 1.85), (7.5, 1.25))
    ax.text(5.0, 1.0, "weights", fontsize=14, color=style.MUTED, rotation=25)
    style.save(fig, path)


DIAGRAMS = {
    "self-attention-heatmap.png": draw_heatmap,
    "scaled-dot-product-dataflow.png": draw_dataflow,
}
