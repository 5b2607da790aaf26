"""Draw every question diagram into content/images/.

    python content/images/src/draw_all.py            # (re)draw all diagrams
    python content/images/src/draw_all.py --check    # fail if a committed PNG differs from a fresh drawing

Each ``level_*.py`` module next to this file defines ``DIAGRAMS``: a mapping from PNG file name to a
function that draws it (``def draw(path: Path) -> None``). Drawings use fixed data and seeds only.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from style import IMAGES  # noqa: E402


def diagrams() -> dict[str, Callable[[Path], None]]:
    found: dict[str, Callable[[Path], None]] = {}
    for module_path in sorted(HERE.glob("level_*.py")):
        module = importlib.import_module(module_path.stem)
        for name, draw in module.DIAGRAMS.items():
            if name in found:
                raise SystemExit(f"{module_path.name}: {name} is drawn twice")
            found[name] = draw
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare fresh drawings with the committed PNGs")
    args = ap.parse_args()
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, draw in diagrams().items():
            target = IMAGES / name
            out = Path(tmp) / name if args.check else target
            draw(out)
            if args.check and (not target.exists() or target.read_bytes() != out.read_bytes()):
                stale.append(name)
    if stale:
        print("out of date (run draw_all.py):", ", ".join(stale))  # noqa: T201 - a command-line tool
        return 1
    print("diagrams up to date" if args.check else "diagrams drawn")  # noqa: T201 - a command-line tool
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
