"""The daily refit (scheduler.refit) on synthetic logs in the database: community and personal
sets fitted, checked on held-out reviews, stored and adopted; cards recomputed and the backlog
spread; the review thresholds; one run a day across processes (the ledger's lease)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem
from sqlalchemy import select

from bot.db.models import Delivery, Learner, ParameterSet
from bot.services import Services
from bot.study import parameters as store
from bot.study.parameters import FitLog
from bot.study.recompute import backlog_per_day
from scheduler import fitting, srs
from scheduler.refit import FitJob, FitResult, Refitter, run_fit
from tests.helpers import ROOT
from tests.scheduler import refit_seed
from tests.scheduler.test_fitting import recall_distance


async def thread_runner(job: FitJob, timeout: float) -> FitResult:
    """Tests run fits in a thread (a process per fit would only slow them down)."""
    return await asyncio.to_thread(run_fit, job)


async def rows(services: Services) -> list[ParameterSet]:
    async with services.read() as session:
        return list(await session.scalars(select(ParameterSet).order_by(ParameterSet.id)))


def at_end(services: Services, logs: dict[int, list[fitting.Review]]) -> None:
    last = max(review.reviewed_at for log in logs.values() for review in log)
    services.clock.set(last + timedelta(hours=2))


async def test_a_community_fit_is_adopted_stored_and_reschedules_cards_from_their_logs(services: Services) -> None:
    logs = refit_seed.population(seed=7, learners=16, cards=60)
    await refit_seed.seed(services, logs, srs.RECOGNITION)
    at_end(services, logs)
    now = services.clock.now()
    before = {card.id: card.due for card in await refit_seed.cards_of(services, 1000)}

    report = await Refitter(services, runner=thread_runner).run()

    assert report is not None and len(report.fitted) == 1 and "adopted" in report.fitted[0]
    (row,) = await rows(services)
    assert (row.scope, row.kind, row.learner_id, row.adopted, row.reason) == (
        "community",
        "recognition",
        None,
        True,
        None,
    )
    assert row.previous == "default" and len(row.parameters) == 21
    total = sum(map(len, logs.values()))
    assert 0.75 * total < row.reviews < 0.85 * total and 0 < row.items < row.reviews  # fitted on the earliest 80 %
    assert row.log_loss is not None and row.previous_log_loss is not None and row.log_loss < row.previous_log_loss
    assert row.rmse_bins is not None and row.previous_rmse_bins is not None
    assert recall_distance(tuple(row.parameters), refit_seed.CENTER) < recall_distance(
        DEFAULT_PARAMETERS, refit_seed.CENTER
    )

    # Every learned card now has the memory state fsrs-rs computes from its log under the new set.
    learner_log = fitting.histories(logs[1000])
    cards = await refit_seed.cards_of(services, 1000)
    model = FSRS(row.parameters)
    for card, history in zip(cards, learner_log.values(), strict=True):
        state = model.memory_state(FSRSItem(fitting.fsrs_reviews(history)))
        assert card.stability == pytest.approx(state.stability, rel=1e-6)
        assert card.difficulty == pytest.approx(state.difficulty, rel=1e-6)
    # Cards that became overdue are spread a share a day from now on, never all on one day.
    async with services.read() as session:
        learner = await session.get(Learner, 1000)
        assert learner is not None
    newly = [card for card in cards if card.due <= now + timedelta(days=7) and before[card.id] > now]
    spread_days = Counter((card.due - now).days for card in newly if card.due >= now and (card.due - now).seconds == 0)
    assert spread_days and max(spread_days.values()) <= backlog_per_day(learner)
    assert report.rescheduled_cards == sum(len(fitting.histories(log)) for log in logs.values())

    # The scheduler now uses the community set for this learner's recognition cards.
    async with services.read() as session:
        used = await store.in_use(session, learner, srs.RECOGNITION)
        assert used.source == "community" and used.parameters == tuple(row.parameters)
        assert (await store.in_use(session, learner, srs.RECALL)).source == "default"


async def test_thresholds_decide_what_is_refitted_and_worse_fits_are_kept_out(services: Services) -> None:
    logs = refit_seed.population(seed=11, learners=6, cards=60)
    logs |= {2000: refit_seed.population(seed=12, learners=1, cards=200)[1000]}
    await refit_seed.seed(services, logs, srs.RECOGNITION)
    heavy = len(logs[2000])
    services.settings = services.settings.model_copy(update={"fsrs_personal_min_reviews": heavy})
    at_end(services, logs)
    refitter = Refitter(services, runner=thread_runner)

    first = await refitter.run()
    assert first is not None and [line.split(" from")[0] for line in first.fitted] == [
        "community/recognition",
        "personal/recognition",
    ]
    assert await refitter.run() is None  # today's run is done
    community, personal = await rows(services)
    assert personal.scope == "personal" and personal.learner_id == 2000
    # Compared with the set in use for that learner then: the community one if it was adopted.
    assert personal.previous == ("community" if community.adopted else "default")

    async def add(learner_id: int, count: int) -> None:
        """``count`` more reviews of the learner's cards, on the days after now."""
        cards = await refit_seed.cards_of(services, learner_id)
        when = services.clock.now() + timedelta(minutes=5)
        async with services.unit() as session:
            for index in range(count):
                card = cards[index % len(cards)]
                at = when + timedelta(days=index // len(cards) + 1)
                await refit_seed.add_reviews(session, learner_id, card.id, card.question_id, [(at, 3)])

    await add(1000, 500)
    await add(2000, 499)  # 999 new reviews in all, 499 of the personal learner's
    services.clock.set(services.clock.now() + timedelta(days=30))
    assert (await refitter.run()).fitted == []  # type: ignore[union-attr]
    await add(1001, 1)
    await add(2000, 1)
    services.clock.set(services.clock.now() + timedelta(days=3))
    again = await refitter.run()
    assert again is not None and [line.split(" from")[0] for line in again.fitted] == [
        "community/recognition",
        "personal/recognition",
    ]

    # A set that does not predict the later reviews better is recorded, not adopted.
    history = await rows(services)
    for row in history:
        if not row.adopted:
            assert row.reason and "not lower" in row.reason
            assert row.log_loss is not None and row.previous_log_loss is not None
            assert row.log_loss >= row.previous_log_loss


async def test_a_worse_candidate_stays_out_of_use(services: Services) -> None:
    logs = refit_seed.population(seed=5, learners=8, cards=60)
    await refit_seed.seed(services, logs, srs.RECOGNITION)
    at_end(services, logs)

    async def worse(job: FitJob, timeout: float) -> FitResult:
        """A fit that lands far from the learners (initial stabilities ×20): held out, it loses."""
        found = await thread_runner(job, timeout)
        candidate = [min(100.0, value * 20) if index < 4 else value for index, value in enumerate(DEFAULT_PARAMETERS)]
        split = fitting.split_by_time(job.log.reviews())
        return FitResult(fitting.decide(candidate, job.current, split), found.reviews, found.items, found.pid)

    await Refitter(services, runner=worse).run()
    (row,) = await rows(services)
    assert not row.adopted and "not lower" in (row.reason or "")
    async with services.read() as session:
        learner = await session.get(Learner, 1000)
        assert learner is not None
        assert (await store.in_use(session, learner, srs.RECOGNITION)).source == "default"


async def test_the_fit_runs_in_another_process_bounded_in_time(services: Services) -> None:
    from scheduler import refit

    logs = refit_seed.population(seed=3, learners=10, cards=60)
    reviews = tuple(review for log in logs.values() for review in log)
    ticks = 0

    async def other_work() -> None:  # the loop keeps serving while the fit runs
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    worker = asyncio.create_task(other_work())
    result = await refit.process_runner(FitJob(FitLog.of(reviews), tuple(DEFAULT_PARAMETERS)), 120)
    worker.cancel()
    assert result.pid != os.getpid() and result.decision.candidate_evaluation is not None
    # Starting a Python process alone takes longer than a few 5 ms sleeps: a loop blocked
    # by the fit would have run none of them.
    assert ticks >= 5
    with pytest.raises(TimeoutError, match="did not finish within"):
        await refit.process_runner(FitJob(FitLog.of(reviews * 5), tuple(DEFAULT_PARAMETERS)), 0.01)


@pytest.mark.postgres
async def test_two_processes_refit_once_on_postgresql(pg_database: str) -> None:
    from bot.runner import build_services
    from bot.settings import Settings
    from tests.helpers import CONTENT

    settings = Settings(discord_token=None, database_url=pg_database, content_dir=CONTENT, _env_file=None)  # type: ignore[call-arg]
    services = await build_services(settings)
    try:
        logs = refit_seed.population(seed=9, learners=10, cards=60)
        await refit_seed.seed(services, logs, srs.RECOGNITION)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "tests.scheduler.refit_seed", pg_database]
        started = [
            await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT, stdout=subprocess.PIPE) for _ in range(2)
        ]
        outputs = [json.loads((await process.communicate())[0]) for process in started]
        assert [process.returncode for process in started] == [0, 0]
        assert sorted(outputs, key=lambda found: found is not None) == [None, outputs[0] or outputs[1]]
        assert len(await rows(services)) == 1
        async with services.read() as session:
            (claim,) = await session.scalars(select(Delivery).where(Delivery.kind == "refit"))
            assert claim.status == "sent" and claim.lease_until is None
    finally:
        await services.engine.dispose()
