"""Benchmark: the claim batch a dispatch tick runs, on many learners.

SQLite with 100,000 learners, and PostgreSQL with 1,000,000 when a URL is given
(``--pg-url`` or TEST_DATABASE_URL). Digest times are spread over the day. The headline
times the whole claim step as the tick runs it (``Dispatcher._claim_batch``: stale-lease
takeover, due digests with their bulk UPDATE and ledger INSERT … RETURNING, snoozes,
channel posts, committed), at moments through the day far enough apart that each batch
claims the full 200. The due SELECT alone (rolled back) is reported beside it.
Targets (DESIGN.md): claim batch p99 ≤ 50 ms at 100k (SQLite), ≤ 60 ms at 1M (PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import Run, fresh_pg
from bench.interactions import pct
from bot.db.migrate import upgrade
from bot.db.models import Delivery
from bot.db.session import Database, create_engine, session_factory
from scheduler.claims import due_learners
from scheduler.dispatch import Dispatcher
from scheduler.ledger import BATCH

T0 = datetime(2026, 6, 1, tzinfo=UTC)


async def fill(engine: AsyncEngine, n: int) -> None:
    """``n`` learners whose digest minutes are spread over the day, each next due at its own
    minute of the first day (so a claim moves it to the next day, as in production)."""
    rng = random.Random(1)
    minutes = [rng.randrange(1440) for _ in range(n)]
    if engine.dialect.name == "postgresql":
        raw = await engine.raw_connection()
        try:
            conn = raw.driver_connection  # asyncpg
            rows = [
                (
                    i + 1,
                    T0,
                    "UTC",
                    minutes[i],
                    True,
                    5,
                    4,
                    0.9,
                    10,
                    100,
                    "open",
                    False,
                    False,
                    T0 + timedelta(minutes=minutes[i]),
                    "[]",
                )
                for i in range(n)
            ]
            await conn.copy_records_to_table(  # type: ignore[union-attr]
                "learners",
                records=rows,
                columns=[
                    "id",
                    "created_at",
                    "timezone",
                    "digest_minute",
                    "digest_enabled",
                    "digest_size",
                    "day_cutoff_hour",
                    "desired_retention",
                    "new_per_day",
                    "reviews_per_day",
                    "dm_status",
                    "paused",
                    "leaderboard_opt_out",
                    "next_digest_at",
                    "vacations",
                ],
            )
            await conn.execute("ANALYZE learners")  # type: ignore[union-attr]
        finally:
            raw.close()
        return
    from sqlalchemy import insert

    from bot.db.models import Learner

    sessions = session_factory(engine)
    for i in range(0, n, 5000):
        async with sessions() as s, s.begin():
            await s.execute(
                insert(Learner),
                [
                    {
                        "id": j + 1,
                        "created_at": T0,
                        "digest_minute": minutes[j],
                        "digest_enabled": True,
                        "next_digest_at": T0 + timedelta(minutes=minutes[j]),
                    }
                    for j in range(i, min(n, i + 5000))
                ],
            )


async def measure(engine: AsyncEngine, runs: int) -> list[float]:
    sessions = session_factory(engine)
    rng = random.Random(2)
    times = []
    for _ in range(runs):
        now = T0 + timedelta(seconds=rng.randrange(86400))
        async with sessions() as s:
            t = time.perf_counter()
            async with s.begin():
                rows = list(await s.scalars(due_learners(now, BATCH, engine.dialect.name)))
                await s.rollback()
            times.append((time.perf_counter() - t) * 1000)
            assert len(rows) <= BATCH
    return times


async def measure_claims(engine: AsyncEngine, n: int, runs: int) -> tuple[list[float], int]:
    """Time ``runs`` claim batches, at moments through the day spaced so that about 250
    learners fell due since the previous one; returns the times and the smallest batch."""
    db = Database(engine)
    spacing = timedelta(seconds=86400 * 250 / n)
    moment = T0 + timedelta(minutes=10)

    def clock() -> datetime:
        return moment

    async def nothing(_claim: object) -> None:
        raise AssertionError("nothing is sent here")

    dispatcher = Dispatcher(db.unit, clock, nothing, process_id="bench", grace=timedelta(hours=6))  # type: ignore[arg-type]
    times, smallest = [], BATCH
    for _ in range(runs):
        moment += spacing
        t = time.perf_counter()
        claims = await dispatcher._claim_batch()
        times.append((time.perf_counter() - t) * 1000)
        smallest = min(smallest, len(claims))
        async with db.unit() as session:  # not timed: the sends' outcomes, so no lease goes stale
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_([c.delivery_id for c in claims]))
                .values(status="sent", lease_until=None)
            )
    return times, smallest


async def one(url: str, n: int, runs: int, bench: Run) -> dict[str, float]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        t = time.perf_counter()
        await fill(engine, n)
        filled = time.perf_counter() - t
        await measure(engine, 50)  # warm-up
        select_times = await measure(engine, runs)
        with bench.timed():
            claim_times, smallest = await measure_claims(engine, n, min(runs, 300))
    finally:
        await engine.dispose()
    return {
        "learners": n,
        "claim_p50_ms": round(pct(claim_times, 50), 3),
        "claim_p99_ms": round(pct(claim_times, 99), 3),
        "claim_max_ms": round(max(claim_times), 3),
        "claim_batches": len(claim_times),
        "smallest_batch": smallest,
        "select_p50_ms": round(pct(select_times, 50), 3),
        "select_p99_ms": round(pct(select_times, 99), 3),
        "fill_s": round(filled, 1),
    }


def _say(name: str, r: dict[str, float], target: int) -> None:
    print(
        f"{name}, {r['learners']:,} learners: claim batch of 200 p50 {r['claim_p50_ms']} ms, "
        f"p99 {r['claim_p99_ms']} ms, max {r['claim_max_ms']} ms over {r['claim_batches']} batches "
        f"(smallest {r['smallest_batch']}; target p99 ≤ {target} ms); "
        f"the due SELECT alone p50 {r['select_p50_ms']} ms, p99 {r['select_p99_ms']} ms"
    )


async def main_async(sqlite_n: int, pg_n: int, runs: int, pg_url: str | None) -> dict[str, object]:
    out: dict[str, object] = {"bench": "due_query"}
    bench = Run("bench-due")
    with tempfile.TemporaryDirectory() as tmp:
        r = await one(f"sqlite+aiosqlite:///{Path(tmp) / 'due.sqlite3'}", sqlite_n, runs, bench)
        out["sqlite"] = r
        _say("SQLite", r, 50)
    if pg_url:
        url, (admin, name) = await fresh_pg(pg_url)
        try:
            r = await one(url, pg_n, runs, bench)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
            await admin.close()  # type: ignore[attr-defined]
        out["postgresql"] = r
        _say("PostgreSQL", r, 60)
    else:
        print("PostgreSQL: skipped (set --pg-url or TEST_DATABASE_URL)")
    print(bench.line() + " (the claim batches)")
    out.update(bench.fields())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sqlite-learners", type=int, default=100_000)
    ap.add_argument("--pg-learners", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"))
    a = ap.parse_args()
    print(json.dumps(asyncio.run(main_async(a.sqlite_learners, a.pg_learners, a.runs, a.pg_url))))


if __name__ == "__main__":
    main()
