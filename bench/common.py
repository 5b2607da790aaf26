"""What every benchmark prints beside its figures: the machine's load when it started, and
the CPU time it used beside the wall time, so a figure taken on a busy machine shows it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def load_average() -> float:
    """The 1-minute load average."""
    return round(os.getloadavg()[0], 2)


@dataclass
class Run:
    """A benchmark run: load at its start, and CPU against wall time of what it measures."""

    name: str
    load_at_start: float = field(default_factory=load_average)
    wall_s: float = 0.0
    cpu_s: float = 0.0

    def __post_init__(self) -> None:
        print(f"[{self.name}] load average (1 min) at start: {self.load_at_start} on {os.cpu_count()} cores")

    @contextlib.contextmanager
    def timed(self) -> Iterator[None]:
        """Add the wall and this process's CPU time of the block to the run."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall_s += time.perf_counter() - wall
            self.cpu_s += time.process_time() - cpu

    def fields(self) -> dict[str, float]:
        """For the JSON line."""
        return {
            "load_1min_at_start": self.load_at_start,
            "load_1min_at_end": load_average(),
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
        }

    def line(self) -> str:
        return f"[{self.name}] wall {self.wall_s:.2f} s, CPU {self.cpu_s:.2f} s, load at end {load_average()}"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


@contextlib.contextmanager
def busy_core() -> Iterator[int]:
    """Keep one core busy (a spinning process, as `stress -c 1` would) while the block runs."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


async def fresh_pg(base: str) -> tuple[str, object]:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"bench_{int(time.time())}"
    admin = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database, password=url.password
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), (admin, name)


@contextlib.asynccontextmanager
async def database(pg: bool) -> AsyncIterator[str]:
    """A fresh database URL: a SQLite file, or (``pg``) a new PostgreSQL database next to
    TEST_DATABASE_URL's, dropped afterwards."""
    if not pg:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    url, (admin, name) = await fresh_pg(os.environ["TEST_DATABASE_URL"])
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        await admin.close()  # type: ignore[attr-defined]
