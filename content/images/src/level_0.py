"""Level 0 diagrams: gradient-descent paths on a loss contour, and a 2×2 matrix keeping an eigen-direction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import style


def _gd_path(start: tuple[float, float], rate: float, steps: int) -> np.ndarray:
    """Plain gradient descent on L(x, y) = x² + 10y² (an elongated bowl)."""
    point = np.array(start, dtype=float)
    path = [point.copy()]
    for _ in range(steps):
        grad = np.array([2 * point[0], 20 * point[1]])
        point = point - rate * grad
        path.append(point.copy())
    return np.array(path)


def gd_path_contours(path: Path) -> None:
    """Two runs from one start: A with a small rate, B with a rate that zig-zags across the valley."""
    fig = style.figure()
    ax = fig.add_subplot()
    xs = np.linspace(-5.5, 5.5, 300)
    ys = np.linspace(-2.2, 2.2, 300)
    grid_x, grid_y = np.meshgrid(xs, ys)
    loss = grid_x**2 + 10 * grid_y**2
    ax.contour(grid_x, grid_y, loss, levels=[1, 4, 9, 16, 25, 36], colors=style.MUTED, linewidths=1.5)
    start = (-5.0, 1.5)
    slow = _gd_path(start, 0.02, 8)
    zigzag = _gd_path(start, 0.09, 8)
    ax.plot(slow[:, 0], slow[:, 1], "-o", color=style.BLUE, markersize=7, label="run A")
    ax.plot(zigzag[:, 0], zigzag[:, 1], "-o", color=style.ORANGE, markersize=7, label="run B")
    ax.plot([0], [0], marker="*", color=style.INK, markersize=18)
    ax.annotate("minimum", (0, 0), (0.4, -0.9), fontsize=15)
    ax.annotate("start", start, (start[0] + 0.2, start[1] + 0.35), fontsize=15)
    ax.set_xlim(-5.8, 5.8)
    ax.set_ylim(-2.3, 2.3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("weight w₁")
    ax.set_ylabel("weight w₂")
    ax.set_title("Gradient descent, 8 steps each, on loss contours")
    ax.legend(loc="lower right", fontsize=15)
    fig.tight_layout()
    style.save(fig, path)


def eigenvector_mapping(path: Path) -> None:
    """A = [[2, 1], [1, 2]] applied to u = (1, 1) (kept on its line) and w = (1, 0) (turned)."""
    fig = style.figure()
    ax = fig.add_subplot()
    matrix = np.array([[2.0, 1.0], [1.0, 2.0]])
    vectors = {"u": (np.array([1.0, 1.0]), style.BLUE), "w": (np.array([1.0, 0.0]), style.ORANGE)}
    for name, (vec, colour) in vectors.items():
        image = matrix @ vec
        ax.annotate("", image, (0, 0), arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 5})
        ax.annotate(
            "", vec, (0, 0), arrowprops={"arrowstyle": "-|>", "color": style.INK, "lw": 2.5, "ls": "--"}, zorder=5
        )
        ax.text(vec[0] + 0.08, vec[1] - 0.3, name, color=colour, fontsize=20, fontweight="bold")
        ax.text(image[0] + 0.1, image[1] + 0.05, f"A{name}", color=colour, fontsize=20, fontweight="bold")
    ax.axhline(0, color=style.MUTED, lw=1)
    ax.axvline(0, color=style.MUTED, lw=1)
    ax.set_xlim(-0.5, 3.8)
    ax.set_ylim(-0.5, 3.6)
    ax.set_aspect("equal")
    ax.grid(color=style.MUTED, alpha=0.25)
    ax.set_title("Matrix A: dashed = vector, coloured = its image")
    fig.tight_layout()
    style.save(fig, path)


DIAGRAMS = {
    "opt-gd-path-contours.png": gd_path_contours,
    "la-eigenvector-mapping.png": eigenvector_mapping,
}
