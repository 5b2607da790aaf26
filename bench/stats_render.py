"""Benchmark: /stats for a learner with 10,000 reviews — the queries, and the PNG chart
drawn by the chart worker process (warm: started by a first call), as the bot does.
Target (DESIGN.md / issue 19): p50 ≤ 300 ms."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.common import Run, process_cpu
from bot.db import queries
from bot.db.migrate import upgrade
from bot.db.models import Card, ReviewLog
from bot.db.session import create_engine, session_factory
from bot.study import stats as st
from bot.ui.charts import ChartWorker

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


async def main_async(reviews: int, runs: int, bench: Run) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'stats.sqlite3'}")
        await upgrade(engine)
        sessions = session_factory(engine)
        rng = random.Random(5)
        async with sessions() as s, s.begin():
            await queries.ensure_learner(s, 1, NOW)
            await s.execute(
                insert(Card),
                [
                    {
                        "id": i + 1,
                        "learner_id": 1,
                        "question_id": f"q{i}",
                        "topic_id": "pca",
                        "state": 2,
                        "step": None,
                        "stability": 10.0,
                        "difficulty": 5.0,
                        "due": NOW + timedelta(days=rng.randrange(-3, 40)),
                        "last_review": NOW - timedelta(days=1),
                        "reps": 5,
                        "lapses": 0,
                        "suspended": False,
                        "created_at": NOW - timedelta(days=400),
                    }
                    for i in range(600)
                ],
            )
            await s.execute(
                insert(ReviewLog),
                [
                    {
                        "card_id": rng.randrange(1, 601),
                        "learner_id": 1,
                        "question_id": "q",
                        "rating": rng.choice((1, 3, 3, 3, 4)),
                        "correct": True,
                        "reviewed_at": NOW - timedelta(minutes=rng.randrange(365 * 24 * 60)),
                        "duration_ms": rng.randrange(2000, 40000),
                        "source": "quiz",
                        "state_before": 2,
                        "state_after": 2,
                        "due_before": NOW,
                        "due_after": NOW,
                    }
                    for _ in range(reviews)
                ],
            )
        compute, chart = [], []
        charts = ChartWorker()
        t = time.perf_counter()
        await charts.render(await _stats(sessions))  # starts the worker (it imports matplotlib)
        cold = (time.perf_counter() - t) * 1000
        assert charts.pid is not None
        worker_cpu = process_cpu(charts.pid)
        with bench.timed():
            for _ in range(runs):
                t = time.perf_counter()
                data = await _stats(sessions)
                t1 = time.perf_counter()
                png = await charts.render(data)
                t2 = time.perf_counter()
                compute.append((t1 - t) * 1000)
                chart.append((t2 - t1) * 1000)
        worker_cpu = process_cpu(charts.pid) - worker_cpu
        charts.close()
        await engine.dispose()
    total = [a + b for a, b in zip(compute, chart, strict=True)]
    return {
        "bench": "stats_render",
        "reviews": reviews,
        "compute_p50_ms": round(statistics.median(compute), 1),
        "chart_p50_ms": round(statistics.median(chart), 1),
        "total_p50_ms": round(statistics.median(total), 1),
        "total_max_ms": round(max(total), 1),
        "first_call_ms": round(cold, 1),
        "worker_cpu_ms_per_chart": round(worker_cpu * 1000 / runs, 1),
        "png_bytes": len(png),
        **bench.fields(),
    }


async def _stats(sessions: object) -> st.Stats:
    async with sessions() as s:  # type: ignore[operator]
        learner = await queries.ensure_learner(s, 1, NOW)
        return await st.compute(s, learner, NOW)


def main() -> None:
    bench = Run("bench-stats")
    r = asyncio.run(main_async(10_000, 20, bench))
    print(
        f"/stats for a learner with {r['reviews']:,} reviews: queries+figures {r['compute_p50_ms']} ms, "
        f"chart (worker, warm) {r['chart_p50_ms']} ms, total p50 {r['total_p50_ms']} ms (max {r['total_max_ms']} ms; "
        f"target p50 ≤ 300 ms), PNG {r['png_bytes'] // 1024} KiB; first call (worker start) {r['first_call_ms']} ms"
    )
    print(bench.line() + f" in the bot process; the worker used {r['worker_cpu_ms_per_chart']} ms CPU per chart")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
