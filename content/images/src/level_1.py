"""Level 1 (Classical ML) diagrams: clustering, trees, SVM margins, ROC curves and model complexity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import style
from matplotlib.axes import Axes


def _clean(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def dendrogram(path: Path) -> None:
    """Eight leaves A–H; merges at fixed heights, no cut line (the question asks where to cut)."""
    fig = style.figure()
    ax = fig.add_subplot()
    xs = {name: float(i) for i, name in enumerate("ABCDEFGH")}
    # (left, right, height, new name): each new node sits midway between its children.
    merges = [
        ("G", "H", 0.6, "GH"),
        ("A", "B", 0.8, "AB"),
        ("E", "F", 1.0, "EF"),
        ("C", "D", 1.2, "CD"),
        ("AB", "CD", 2.0, "ABCD"),
        ("EF", "GH", 4.5, "EFGH"),
        ("ABCD", "EFGH", 7.0, "ALL"),
    ]
    heights = dict.fromkeys(xs, 0.0)
    for left, right, h, name in merges:
        for child in (left, right):
            ax.plot([xs[child], xs[child]], [heights[child], h], color=style.BLUE)
        ax.plot([xs[left], xs[right]], [h, h], color=style.BLUE)
        xs[name] = (xs[left] + xs[right]) / 2
        heights[name] = h
    ax.set_xticks(range(8), list("ABCDEFGH"))
    ax.set_yticks(range(0, 9))
    ax.set_ylim(0, 8)
    ax.set_xlim(-0.6, 7.6)
    ax.set_ylabel("merge distance (height)")
    ax.set_title("Agglomerative clustering dendrogram")
    ax.grid(axis="y", color=style.MUTED, alpha=0.3)
    _clean(ax)
    fig.tight_layout()
    style.save(fig, path)


def _box(ax: Axes, x: float, y: float, text: str, leaf: bool = False) -> None:
    colour = style.GREEN if leaf else style.BLUE
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=17,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": colour, "linewidth": 2.5},
    )


def _edge(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-", "color": style.INK, "lw": 2})
    mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    ax.text(mx, my, label, ha="center", va="center", fontsize=14, color=style.MUTED, backgroundcolor=style.BACKGROUND)


def decision_tree(path: Path) -> None:
    """A depth-3 classification tree on features x₁ and x₂; 'yes' is always the left branch."""
    fig = style.figure()
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    nodes = {
        "root": (5.0, 9.0),
        "l": (2.3, 6.2),
        "r": (7.5, 6.2),
        "ll": (1.0, 3.4),
        "lr": (3.6, 3.4),
        "rl": (6.0, 3.4),
        "rr": (9.0, 3.4),
        "rll": (4.6, 0.8),
        "rlr": (7.4, 0.8),
    }
    edges = [
        ("root", "l", "yes"),
        ("root", "r", "no"),
        ("l", "ll", "yes"),
        ("l", "lr", "no"),
        ("r", "rl", "yes"),
        ("r", "rr", "no"),
        ("rl", "rll", "yes"),
        ("rl", "rlr", "no"),
    ]
    for a, b, label in edges:
        _edge(ax, nodes[a], nodes[b], label)
    _box(ax, *nodes["root"], "x₁ ≤ 3 ?")
    _box(ax, *nodes["l"], "x₂ ≤ 2 ?")
    _box(ax, *nodes["r"], "x₂ ≤ 5 ?")
    _box(ax, *nodes["ll"], "class A", leaf=True)
    _box(ax, *nodes["lr"], "class B", leaf=True)
    _box(ax, *nodes["rl"], "x₁ ≤ 6 ?")
    _box(ax, *nodes["rr"], "class B", leaf=True)
    _box(ax, *nodes["rll"], "class C", leaf=True)
    _box(ax, *nodes["rlr"], "class A", leaf=True)
    fig.tight_layout()
    style.save(fig, path)


def kmeans_step(path: Path) -> None:
    """Seven points coloured by their nearest starting centroid (×): one assignment step of k-means."""
    fig = style.figure()
    ax = fig.add_subplot()
    blue = np.array([[1, 1], [2, 1], [3, 4]])
    orange = np.array([[6, 5], [7, 7], [8, 6], [7, 0]])
    ax.scatter(blue[:, 0], blue[:, 1], s=170, color=style.BLUE, label="assigned to blue ×", zorder=3)
    ax.scatter(
        orange[:, 0], orange[:, 1], s=170, color=style.ORANGE, marker="s", label="assigned to orange ×", zorder=3
    )
    ax.scatter([1], [4], s=420, marker="X", color=style.BLUE, edgecolor=style.INK, linewidth=1.5, zorder=4)
    ax.scatter([6], [2], s=420, marker="X", color=style.ORANGE, edgecolor=style.INK, linewidth=1.5, zorder=4)
    ax.set_xticks(range(0, 10))
    ax.set_yticks(range(0, 9))
    ax.set_xlim(-0.5, 9.5)
    ax.set_ylim(-0.7, 8.5)
    ax.set_aspect("equal")
    ax.grid(color=style.MUTED, alpha=0.3)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="upper left", fontsize=13, framealpha=0.9)
    _clean(ax)
    fig.tight_layout()
    style.save(fig, path)


def svm_margin(path: Path) -> None:
    """A hard-margin linear SVM: boundary x₁ + x₂ = 6 with margins at 4 and 8; points labelled A–H."""
    fig = style.figure()
    ax = fig.add_subplot()
    circles = {"A": (0.5, 1.0), "B": (1.0, 3.0), "C": (2.0, 2.0), "D": (0.5, 2.5)}
    squares = {"E": (3.5, 4.5), "F": (5.0, 4.5), "G": (3.0, 6.5), "H": (6.0, 6.0)}
    line = np.linspace(-1, 9, 2)
    ax.plot(line, 6 - line, color=style.INK, label="decision boundary")
    ax.plot(line, 4 - line, color=style.MUTED, linestyle="--", linewidth=2, label="margin")
    ax.plot(line, 8 - line, color=style.MUTED, linestyle="--", linewidth=2)
    for name, (x, y) in circles.items():
        ax.scatter([x], [y], s=190, color=style.BLUE, zorder=3)
        ax.text(x - 0.22, y + 0.22, name, fontsize=16, ha="right", va="bottom")
    for name, (x, y) in squares.items():
        ax.scatter([x], [y], s=190, color=style.ORANGE, marker="s", zorder=3)
        ax.text(x + 0.22, y + 0.22, name, fontsize=16, ha="left", va="bottom")
    ax.set_xlim(-0.2, 7.2)
    ax.set_ylim(-0.2, 7.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="lower right", fontsize=13, framealpha=0.9)
    _clean(ax)
    fig.tight_layout()
    style.save(fig, path)


def roc_two(path: Path) -> None:
    """ROC curves of two classifiers: A has AUC 0.90, B has AUC 0.75; no AUC values printed."""
    fig = style.figure()
    ax = fig.add_subplot()
    fpr = np.linspace(0, 1, 201)
    ax.plot(fpr, 1 - (1 - fpr) ** 9, color=style.BLUE, label="classifier A")
    ax.plot(fpr, 1 - (1 - fpr) ** 3, color=style.ORANGE, linestyle="-.", label="classifier B")
    ax.plot([0, 1], [0, 1], color=style.MUTED, linestyle=":", linewidth=2, label="random guessing")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right", fontsize=13, framealpha=0.9)
    ax.grid(color=style.MUTED, alpha=0.3)
    _clean(ax)
    fig.tight_layout()
    style.save(fig, path)


def complexity_curve(path: Path) -> None:
    """Training and validation error against model complexity, with three marked complexities P, Q, R."""
    fig = style.figure()
    ax = fig.add_subplot()
    c = np.linspace(1, 10, 200)
    train = 0.05 + 0.45 * np.exp(-0.45 * (c - 1))
    valid = 0.17 + 0.012 * (c - 4.5) ** 2 + 0.3 * np.exp(-0.9 * (c - 1))
    ax.plot(c, train, color=style.BLUE, label="training error")
    ax.plot(c, valid, color=style.ORANGE, linestyle="--", label="validation error")
    for name, x in (("P", 1.6), ("Q", 4.8), ("R", 9.2)):
        ax.axvline(x, color=style.MUTED, linestyle=":", linewidth=2)
        ax.text(x, 0.66, name, ha="center", va="bottom", fontsize=19, fontweight="bold")
    ax.set_xlim(1, 10)
    ax.set_ylim(0, 0.75)
    ax.set_xlabel("model complexity →")
    ax.set_ylabel("error")
    ax.set_xticks([])
    ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9), fontsize=13, framealpha=0.9)
    _clean(ax)
    fig.tight_layout()
    style.save(fig, path)


DIAGRAMS = {
    "hierarchical-clustering-dendrogram.png": dendrogram,
    "decision-trees-small-tree.png": decision_tree,
    "k-means-one-step.png": kmeans_step,
    "svm-margin-support-vectors.png": svm_margin,
    "roc-two-classifiers.png": roc_two,
    "model-complexity-train-validation.png": complexity_curve,
}
