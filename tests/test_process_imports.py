"""The long-lived bot process loads neither Alembic (migrations run in a short-lived
`python -m bot migrate`) nor matplotlib (charts are drawn in the chart worker)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

PROBE = """
import importlib, sys
import bot.runner, bot.client
for name in bot.client.EXTENSIONS:
    importlib.import_module(name)
print(sorted({m.split(".")[0] for m in sys.modules} & {"alembic", "matplotlib"}))
"""


def test_the_bot_process_imports_neither_alembic_nor_matplotlib() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
