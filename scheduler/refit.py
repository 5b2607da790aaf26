"""The daily FSRS refit: community and personal parameter sets, fitted off the event loop.

Once a day (``FSRS_REFIT_HOUR``, UTC) one process — whichever claims the day's ``refit`` slot
in the delivery ledger; a claim whose holder stops renewing its lease is taken over — fits:

- the **community** set of each kind (recognition, recall) from every learner's reviews of
  that kind, when at least ``COMMUNITY_NEW_REVIEWS`` were added since its last fit (or, for a
  first fit, that many exist);
- a **personal** set for each learner with at least ``FSRS_PERSONAL_MIN_REVIEWS`` reviews of
  a kind and ``PERSONAL_NEW_REVIEWS`` since their last fit of it (not for learners who went
  back to community parameters).

Each fit reads at most ``fitting.MAX_REVIEWS`` reviews, runs in a separate process (the
event loop only waits on a pipe in a thread) and is stopped after ``FSRS_FIT_TIMEOUT_SECONDS``.
A set is fitted on the earliest 80 % of its reviews by time and adopted only if its log loss on
the latest 20 % is lower than the set in use; either way a ``parameter_sets`` row records it.
On adoption the affected learners' cards are rescheduled (``bot.study.recompute``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.connection import Connection

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import func, select

from bot.db.models import Card, Learner, ParameterSet, ReviewLog
from bot.services import Services
from bot.study import parameters as store
from bot.study.parameters import FitLog
from bot.study.recompute import reschedule_learner
from scheduler import fitting
from scheduler.fitting import Decision
from scheduler.ledger import LEASE, Claim, Outcome, finish, insert_claims, ledger_row, renew_leases, take_over
from scheduler.srs import KINDS, Parameters

log = logging.getLogger(__name__)
COMMUNITY_NEW_REVIEWS = 1_000
PERSONAL_NEW_REVIEWS = 500
REFIT_KIND = "refit"


@dataclass(frozen=True)
class FitJob:
    """What a worker fits: a review log (plain columns, cheap to send) and the set in use it
    must beat."""

    log: FitLog
    current: Parameters


@dataclass(frozen=True)
class FitResult:
    """The decision on the fitted set, the reviews and items it was fitted from, and the
    process id it ran in."""

    decision: Decision
    reviews: int
    items: int
    pid: int


FitRunner = Callable[[FitJob, float], Awaitable[FitResult]]


def run_fit(job: FitJob) -> FitResult:
    """Fit on the earliest 80 % (by time) of at most ``fitting.MAX_REVIEWS`` reviews, and
    decide on the latest 20 % against ``job.current`` (pure; what a worker process runs)."""
    split = fitting.split_by_time(fitting.bounded(job.log.reviews()))
    candidate = fitting.fit(split.train, start=job.current)
    current = tuple(job.current)
    if not candidate.trained:
        reason = f"{candidate.items} FSRS items before the cut; a fit needs at least {fitting.MIN_ITEMS}"
        decision = Decision(False, current, current, None, None, reason)
    else:
        decision = fitting.decide(candidate.parameters, current, split)
    return FitResult(decision, candidate.reviews, candidate.items, os.getpid())


FIT_NICENESS = 10  # the fit process yields the CPU to the bot's own process


def _child(connection: Connection[FitResult, FitResult], job: FitJob) -> None:
    os.nice(FIT_NICENESS)
    connection.send(run_fit(job))
    connection.close()


def fit_in_process(job: FitJob, timeout: float) -> FitResult:
    """``run_fit`` in a fresh process, killed after ``timeout`` seconds (TimeoutError).
    Blocking: call it from a worker thread."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, job), name="fsrs-fit", daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise TimeoutError(f"the fit did not finish within {timeout:g} s")
        result: FitResult = receiver.recv()
        return result
    except EOFError:
        raise RuntimeError(f"the fit process ended without a result (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()


async def process_runner(job: FitJob, timeout: float) -> FitResult:
    """The production runner: a separate process, awaited from a thread (the loop stays free)."""
    return await asyncio.to_thread(fit_in_process, job, timeout)


@dataclass
class RefitReport:
    """What one refit run did: a line per fitted set (scope, kind, adopted or why not)."""

    fitted: list[str]
    rescheduled_cards: int = 0


class Refitter:
    """Runs the daily refit for one process (see the module docstring)."""

    def __init__(self, services: Services, *, runner: FitRunner = process_runner, lease: timedelta = LEASE) -> None:
        self.services = services
        self.runner = runner
        self.lease = lease

    async def run(self) -> RefitReport | None:
        """Refit what gained enough reviews, if this process gets today's lease (else None)."""
        now = self.services.clock.now()
        claim = await self._claim(now)
        if claim is None:
            return None
        heartbeat = asyncio.create_task(self._renew(claim), name="refit-lease")
        outcome = Outcome("failed", error="stopped before the end")
        try:
            report = RefitReport([])
            for kind in KINDS:
                await self._community(kind, now, report)
            for learner_id, kind in await self._personal_candidates(now):
                await self._personal(learner_id, kind, now, report)
            outcome = Outcome("sent")
            log.info("FSRS refit: %s", "; ".join(report.fitted) or "nothing had enough new reviews")
            return report
        except Exception as exc:
            outcome = Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:500])
            raise
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            async with self.services.unit() as session:
                await finish(session, claim, outcome, self.services.clock.now(), by=self.services.process_id)

    async def _claim(self, now: datetime) -> Claim | None:
        by, slot = self.services.process_id, now.date().isoformat()
        async with self.services.unit() as session:
            row = ledger_row(REFIT_KIND, 0, slot, now, now, by, self.lease)
            claims = await insert_claims(session, [row])
            if claims:
                return claims[0]
            return await take_over(session, REFIT_KIND, 0, slot, now, by=by, lease=self.lease)

    async def _renew(self, claim: Claim) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            async with self.services.unit() as session:
                until = self.services.clock.now() + self.lease
                await renew_leases(session, [claim.delivery_id], self.services.process_id, until)

    def _question_ids(self, kind: str) -> set[str]:
        return {qid for qid, found in store.kinds_of(self.services.content).items() if found == kind}

    async def _fit(self, reviews: FitLog, current: Parameters, label: str) -> FitResult | None:
        timeout = self.services.settings.fsrs_fit_timeout_seconds
        try:
            return await self.runner(FitJob(reviews, current), timeout)
        except (TimeoutError, RuntimeError) as exc:
            log.warning("FSRS refit of %s skipped: %s", label, exc)
            return None

    async def _community(self, kind: str, now: datetime, report: RefitReport) -> None:
        ids = self._question_ids(kind)
        async with self.services.read() as session:
            last = await store.latest(session, store.COMMUNITY, kind)
            new = await store.count_reviews(session, ids, since=last.fitted_at if last else None)
            if new < COMMUNITY_NEW_REVIEWS:
                return
            in_use = await store.adopted(session, store.COMMUNITY, kind)
            reviews = await store.logs_for_fit(session, ids)
        current = store.values(in_use) if in_use else tuple(DEFAULT_PARAMETERS)
        result = await self._fit(reviews, current, f"community/{kind}")
        if result is None:
            return
        previous = store.COMMUNITY if in_use else store.DEFAULT
        async with self.services.unit() as session:
            session.add(_row(store.COMMUNITY, kind, None, result, previous, now))
        report.fitted.append(_line(f"community/{kind}", result))
        if result.decision.adopted:
            report.rescheduled_cards += await self._reschedule_community(kind, ids, now)

    async def _reschedule_community(self, kind: str, ids: set[str], now: datetime) -> int:
        """Reschedule every learner whose cards of ``kind`` now follow the new community set."""
        async with self.services.read() as session:
            learner_ids = list(
                await session.scalars(select(Card.learner_id).where(Card.question_id.in_(ids)).distinct())
            )
        total = 0
        for learner_id in learner_ids:
            async with self.services.unit() as session:
                learner = await session.get(Learner, learner_id)
                if learner is None:
                    continue
                used = await store.in_use(session, learner, kind)
                if used.source == store.COMMUNITY:
                    total += (await reschedule_learner(session, learner, used.parameters, ids, now)).cards
        return total

    async def _personal_candidates(self, now: datetime) -> list[tuple[int, str]]:
        """(learner, kind) pairs with enough reviews of the kind, in learner order."""
        minimum = self.services.settings.fsrs_personal_min_reviews
        found: list[tuple[int, str]] = []
        async with self.services.read() as session:
            for kind in KINDS:
                query = (
                    select(ReviewLog.learner_id)
                    .join(Learner, Learner.id == ReviewLog.learner_id)
                    .where(ReviewLog.question_id.in_(self._question_ids(kind)), Learner.personal_parameters.is_(True))
                    .group_by(ReviewLog.learner_id)
                    .having(func.count() >= minimum)
                )
                found += [(int(learner_id), kind) for learner_id in await session.scalars(query)]
        return sorted(found)

    async def _personal(self, learner_id: int, kind: str, now: datetime, report: RefitReport) -> None:
        ids = self._question_ids(kind)
        async with self.services.read() as session:
            last = await store.latest(session, store.PERSONAL, kind, learner_id)
            if last is not None:
                new = await store.count_reviews(session, ids, since=last.fitted_at, learner_id=learner_id)
                if new < PERSONAL_NEW_REVIEWS:
                    return
            learner = await session.get(Learner, learner_id)
            if learner is None:
                return
            used = await store.in_use(session, learner, kind)
            reviews = await store.logs_for_fit(session, ids, learner_id)
        current = used.parameters if used.parameters is not None else tuple(DEFAULT_PARAMETERS)
        result = await self._fit(reviews, current, f"personal/{kind} of a learner")
        if result is None:
            return
        async with self.services.unit() as session:
            session.add(_row(store.PERSONAL, kind, learner_id, result, used.source, now))
            report.fitted.append(_line(f"personal/{kind}", result))
            if result.decision.adopted:
                learner = await session.get(Learner, learner_id)
                if learner is not None and learner.personal_parameters:
                    done = await reschedule_learner(session, learner, result.decision.parameters, ids, now)
                    report.rescheduled_cards += done.cards


def _row(
    scope: str, kind: str, learner_id: int | None, result: FitResult, previous: str, now: datetime
) -> ParameterSet:
    decision = result.decision
    new, old = decision.candidate_evaluation, decision.current_evaluation
    return ParameterSet(
        scope=scope,
        kind=kind,
        learner_id=learner_id,
        parameters=list(decision.candidate),
        reviews=result.reviews,
        items=result.items,
        log_loss=new.log_loss if new else None,
        rmse_bins=new.rmse_bins if new else None,
        previous=previous,
        previous_log_loss=old.log_loss if old else None,
        previous_rmse_bins=old.rmse_bins if old else None,
        fitted_at=now,
        adopted=decision.adopted,
        reason=decision.reason,
    )


def _line(label: str, result: FitResult) -> str:
    return f"{label} from {result.reviews} reviews: " + (
        "adopted" if result.decision.adopted else f"kept the set in use ({result.decision.reason})"
    )
