"""Transient failures are retried and delivered once; permanent ones end a delivery; a live
process's claims are not taken over; a dead one's are, soon."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.db.models import Delivery
from bot.services import Services
from scheduler.dispatch import Dispatcher
from scheduler.ledger import Claim, Outcome
from tests.scheduler.test_dispatch import GRACE, add_learner


def dispatcher(svc: Services, deliver: object, pid: str = "p1", **kw: object) -> Dispatcher:
    kw.setdefault("inline_retries", (0.01, 0.01))
    return Dispatcher(svc.unit, svc.clock.now, deliver, process_id=pid, grace=GRACE, **kw)  # type: ignore[arg-type]


class Flaky:
    """Fails the first ``failures`` attempts per claim (raising, or returning a retry)."""

    def __init__(self, failures: int, *, raise_: bool = True, delay: float = 0.0) -> None:
        self.failures, self.raise_, self.delay = failures, raise_, delay
        self.attempts: Counter[int] = Counter()
        self.sent: Counter[int] = Counter()

    async def __call__(self, claim: Claim) -> Outcome:
        self.attempts[claim.target_id] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.attempts[claim.target_id] <= self.failures:
            if self.raise_:
                raise OperationalError("SELECT 1", {}, Exception("database is locked"))
            return Outcome.retry("HTTP 503 0: Service Unavailable")
        self.sent[claim.target_id] += 1
        return Outcome("sent", message_id=1, channel_id=2)


async def ledger(svc: Services) -> list[Delivery]:
    async with svc.read() as s:
        return list(await s.scalars(select(Delivery).order_by(Delivery.id)))


async def due_learners(svc: Services, n: int) -> None:
    svc.clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    for uid in range(1, n + 1):
        await add_learner(svc, uid, "UTC", "09:00")
    svc.clock.set(datetime(2026, 6, 1, 9, 1, tzinfo=UTC))


async def test_a_transient_error_is_retried_in_process_and_sent_once(services: Services) -> None:
    await due_learners(services, 3)
    flaky = Flaky(failures=2)
    assert await dispatcher(services, flaky).tick() == 3
    assert flaky.sent == Counter({1: 1, 2: 1, 3: 1}) and all(n == 3 for n in flaky.attempts.values())
    rows = await ledger(services)
    assert [(d.status, d.attempts, d.lease_until) for d in rows] == [("sent", 1, None)] * 3


async def test_a_lasting_transient_failure_is_handed_back_never_failed(services: Services) -> None:
    await due_learners(services, 1)
    flaky = Flaky(failures=5, raise_=False)
    d = dispatcher(services, flaky)
    await d.tick()  # three attempts in process, all failing
    [row] = await ledger(services)
    assert (row.status, row.claimed_by, row.attempts) == ("claimed", None, 1)
    assert row.error == "HTTP 503 0: Service Unavailable"
    assert row.lease_until is not None
    assert timedelta(seconds=25) < row.lease_until - services.clock.now() <= timedelta(seconds=30)
    await d.tick()
    assert sum(flaky.attempts.values()) == 3  # not yet: the retry waits for its lease
    services.clock.advance(timedelta(seconds=31))
    await dispatcher(services, flaky, "p2").tick()  # any process may retry it
    [row] = await ledger(services)
    assert (row.status, flaky.sent[1]) == ("sent", 1)


async def test_retries_stop_at_the_end_of_the_grace_window_as_expired(services: Services) -> None:
    await due_learners(services, 1)
    flaky = Flaky(failures=10**6, raise_=False)
    d = dispatcher(services, flaky)
    await d.tick()
    services.clock.advance(GRACE + timedelta(minutes=1))
    await d.tick()
    [row] = await ledger(services)
    assert row.status == "expired" and row.error == "HTTP 503 0: Service Unavailable"
    assert flaky.sent == Counter()


async def test_permanent_refusals_end_the_delivery_without_retrying(services: Services) -> None:
    await due_learners(services, 2)
    attempts: Counter[int] = Counter()

    async def refuse(claim: Claim) -> Outcome:
        attempts[claim.target_id] += 1
        if claim.target_id == 1:
            return Outcome("closed", error="HTTP 403 50007: Cannot send messages to this user")
        return Outcome("failed", error="HTTP 403 50013: Missing Permissions")

    await dispatcher(services, refuse).tick()
    services.clock.advance(timedelta(hours=1))
    await dispatcher(services, refuse).tick()
    assert attempts == Counter({1: 1, 2: 1})
    assert [(d.target_id, d.status) for d in await ledger(services)] == [(1, "closed"), (2, "failed")]


async def test_a_live_process_keeps_its_claims_and_a_dead_ones_are_taken_over(services: Services) -> None:
    await due_learners(services, 2)
    lease = timedelta(seconds=0.6)
    slow = Flaky(failures=0, delay=1.5)
    alive = dispatcher(services, slow, "alive", lease=lease)
    beat = asyncio.create_task(alive.heartbeat())
    tick = asyncio.create_task(alive.tick())
    other = Flaky(failures=0)
    for _ in range(6):  # the lease ends every 0.6 s, but the heartbeat renews it
        await asyncio.sleep(0.2)
        await dispatcher(services, other, "other", lease=lease).tick()
    assert await tick == 2 and other.sent == Counter() and slow.sent == Counter({1: 1, 2: 1})
    beat.cancel()

    services.clock.set(datetime(2026, 6, 2, 9, 1, tzinfo=UTC))
    dying = dispatcher(services, Flaky(failures=0, delay=30), "dying", lease=lease)
    crashed = asyncio.create_task(dying.tick())
    await asyncio.sleep(0.2)
    crashed.cancel()  # the process dies: no release, no heartbeat
    await asyncio.gather(crashed, return_exceptions=True)
    await dispatcher(services, other, "other", lease=lease).tick()
    assert other.sent == Counter()  # its lease has not ended yet
    await asyncio.sleep(0.7)
    await dispatcher(services, other, "other", lease=lease).tick()
    assert other.sent == Counter({1: 1, 2: 1})


async def test_a_failed_finish_is_retried(services: Services) -> None:
    await due_learners(services, 1)
    real_unit = services.unit
    calls = 0

    def unit() -> object:
        nonlocal calls
        calls += 1
        if calls == 3:  # 1: claim, 2: claim again (nothing), 3: the first finish
            raise OperationalError("UPDATE", {}, Exception("disk I/O error"))
        return real_unit()

    sent = Flaky(failures=0)
    d = Dispatcher(unit, services.clock.now, sent, process_id="p", grace=GRACE, inline_retries=(0.01,))  # type: ignore[arg-type]
    await d.tick()
    [row] = await ledger(services)
    assert row.status == "sent" and sent.sent == Counter({1: 1})
