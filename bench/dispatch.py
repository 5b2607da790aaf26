"""Benchmark: the daily digest dispatch of 10,000 due learners through the local Discord.

The local Discord runs in its own process with Discord's global limit of 50 requests/s
(and per-channel limits); the bot sends through its shared limiter (48/s). Every learner
has an enrolled topic (so a digest is due) and a stored DM channel id (as after the
welcome DM). By default the other core is kept busy by a spinning process, and the bot's
event loop is stalled once for 300 ms mid-dispatch. ``--unlimited`` lifts both rate
limits (headroom); ``--pg`` runs on PostgreSQL (TEST_DATABASE_URL).
Targets (DESIGN.md): ≥ 47 DMs/s sustained, 1.0 request per DM, zero 429s (across the
stall), zero duplicates, zero missing; bot CPU ≤ 6 ms per digest; unlimited ≥ 150 DMs/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from datetime import timedelta

from sqlalchemy import insert

from bench.common import Run, busy_core, database, process_cpu
from bench.interactions import lag_monitor, pct
from bench.remote import bot_settings, remote_discord
from bot.db.models import Card, Learner, TopicProgress
from bot.db.queries import new_card
from bot.endpoint import reset_endpoints
from bot.runner import build_services, start_bot, stop_bot
from scheduler.ratelimit import RateLimiter

UNLIMITED = 100_000


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


async def stall_once(after: float, seconds: float) -> None:
    """Block the event loop once, as a long synchronous step would."""
    await asyncio.sleep(after)
    time.sleep(seconds)  # noqa: ASYNC251 - the stall is the point


async def run(n: int, rate: float, *, unlimited: bool, stall: float, pg: bool, bench: Run) -> dict[str, object]:
    async with remote_discord(rate=UNLIMITED if unlimited else 50) as rd, database(pg) as url:
        settings = bot_settings(rd, url, rate_limit_per_second=min(rate, 50), dispatch_interval_seconds=0)
        services = await build_services(settings)
        if unlimited:
            services.limiter = RateLimiter(UNLIMITED)
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
            # Mid-dispatch: half way through at the expected rate.
            stalled = asyncio.create_task(stall_once(n / (400 if unlimited else rate) / 2, stall))
            server_cpu = process_cpu(rd.pid)
            with bench.timed():
                handled = await bot.scheduler.tick()
            server_cpu = process_cpu(rd.pid) - server_cpu
            stalled.cancel()
            stop.set()
            await monitor
            stats = await rd.stats()
        finally:
            await stop_bot(bot, task)
            await services.engine.dispose()
            reset_endpoints()
    dms = stats["dm_messages"]
    span = (stats["last_dm_at"] - stats["first_dm_at"]) if dms > 1 else bench.wall_s
    msg_requests = sum(v for k, v in stats["requests_by_route"].items() if k.startswith("POST /api/v10/channels"))
    lag_ms = [x * 1000 for x in samples] or [0.0]
    return {
        "bench": "dm_dispatch",
        "database": "postgresql" if pg else "sqlite",
        "learners": n,
        "handled": handled,
        "dms": dms,
        "dms_per_second": round(dms / span, 2) if span else 0.0,
        "requests_per_dm": round(stats["requests"] / dms, 3) if dms else 0.0,
        "message_requests_per_dm": round(msg_requests / dms, 3) if dms else 0.0,
        "count_429": stats["count_429"],
        "duplicates": stats["dm_users_with_duplicates"],
        "missing": n - stats["dm_users_with_messages"],
        "bot_cpu_ms_per_dm": round(bench.cpu_s * 1000 / dms, 2) if dms else 0.0,
        "server_cpu_ms_per_request": round(server_cpu * 1000 / stats["requests"], 2) if stats["requests"] else 0.0,
        "loop_lag_p99_ms": round(pct(lag_ms, 99), 2),
        "loop_lag_max_ms": round(max(lag_ms), 2),
        "stall_ms": round(stall * 1000),
        "seed_s": round(seeded, 1),
        "limiter_rate": "unlimited" if unlimited else rate,
        **bench.fields(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=48.0, help="the bot's send limit (requests/s, at most 50)")
    ap.add_argument("--unlimited", action="store_true", help="lift the server's and the bot's rate limits")
    ap.add_argument("--idle-core", action="store_true", help="do not keep the other core busy")
    ap.add_argument("--stall-ms", type=float, default=300.0, help="one event-loop stall mid-dispatch (0: none)")
    ap.add_argument("--pg", action="store_true", help="PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    a = ap.parse_args()
    bench = Run("bench-dispatch")
    with contextlib.nullcontext() if a.idle_core else busy_core():
        r = asyncio.run(run(a.learners, a.rate, unlimited=a.unlimited, stall=a.stall_ms / 1000, pg=a.pg, bench=bench))
    print(
        f"{r['dms']} digests to {r['learners']} due learners in {r['wall_s']} s on {r['database']} "
        f"(limiter {r['limiter_rate']}/s, other core {'idle' if a.idle_core else 'busy'}, "
        f"one {r['stall_ms']} ms loop stall)"
    )
    print(f"throughput: {r['dms_per_second']} DMs/s sustained (target ≥ 47; unlimited ≥ 150)")
    print(
        f"requests per DM: {r['requests_per_dm']} (target 1.0) · 429s: {r['count_429']} · "
        f"duplicates: {r['duplicates']} · missing: {r['missing']}"
    )
    print(
        f"bot CPU per digest: {r['bot_cpu_ms_per_dm']} ms (target ≤ 6) · "
        f"local server CPU per request: {r['server_cpu_ms_per_request']} ms"
    )
    print(f"bot event-loop lag: p99 {r['loop_lag_p99_ms']} ms, max {r['loop_lag_max_ms']} ms")
    print(bench.line())
    print(json.dumps(r))


if __name__ == "__main__":
    main()
