"""Level 6 diagrams: reinforcement learning."""

from __future__ import annotations

from pathlib import Path

import style
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyBboxPatch


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], colour: str, rad: float = 0.0) -> None:
    style.arrow(ax, start, end, colour=colour, connectionstyle=f"arc3,rad={rad}")


def _state(ax: Axes, x: float, y: float, name: str, note: str = "") -> None:
    ax.add_patch(Circle((x, y), 0.62, facecolor=style.SKY, edgecolor=style.INK, linewidth=2.5))
    ax.text(x, y, name, ha="center", va="center", fontsize=22)
    if note:
        ax.text(x, y - 0.95, note, ha="center", va="center", fontsize=17, color=style.INK)


def draw_mdp(path: Path) -> None:
    fig = style.figure((8.0, 5.4))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.75)
    ax.set_aspect("equal")
    ax.axis("off")
    _state(ax, 1.6, 3.4, "s₀")
    _state(ax, 8.3, 5.3, "s₁", "V(s₁) = 10")
    _state(ax, 8.3, 1.6, "s₂", "V(s₂) = 0")
    # Action node for "go": a small black dot from which the environment branches.
    ax.add_patch(Circle((4.6, 3.4), 0.16, facecolor=style.INK))
    ax.text(3.15, 3.75, "go", ha="center", fontsize=18, color=style.BLUE, weight="bold")
    _arrow(ax, (2.22, 3.4), (4.44, 3.4), style.BLUE)
    _arrow(ax, (4.72, 3.52), (7.7, 5.1), style.GREEN)
    _arrow(ax, (4.72, 3.28), (7.7, 1.8), style.RED)
    ax.text(5.7, 4.85, "p = 0.8, r = +2", fontsize=16, rotation=27, color=style.GREEN)
    ax.text(5.55, 2.05, "p = 0.2, r = −1", fontsize=16, rotation=-26, color=style.RED)
    # "stay": a self-loop on s0.
    _arrow(ax, (1.2, 3.95), (2.0, 3.95), style.ORANGE, rad=-1.9)
    ax.text(1.6, 5.55, "stay: p = 1, r = +1", ha="center", fontsize=16, color=style.ORANGE)
    ax.text(5.0, 0.25, "γ = 0.9", ha="center", fontsize=17, color=style.MUTED)
    style.save(fig, path)


# A 3 × 4 grid world: goal +1 at the top right, a pit −1 below it, a wall at (1, 1).
GRID_ROWS, GRID_COLS = 3, 4
GOAL, PIT, WALL = (0, 3), (1, 3), (1, 1)
# Learned Q-values (up, down, left, right) for the states the question asks about.
Q_TABLE = {
    (2, 0): (0.51, 0.43, 0.45, 0.41),
    (2, 1): (0.38, 0.40, 0.47, 0.44),
    (2, 2): (0.56, 0.42, 0.40, 0.36),
    (1, 0): (0.59, 0.44, 0.48, 0.47),
    (1, 2): (0.70, 0.46, 0.52, -0.62),
    (0, 0): (0.60, 0.52, 0.58, 0.67),
    (0, 1): (0.70, 0.68, 0.62, 0.78),
    (0, 2): (0.79, 0.64, 0.66, 0.90),
    (2, 3): (-0.55, 0.30, 0.41, 0.32),
}
ARROW_DELTAS = {0: (0.0, 0.3), 1: (0.0, -0.3), 2: (-0.3, 0.0), 3: (0.3, 0.0)}


