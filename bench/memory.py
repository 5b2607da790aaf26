"""Benchmark: resident memory of a running bot with all content and 100,000 learners.

The bot runs as its own process (`python -m bot run`) against the local Discord (another
process), on a SQLite database seeded with 100,000 learners (each with a digest time; the
first 10,000 with an enrolled topic's cards). 1,000 of them are local Discord users whose
digest is due: the bot's own dispatch sends them for real. RSS is read once the bot is
ready, and again after realistic activity: the 1,000-digest dispatch, 100 /quiz starts
and 100 answer clicks, 100 /roadmap, and 20 simultaneous /stats (charts). The chart
worker process is reported separately. Target (DESIGN.md): bot ≤ 120 MB RSS (worker ≤ 90 MB).
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

from bench.common import Run
from bench.remote import ROOT, remote_discord
from bot.content import load_content
from bot.db.migrate import upgrade
from bot.db.models import Card, Learner
from bot.db.queries import new_card
from bot.db.session import create_engine, session_factory


async def seed(url: str, n: int, with_cards: int, due: dict[int, int]) -> None:
    """``n`` learners, the first ``with_cards`` with cards; ``due`` (user id → DM channel)
    take the first ids' places, with their digest due now."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    questions = [q.id for q in load_content(ROOT / "content").topic_questions("numpy")]
    ids = [*due, *range(len(due) + 1, n + 1)]

    def learner(j: int) -> dict[str, object]:
        uid = ids[j]
        row: dict[str, object] = {
            "id": uid,
            "created_at": now,
            "digest_minute": j % 1440,
            "digest_enabled": True,
            "next_digest_at": now + timedelta(minutes=1 + j % 1440),
        }
        if uid in due:
            row.update(next_digest_at=now - timedelta(minutes=1), dm_channel_id=due[uid], dm_status="open")
        return row

    for i in range(0, n, 5000):
        async with sessions() as s, s.begin():
            await s.execute(insert(Learner), [learner(j) for j in range(i, min(n, i + 5000))])
    for i in range(0, with_cards, 2000):
        async with sessions() as s, s.begin():
            await s.execute(
                insert(Card),
                [new_card(ids[j], q, "numpy", now) for j in range(i, min(with_cards, i + 2000)) for q in questions],
            )
    await engine.dispose()


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def worker_rss_mb(bot: int) -> float:
    """The chart worker: the bot's child process that loaded matplotlib (0 if none runs)."""
    sizes = [child.memory_info().rss for child in psutil.Process(bot).children()]
    return max(sizes, default=0) / 2**20


async def activity(rd: object, digests: int) -> dict[str, float]:
    """The realistic activity; returns its figures."""
    from localdiscord.remote import RemoteDiscord

    assert isinstance(rd, RemoteDiscord)
    t0 = time.perf_counter()
    while (await rd.stats())["dm_messages"] < digests and time.perf_counter() - t0 < 300:  # noqa: ASYNC110
        await asyncio.sleep(1)  # the bot is another process: its progress is polled
    dispatch_s = time.perf_counter() - t0
    users = await rd.users(100)
    _, channel = await rd.guild(users)
    await rd.interact([{"user": u, "kind": "slash", "command": "roadmap", "channel": channel} for u in users])
    quiz = {"topic": "numpy", "count": 5}
    started = await rd.interact(
        [{"user": u, "kind": "slash", "command": "quiz", "channel": channel, "options": quiz} for u in users]
    )
    clicks = [
        {"user": u, "kind": "click", "channel": r["channel"], "message": r["message"], "custom_id": answers[0]}
        for u, r in zip(users, started["results"], strict=True)
        if (answers := [c for c in r["custom_ids"] if c.startswith("quiz:ans:")])
    ]
    await rd.interact(clicks)
    stats = [{"user": u, "kind": "slash", "command": "stats", "channel": channel} for u in users[:20]]
    shown = await rd.interact(stats)
    charts = sum(1 for r in shown["results"] if "📊 Your study stats" in r["titles"])
    sent = (await rd.stats())["dm_messages"]
    return {"dms": sent, "dispatch_s": dispatch_s, "answers": len(clicks), "charts": charts}


async def run(n: int, digests: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'mem.sqlite3'}"
        async with remote_discord() as rd:
            due = await rd.dm_channels(await rd.users(digests))
            t = time.perf_counter()
            await seed(url, n, min(n, 10_000), due)
            seeded = time.perf_counter() - t
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
                await asyncio.sleep(1)
                ready = rss_mb(proc.pid)
                done = await activity(rd, digests)
                await asyncio.sleep(1)
                busy = rss_mb(proc.pid)
                worker = worker_rss_mb(proc.pid)
            finally:
                proc.terminate()
                proc.wait(30)
    return {
        "bench": "memory",
        "learners": n,
        "rss_ready_mb": round(ready, 1),
        "rss_after_activity_mb": round(busy, 1),
        "chart_worker_rss_mb": round(worker, 1),
        "digests_sent": done["dms"],
        "dispatch_s": round(done["dispatch_s"], 1),
        "quiz_answers": done["answers"],
        "charts_shown": done["charts"],
        "target_mb": 120,
        "seed_s": round(seeded, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=100_000)
    ap.add_argument("--digests", type=int, default=1000)
    a = ap.parse_args()
    bench = Run("bench-memory")
    with bench.timed():
        r = asyncio.run(run(a.learners, a.digests))
    print(
        f"bot RSS with all content and {r['learners']:,} learners: {r['rss_ready_mb']} MB when ready, "
        f"{r['rss_after_activity_mb']} MB after {r['digests_sent']} digests sent ({r['dispatch_s']} s), "
        f"{r['quiz_answers']} quiz answers, 100 /roadmap and 20 simultaneous /stats ({r['charts_shown']} charts) "
        f"(target ≤ 120 MB); chart worker {r['chart_worker_rss_mb']} MB (target ≤ 90 MB)"
    )
    print(bench.line() + " (this process: seeding and driving; the bot is another process)")
    print(json.dumps({**r, **bench.fields()}))


if __name__ == "__main__":
    main()
