"""Benchmark: resident memory of a running bot with all content and 100,000 learners.

The bot runs as its own process (`python -m bot run`) against the local Discord (another
process), on a SQLite database seeded with 100,000 learners (each with a digest time and an
enrolled topic's cards for the first 10,000). RSS is read once the bot is ready, and again
after a burst of interactions and a dispatch tick. Target (DESIGN.md): ≤ 120 MB RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from sqlalchemy import insert

from bench.remote import ROOT, remote_discord
from bot.content import load_content
from bot.db.migrate import upgrade
from bot.db.models import Card, Learner
from bot.db.queries import new_card
from bot.db.session import create_engine, session_factory


async def seed(url: str, n: int, with_cards: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    questions = [q.id for q in load_content(ROOT / "content").topic_questions("numpy")]
    for i in range(0, n, 5000):
        async with sessions() as s, s.begin():
            await s.execute(
                insert(Learner),
                [
                    {
                        "id": j + 1,
                        "created_at": now,
                        "digest_minute": j % 1440,
                        "digest_enabled": True,
                        "next_digest_at": now + timedelta(minutes=1 + j % 1440),
                    }
                    for j in range(i, min(n, i + 5000))
                ],
            )
    for i in range(0, with_cards, 2000):
        async with sessions() as s, s.begin():
            await s.execute(
                insert(Card),
                [new_card(j + 1, q, "numpy", now) for j in range(i, min(with_cards, i + 2000)) for q in questions],
            )
    await engine.dispose()


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


async def run(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'mem.sqlite3'}"
        t = time.perf_counter()
        await seed(url, n, min(n, 10_000))
        seeded = time.perf_counter() - t
        async with remote_discord() as rd:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
            env.update(
                DISCORD_TOKEN=rd.token,
                DISCORD_API_BASE=rd.info["api_base"],
                DISCORD_GATEWAY_URL=rd.info["gateway"],
                DATABASE_URL=url,
                HEALTH_PORT="0",
                LOG_LEVEL="WARNING",
                DISPATCH_INTERVAL_SECONDS="5",
            )
            proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is measured
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    info = await rd.call("GET", "/_control/info")
                    if info["connected"]:
                        break
                    await asyncio.sleep(0.2)
                await asyncio.sleep(3)
                ready = rss_mb(proc.pid)
                users = await rd.users(100)
                _, channel = await rd.guild(users)
                await rd.interact(
                    [{"user": u, "kind": "slash", "command": "roadmap", "channel": channel} for u in users]
                )
                await rd.interact(
                    [
                        {
                            "user": u,
                            "kind": "slash",
                            "command": "quiz",
                            "channel": channel,
                            "options": {"topic": "numpy", "count": 5},
                        }
                        for u in users
                    ]
                )
                await asyncio.sleep(6)  # at least one dispatch tick over the 100k learners
                busy = rss_mb(proc.pid)
            finally:
                proc.terminate()
                proc.wait(30)
    return {
        "bench": "memory",
        "learners": n,
        "rss_ready_mb": round(ready, 1),
        "rss_after_activity_mb": round(busy, 1),
        "target_mb": 120,
        "seed_s": round(seeded, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=100_000)
    a = ap.parse_args()
    r = asyncio.run(run(a.learners))
    print(
        f"bot RSS with all content and {r['learners']:,} learners: {r['rss_ready_mb']} MB when ready, "
        f"{r['rss_after_activity_mb']} MB after 200 interactions and a dispatch tick (target ≤ 120 MB)"
    )
    print(json.dumps(r))


if __name__ == "__main__":
    main()
