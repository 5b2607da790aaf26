"""Fixture content for the new card types: a cloze, a numeric variant and a diagram, and a
tiny valid PNG."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


ROADMAP = """\
title: Cards roadmap
description: Fixture content for the new card types.
levels:
  - number: 0
    name: Basics
    description: The basics.
    sections:
      - topics:
          - id: sigmoid
            name: Sigmoid
            description: The logistic function.
          - id: derivatives
            name: Derivatives
            description: Rates of change.
          - id: convolution
            name: Convolution
            description: Kernels over grids.
resources:
  - id: book
    title: A book
    url: https://example.org/book
    type: book
    group: Books
    levels: [0]
"""

SIGMOID = """\
topic: sigmoid
questions:
  - id: sigmoid-formula
    type: cloze
    text: "The logistic sigmoid is σ(x) = {{c1::1 / (1 + e^(−x))}}, with outputs in (0, 1)."
    explanation: It squashes any real number into (0, 1).
    see: Goodfellow et al., Deep Learning, §6.2
"""

DERIVATIVES = """\
topic: derivatives
questions:
  - id: derivatives-power-rule
    type: multiple_choice
    variables:
      a: {min: 100, max: 999}
      b: {min: 10, max: 99}
    prompt: For f(x) = {a}x² + {b}x, what is f′(1)?
    options:
      - expr: 2*a + b
        correct: true
      - expr: a + b
      - expr: 2*a
      - expr: 2*a*b
    explanation: f′(x) = {= 2*a}x + {b}, so f′(1) = {= 2*a + b}.
    resource: book
"""

CONVOLUTION = """\
topic: convolution
questions:
  - id: convolution-output-size
    type: true_false
    image: conv-3x3.png
    prompt: A 3×3 kernel slid over a 5×5 grid without padding gives a 3×3 output.
    answer: true
    explanation: 5 − 3 + 1 = 3 positions per axis.
    resource: book
"""


def write_cards_content(folder: Path) -> Path:
    """A content folder with one cloze (topic sigmoid), one numeric variant (derivatives) and one
    question with a diagram (convolution)."""
    (folder / "questions" / "level-0").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "roadmap.yaml").write_text(ROADMAP)
    for name, text in {"sigmoid": SIGMOID, "derivatives": DERIVATIVES, "convolution": CONVOLUTION}.items():
        (folder / "questions" / "level-0" / f"{name}.yaml").write_text(text)
    (folder / "images" / "conv-3x3.png").write_bytes(png(40, 30))
    return folder
