"""SQLite under concurrency, through the local Discord: 500 study-channel posts, a
1,500-digest dispatch, 200 `/quiz` starts and answer clicks and 20 `/stats`, all at once.
0 errors, 0 lost, 0 duplicates, every review recorded (see bench/soak.py; `make soak`
repeats it)."""

from __future__ import annotations

from pathlib import Path

from bench.soak import sqlite_scenario


async def test_everything_at_once_on_sqlite(tmp_path: Path) -> None:
    result = await sqlite_scenario(tmp_path)
    assert result.passed, result.problems
    assert result.seconds < 60, f"the scenario took {result.seconds:.1f} s"
