"""Benchmark: the daily digest dispatch of 10,000 due learners through the local Discord.

The local Discord runs in its own process with Discord's global limit of 50 requests/s
(and per-channel limits); the bot sends through its shared limiter (default 45/s). Every
learner has an enrolled topic (so a digest is due) and a stored DM channel id (as after
the welcome DM). Targets (DESIGN.md): ≥ 45 DMs/s sustained, 1.0 request per DM, zero
429s, zero duplicates, event-loop lag p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.interactions import lag_monitor, pct
from bench.remote import bot_settings, remote_discord
from bot.db.models import Card, Learner, TopicProgress
from bot.db.queries import new_card
from bot.endpoint import reset_endpoints
from bot.runner import build_services, start_bot, stop_bot


async def seed(services: object, learner_ids: list[int], channels: dict[int, int]) -> None:
    svc = services
    now = svc.clock.now()  # type: ignore[attr-defined]
    content = svc.content  # type: ignore[attr-defined]
    questions = [q.id for q in content.topic_questions("linear-algebra")]
    due = now - timedelta(minutes=1)
    for i in range(0, len(learner_ids), 1000):
        chunk = learner_ids[i : i + 1000]
        async with svc.unit() as s:  # type: ignore[attr-defined]
            await s.execute(
                insert(Learner),
                [
                    {
                        "id": uid,
                        "created_at": now,
                        "digest_minute": (due.hour * 60 + due.minute),
                        "digest_enabled": True,
                        "dm_channel_id": channels[uid],
                        "dm_status": "open",
                        "next_digest_at": due,
                    }
                    for uid in chunk
                ],
            )
            await s.execute(
                insert(TopicProgress),
                [
                    {
                        "learner_id": uid,
                        "topic_id": "linear-algebra",
                        "status": "learning",
                        "enrolled": True,
                        "updated_at": now,
                    }
                    for uid in chunk
                ],
            )
            await s.execute(insert(Card), [new_card(uid, q, "linear-algebra", now) for uid in chunk for q in questions])


async def run(n: int, rate: float) -> dict[str, float]:
    async with remote_discord(rate=50) as rd:
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(
                rd,
                f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}",
                rate_limit_per_second=rate,
                dispatch_interval_seconds=0,
            )
            services = await build_services(settings)
            bot, task = await start_bot(services, rd.token, guild_ready_timeout=0.05)
            try:
                users = await rd.users(n)
                channels = await rd.dm_channels(users)
                t = time.perf_counter()
                await seed(services, users, channels)
                seeded = time.perf_counter() - t
                await rd.reset_counters()
                samples: list[float] = []
                stop = asyncio.Event()
                monitor = asyncio.create_task(lag_monitor(samples, stop))
                t0 = time.perf_counter()
                handled = await bot.scheduler.tick()
                wall = time.perf_counter() - t0
                stop.set()
                await monitor
                stats = await rd.stats()
            finally:
                await stop_bot(bot, task)
                await services.engine.dispose()
                reset_endpoints()
    dms = stats["dm_messages"]
    span = (stats["last_dm_at"] - stats["first_dm_at"]) if dms > 1 else wall
    msg_requests = sum(v for k, v in stats["requests_by_route"].items() if k.startswith("POST /api/v10/channels"))
    lag_ms = [x * 1000 for x in samples] or [0.0]
    return {
        "bench": "dm_dispatch",
        "learners": n,
        "handled": handled,
        "dms": dms,
        "dms_per_second": round(dms / span, 2) if span else 0.0,
        "requests_per_dm": round(stats["requests"] / dms, 3) if dms else 0.0,
        "message_requests_per_dm": round(msg_requests / dms, 3) if dms else 0.0,
        "count_429": stats["count_429"],
        "duplicates": stats["dm_users_with_duplicates"],
        "missing": n - stats["dm_users_with_messages"],
        "loop_lag_p99_ms": round(pct(lag_ms, 99), 2),
        "loop_lag_max_ms": round(max(lag_ms), 2),
        "wall_s": round(wall, 1),
        "seed_s": round(seeded, 1),
        "limiter_rate": rate,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=45.0, help="the bot's send limit (requests/s)")
    a = ap.parse_args()
    r = asyncio.run(run(a.learners, a.rate))
    print(
        f"{r['dms']} digests to {r['learners']} due learners in {r['wall_s']} s "
        f"(limiter {r['limiter_rate']}/s, server limit 50/s)"
    )
    print(f"throughput: {r['dms_per_second']} DMs/s sustained (target ≥ 45)")
    print(
        f"requests per DM: {r['requests_per_dm']} (target 1.0) · 429s: {r['count_429']} · "
        f"duplicates: {r['duplicates']} · missing: {r['missing']}"
    )
    print(f"bot event-loop lag: p99 {r['loop_lag_p99_ms']} ms, max {r['loop_lag_max_ms']} ms (target p99 ≤ 50 ms)")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
