"""Level 7 diagrams: a GAN training step, a VAE with reparameterisation, a graph for GCN aggregation and
the diffusion forward/reverse chains."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import style
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch


def _axes(fig) -> Axes:  # type: ignore[no-untyped-def]
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.25)
    ax.axis("off")
    return ax


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str, size: int = 17) -> None:
    style.box(ax, (x, y), (w, h), text, face=colour, pad=0.08, fontsize=size, alpha=0.9)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], colour: str = style.INK) -> None:
    style.arrow(ax, start, end, colour=colour)


def draw_gan_training(path: Path) -> None:
    fig = style.figure()
    ax = _axes(fig)
    ax.text(5, 5.9, "One GAN training iteration", ha="center", fontsize=19, weight="bold")
    _box(ax, 1.1, 4.4, 1.7, 0.9, "real\nimages x", style.SKY, 15)
    _box(ax, 1.1, 1.6, 1.7, 0.9, "noise z", style.SKY, 15)
    _box(ax, 3.6, 1.6, 1.9, 1.0, "Generator\nG", style.ORANGE)
    _box(ax, 6.1, 3.0, 2.1, 1.1, "Discriminator\nD", style.GREEN)
    _box(ax, 8.9, 3.0, 1.6, 0.9, "D(·) ∈ (0, 1)", "#ffffff", 14)
    _arrow(ax, (2.0, 4.4), (5.0, 3.35), style.BLUE)
    _arrow(ax, (2.0, 1.6), (2.6, 1.6))
    _arrow(ax, (4.6, 1.6), (5.0, 2.65), style.RED)
    _arrow(ax, (7.2, 3.0), (8.05, 3.0))
    ax.text(3.4, 4.25, "path A", fontsize=17, color=style.BLUE, weight="bold")
    ax.text(4.75, 1.15, "path B: G(z)", fontsize=17, color=style.RED, weight="bold")
    style.save(fig, path)


def draw_vae(path: Path) -> None:
    fig = style.figure()
    ax = _axes(fig)
    ax.text(5, 5.9, "A VAE with the reparameterisation trick", ha="center", fontsize=19, weight="bold")
    _box(ax, 0.7, 3.0, 0.9, 0.8, "x", style.SKY)
    _box(ax, 2.3, 3.0, 1.6, 1.1, "Encoder", style.ORANGE)
    _box(ax, 4.2, 4.1, 0.8, 0.7, "μ", "#ffffff")
    _box(ax, 4.2, 1.9, 0.8, 0.7, "σ", "#ffffff")
    _box(ax, 6.1, 3.0, 1.7, 0.9, "z = μ + σ·ε", style.PURPLE, 16)
    _box(ax, 6.1, 0.9, 1.9, 0.7, "ε ~ N(0, I)", style.SKY, 15)
    _box(ax, 8.0, 3.0, 1.5, 1.1, "Decoder", style.GREEN)
    _box(ax, 9.4, 3.0, 0.7, 0.8, "x̂", style.SKY)
    _arrow(ax, (1.15, 3.0), (1.45, 3.0))
    _arrow(ax, (3.15, 3.3), (3.75, 4.0))
    _arrow(ax, (3.15, 2.7), (3.75, 2.0))
    _arrow(ax, (4.65, 4.0), (5.3, 3.3))
    _arrow(ax, (4.65, 2.0), (5.3, 2.7))
    _arrow(ax, (6.1, 1.3), (6.1, 2.5))
    _arrow(ax, (6.95, 3.0), (7.2, 3.0))
    _arrow(ax, (8.8, 3.0), (9.0, 3.0))
    ax.text(2.1, 0.9, "loss = reconstruction(x, x̂)\n+ KL(q(z|x) ‖ N(0, I))", ha="center", fontsize=14)
    style.save(fig, path)


#: Node positions and edges of the small graph for the GCN question.
GRAPH_NODES = {"A": (1.6, 3.0), "B": (3.6, 4.6), "C": (3.6, 1.4), "D": (5.6, 3.0), "E": (7.4, 4.4), "F": (9.0, 3.0)}
GRAPH_EDGES = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("D", "E"), ("E", "F")]


def draw_gcn_graph(path: Path) -> None:
    fig = style.figure()
    ax = _axes(fig)
    ax.text(5, 5.9, "An undirected graph (features on every node)", ha="center", fontsize=18, weight="bold")
    for a, b in GRAPH_EDGES:
        (x1, y1), (x2, y2) = GRAPH_NODES[a], GRAPH_NODES[b]
        ax.plot([x1, x2], [y1, y2], color=style.INK, linewidth=3, zorder=1)
    for name, (x, y) in GRAPH_NODES.items():
        colour = style.ORANGE if name == "A" else style.SKY
        ax.scatter([x], [y], s=2200, color=colour, edgecolors=style.INK, linewidths=2, zorder=2)
        ax.text(x, y, name, ha="center", va="center", fontsize=22, weight="bold", zorder=3)
    style.save(fig, path)


def draw_diffusion_chain(path: Path) -> None:
    fig = style.figure()
    ax = _axes(fig)
    ax.text(5, 5.9, "Five states of a diffusion model", ha="center", fontsize=19, weight="bold")
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[-1:1:48j, -1:1:48j]
    clean = np.where((xx**2 + yy**2 < 0.55) & (xx**2 + yy**2 > 0.2), 1.0, -1.0)
    clean[(np.abs(xx) < 0.12) & (np.abs(yy) < 0.7)] = 1.0
    noise = rng.standard_normal(clean.shape)
    alpha_bars = [1.0, 0.8, 0.45, 0.15, 0.0]
    labels = ["x₀", "x₁", "x₂", "x₃", "x_T"]
    xs = [1.0, 3.0, 5.0, 7.0, 9.0]
    for x, ab, label in zip(xs, alpha_bars, labels, strict=True):
        img = np.sqrt(ab) * clean + np.sqrt(1 - ab) * noise
        ax.imshow(img, cmap="gray", vmin=-2.2, vmax=2.2, extent=(x - 0.75, x + 0.75, 2.35, 3.85), zorder=2)
        ax.text(x, 1.95, label, ha="center", va="top", fontsize=19)
    for left, right in itertools.pairwise(xs):
        ax.add_patch(
            FancyArrowPatch(
                (left + 0.55, 4.05),
                (right - 0.55, 4.05),
                connectionstyle="arc3,rad=-0.45",
                arrowstyle="-|>",
                mutation_scale=22,
                linewidth=2.5,
                color=style.ORANGE,
            )
        )
        ax.add_patch(
            FancyArrowPatch(
                (right - 0.55, 1.45),
                (left + 0.55, 1.45),
                connectionstyle="arc3,rad=-0.45",
                arrowstyle="-|>",
                mutation_scale=22,
                linewidth=2.5,
                color=style.BLUE,
            )
        )
    ax.text(5, 5.05, "orange arrows", ha="center", fontsize=16, color=style.ORANGE, weight="bold")
    ax.text(5, 0.35, "blue arrows", ha="center", fontsize=16, color=style.BLUE, weight="bold")
    ax.set_aspect("auto")
    style.save(fig, path)


DIAGRAMS = {
    "gan-training-step.png": draw_gan_training,
    "vae-reparameterisation.png": draw_vae,
    "gcn-aggregation-graph.png": draw_gcn_graph,
    "diffusion-forward-reverse.png": draw_diffusion_chain,
}