def draw_gridworld(path: Path) -> None:
    fig = style.figure((8.0, 6.2))
    ax = fig.add_axes((0.03, 0.03, 0.94, 0.94))
    ax.set_xlim(-0.05, GRID_COLS + 0.05)
    ax.set_ylim(-0.05, GRID_ROWS + 0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    for row in range(GRID_ROWS):
        for col in range(GRID_COLS):
            x, y = col, GRID_ROWS - 1 - row
            colour = "white"
            if (row, col) == GOAL:
                colour = style.GREEN
            elif (row, col) == PIT:
                colour = style.RED
            elif (row, col) == WALL:
                colour = style.MUTED
            ax.add_patch(
                FancyBboxPatch(
                    (x, y), 1, 1, boxstyle="square,pad=0", facecolor=colour, edgecolor=style.INK, linewidth=2
                )
            )
            cx, cy = x + 0.5, y + 0.5
            if (row, col) == GOAL:
                ax.text(cx, cy, "+1", ha="center", va="center", fontsize=24, color="white", weight="bold")
            elif (row, col) == PIT:
                ax.text(cx, cy, "−1", ha="center", va="center", fontsize=24, color="white", weight="bold")
            elif (row, col) == (2, 2):
                ax.text(cx, cy, "s", ha="center", va="center", fontsize=30, color=style.ORANGE, weight="bold")
            elif (row, col) == (1, 2):
                up, down, left, right = Q_TABLE[(row, col)]
                ax.text(cx, cy + 0.32, f"{up:.2f}", ha="center", va="center", fontsize=17)
                ax.text(cx, cy - 0.32, f"{down:.2f}", ha="center", va="center", fontsize=17)
                ax.text(cx - 0.28, cy, f"{left:.2f}", ha="center", va="center", fontsize=17)
                ax.text(cx + 0.26, cy, f"{right:.2f}", ha="center", va="center", fontsize=17)
            elif (row, col) in Q_TABLE:
                values = Q_TABLE[(row, col)]
                best = max(range(4), key=lambda a: values[a])
                dx, dy = ARROW_DELTAS[best]
                _arrow(ax, (cx - dx, cy - dy), (cx + dx, cy + dy), style.BLUE)
    style.save(fig, path)


def _loop_box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str) -> None:
    style.box(ax, (x, y), (w, h), text, face=colour, width=2.5, pad=0.08, fontsize=22)


def draw_agent_loop(path: Path) -> None:
    fig = style.figure((8.0, 5.0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.25)
    ax.axis("off")
    _loop_box(ax, 5.0, 5.2, 3.2, 1.0, "Agent", style.SKY)
    _loop_box(ax, 5.0, 1.0, 3.6, 1.0, "Environment", style.ORANGE)
    # Action: from the agent's right side down to the environment.
    _arrow(ax, (6.7, 5.2), (8.6, 5.2), style.INK)
    ax.plot([8.6, 8.6], [5.2, 1.0], color=style.INK, linewidth=2.5)
    _arrow(ax, (8.6, 1.0), (6.9, 1.0), style.INK)
    ax.text(8.8, 3.1, "(A)", fontsize=20, va="center", color=style.BLUE, weight="bold")
    # Two signals back from the environment to the agent on the left.
    ax.plot([3.1, 1.0], [1.15, 1.15], color=style.INK, linewidth=2.5)
    ax.plot([1.0, 1.0], [1.15, 5.05], color=style.INK, linewidth=2.5)
    _arrow(ax, (1.0, 5.05), (3.3, 5.05), style.INK)
    ax.plot([3.1, 2.0], [0.85, 0.85], color=style.INK, linewidth=2.5)
    ax.plot([2.0, 2.0], [0.85, 4.75], color=style.INK, linewidth=2.5)
    _arrow(ax, (2.0, 4.75), (3.3, 4.75), style.INK)
    ax.text(0.45, 3.1, "(B)", fontsize=20, va="center", color=style.BLUE, weight="bold")
    ax.text(2.25, 3.1, "(C)", fontsize=20, va="center", color=style.BLUE, weight="bold")
    style.save(fig, path)


DIAGRAMS = {
    "mdp-graph.png": draw_mdp,
    "gridworld-q-greedy.png": draw_gridworld,
    "agent-environment-loop.png": draw_agent_loop,
}
