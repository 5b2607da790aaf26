"""Benchmark: event-loop lag while FSRS parameters are fitted from 10,000 reviews.

``python -m bench.refit_lag`` (``make bench-refit``). A probe task sleeps 5 ms at a time on the
loop and records how late each wake-up is, while the loop awaits:

- ``process``: the refit's runner (``scheduler.refit.process_runner``: a spawned process,
  waited on from a thread), as the daily job uses it;
- ``thread``: the same fit in a worker thread of this process (for comparison);
- ``inline``: the fit called on the loop itself (what the job must not do);
- ``idle``: nothing for a second (what the machine's load alone adds);
- ``job``: the whole daily job (``Refitter.run``) on SQLite with 10,000 community reviews:
  reading the log, the fit in its process, storing the set and rescheduling every card (a
  poor community set is in use, so the new one is adopted).

Target: the loop's worst lag stays under 50 ms with ``process`` and ``job``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot.db.models import Learner, ParameterSet
from bot.runner import build_services
from bot.settings import Settings
from bot.study.parameters import FitLog, kinds_of
from scheduler import fitting
from scheduler.fitting import Review
from scheduler.refit import FitJob, Refitter, process_runner, run_fit
from tests.scheduler.refit_seed import add_history

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
TARGET_MS = 50.0
PROBE = 0.005


def synthetic_log(reviews: int, seed: int = 1) -> dict[int, list[Review]]:
    """Learners of 60 cards each, remembering by shifted FSRS parameters and scheduled by the
    defaults with each interval stretched at random, until ``reviews`` reviews are logged."""
    rng = random.Random(seed)
    truth = list(DEFAULT_PARAMETERS)
    truth[:4] = [value * 0.6 for value in truth[:4]]
    memory_model = Scheduler(parameters=truth, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    policy = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    logs: dict[int, list[Review]] = {}
    total, learner = 0, 0
    while total < reviews:
        learner += 1
        log: list[Review] = []
        for card in range(60):
            when = START + timedelta(days=rng.randrange(200))
            memory, _ = memory_model.review_card(FsrsCard(card_id=1), Rating.Good, when)
            plan, _ = policy.review_card(FsrsCard(card_id=1), Rating.Good, when)
            log.append(Review(f"{learner}:{card}", when, 3))
            while len(log) < 40 * 60:
                when += timedelta(days=max(1, round((plan.due - when).days * rng.uniform(0.6, 1.6))))
                if when >= START + timedelta(days=240):
                    break
                rating = (
                    Rating.Good if rng.random() < memory_model.get_card_retrievability(memory, when) else Rating.Again
                )
                memory, _ = memory_model.review_card(memory, rating, when)
                plan, _ = policy.review_card(plan, rating, when)
                log.append(Review(f"{learner}:{card}", when, int(rating)))
        logs[learner] = log
        total += len(log)
    return logs


async def measured(work: Callable[[], Awaitable[object]]) -> dict[str, float]:
    """Wall time of ``work`` and the probe's lateness (ms) meanwhile."""
    lags: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(PROBE)
            lags.append((time.perf_counter() - started - PROBE) * 1000)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await work()
    wall = time.perf_counter() - started
    done.set()
    await task
    ordered = sorted(lags)
    return {
        "wall_s": round(wall, 3),
        "max_lag_ms": round(ordered[-1], 1),
        "p99_lag_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1),
        "median_lag_ms": round(statistics.median(ordered), 2),
    }


async def seeded_services(folder: Path, logs: dict[int, list[Review]]) -> Settings:
    settings = Settings(
        discord_token=None, database_url=f"sqlite+aiosqlite:///{folder / 'refit.sqlite3'}", _env_file=None
    )  # type: ignore[call-arg]
    services = await build_services(settings)
    qids = sorted(qid for qid, kind in kinds_of(services.content).items() if kind == "recognition")
    end = max(review.reviewed_at for log in logs.values() for review in log)
    async with services.unit() as session:
        for learner_id, log in logs.items():
            session.add(Learner(id=learner_id, created_at=START))
            await session.flush()
            for position, history in enumerate(fitting.histories(log).values()):
                await add_history(session, learner_id, qids[position], history, end)
        # A poor community set in use (initial stabilities ×20), so the new fit is adopted and
        # every card rescheduled: the job's heaviest path.
        poor = [min(100.0, value * 20) if index < 4 else value for index, value in enumerate(DEFAULT_PARAMETERS)]
        session.add(
            ParameterSet(
                scope="community",
                kind="recognition",
                parameters=poor,
                reviews=0,
                items=0,
                previous="default",
                fitted_at=START - timedelta(days=1),
                adopted=True,
            )
        )
    await services.engine.dispose()
    return settings


async def main_async(reviews: int) -> dict[str, object]:
    logs = synthetic_log(reviews)
    flat = tuple(review for log in logs.values() for review in log)
    job = FitJob(FitLog.of(flat), tuple(DEFAULT_PARAMETERS))
    results: dict[str, object] = {"reviews": len(flat)}
    results["idle"] = await measured(lambda: asyncio.sleep(1.0))  # the machine's own noise
    results["process"] = await measured(lambda: process_runner(job, 120))
    results["thread"] = await measured(lambda: asyncio.to_thread(run_fit, job))

    async def inline() -> None:
        run_fit(job)

    results["inline"] = await measured(inline)
    with tempfile.TemporaryDirectory() as tmp:
        settings = await seeded_services(Path(tmp), logs)
        services = await build_services(settings, migrate=False)
        services.clock.set(max(flat, key=lambda review: review.reviewed_at).reviewed_at + timedelta(hours=1))
        reports: list[object] = []

        async def whole_job() -> None:
            reports.append(await Refitter(services).run())

        results["job"] = await measured(whole_job)
        results["job_report"] = getattr(reports[0], "fitted", None)
        results["job_rescheduled_cards"] = getattr(reports[0], "rescheduled_cards", None)
        await services.engine.dispose()
    return results


def main() -> None:
    load = os.getloadavg()
    results = asyncio.run(main_async(10_000))
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; reviews: {results['reviews']}")
    print(f"{'runner':<10}{'wall s':>10}{'max lag ms':>14}{'p99 lag ms':>14}{'median ms':>12}")
    for name in ("idle", "process", "thread", "inline", "job"):
        row = results[name]
        assert isinstance(row, dict)
        print(f"{name:<10}{row['wall_s']:>10}{row['max_lag_ms']:>14}{row['p99_lag_ms']:>14}{row['median_lag_ms']:>12}")
    for name in ("process", "job"):
        row = results[name]
        assert isinstance(row, dict)
        verdict = "met" if row["max_lag_ms"] < TARGET_MS else "NOT met"
        print(f"target: {name} max loop lag < {TARGET_MS:.0f} ms: {verdict}")
    print(f"job: {results['job_report']}; cards rescheduled: {results['job_rescheduled_cards']}")
    print(json.dumps({"bench": "refit_lag", "load_avg_1m": round(load[0], 2), **results}, default=str))


if __name__ == "__main__":
    main()
