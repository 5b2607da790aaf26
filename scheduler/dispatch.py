"""The dispatcher: claim due work, send each claim once, record what came of it.

Claims are committed before anything is sent, and sends happen outside any transaction,
through the shared rate limiter. Failures are told apart: a database error, a time-out or
a Discord 5xx is transient (retried in-process with a short backoff, then handed back to
the ledger with a later lease, until the grace window ends); only a permanent answer
(closed DMs, unknown channel, missing access or permissions) ends a delivery as ``closed``
or ``failed``. Nothing here imports Discord: the bot supplies the deliver callables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler.claims import claim_channel_posts, claim_digests, claim_snoozes
from scheduler.ledger import LEASE, Claim, Deliver, Outcome, finish, reclaim_stale, release_claims, renew_leases

log = logging.getLogger(__name__)

# In-process retries of a transient failure (seconds), all well inside the lease.
INLINE_RETRIES = (1.0, 3.0)

Unit = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True)
class Deliverers:
    """How each kind of claim is sent: the bot's side of the seam, given at construction."""

    digest: Deliver
    snooze: Deliver
    channel: Deliver

    async def __call__(self, claim: Claim) -> Outcome:
        deliver = {"digest": self.digest, "snooze": self.snooze, "channel": self.channel}.get(claim.kind)
        if deliver is None:
            raise ValueError(f"unknown delivery kind {claim.kind!r}")
        return await deliver(claim)


def describe(exc: BaseException) -> str:
    """An exception in one short line."""
    return f"{type(exc).__name__}: {exc}"[:500]


def expected_transient(exc: BaseException) -> bool:
    """Failures that come and go (no traceback needed): the database, the network, time-outs."""
    return isinstance(exc, OperationalError | DBAPIError | OSError | TimeoutError | ConnectionError)


@dataclass
class DrainResult:
    """What a shutdown's drain did, for its one log line."""

    finished: int = 0
    cancelled: int = 0
    released: int = 0

    def __str__(self) -> str:
        return (
            f"{self.finished} in-flight deliveries finished, {self.cancelled} interrupted, "
            f"{self.released} claims released for another process or the next start"
        )


@dataclass
class _Held:
    """The claims this process is working on (from claim to finish), for the heartbeat."""

    claims: dict[int, Claim] = field(default_factory=dict)

    def add(self, claims: list[Claim]) -> None:
        self.claims.update((c.delivery_id, c) for c in claims)

    def drop(self, claim: Claim) -> None:
        self.claims.pop(claim.delivery_id, None)


class Dispatcher:
    """Runs the claim → send → finish cycle; concurrency bounded, rate shared."""

    def __init__(
        self,
        unit: Unit,
        clock: Callable[[], datetime],
        deliver: Deliver,
        *,
        process_id: str,
        grace: timedelta,
        concurrency: int = 32,
        lease: timedelta = LEASE,
        shards: tuple[int, list[int]] | None = None,
        inline_retries: tuple[float, ...] = INLINE_RETRIES,
        on_attempt: Callable[[Claim, Outcome], None] | None = None,
    ) -> None:
        self.unit = unit
        self.now = clock
        self.deliver = deliver
        self.process_id = process_id
        self.grace = grace
        self.concurrency = concurrency
        self.lease = lease
        self.shards = shards
        self.inline_retries = inline_retries
        self.on_attempt = on_attempt
        self.stopping = False
        self.in_flight: set[asyncio.Task[None]] = set()
        self.held = _Held()
        self.finished = 0

    async def _claim_batch(self) -> list[Claim]:
        now, by = self.now(), self.process_id
        async with self.unit() as session:
            claims = await reclaim_stale(
                session,
                now,
                grace=self.grace,
                by=by,
                lease=self.lease,
                shards=self.shards,
                exclude=self.held.claims,
            )
            claims += await claim_digests(session, now, grace=self.grace, by=by, lease=self.lease)
            claims += await claim_snoozes(session, now, by=by, lease=self.lease)
            claims += await claim_channel_posts(
                session, now, grace=self.grace, by=by, shards=self.shards, lease=self.lease
            )
        return claims

    async def tick(self) -> int:
        """Claim and send until nothing is due; returns the number of deliveries handled.

        Claiming is pipelined with sending: the next batch is claimed while the previous one
        is still going out, so the rate limiter, not the claim round trips, sets the pace.
        Every task started here handles its own errors (see ``_one``)."""
        handled = 0
        sem = asyncio.Semaphore(self.concurrency)
        mine: set[asyncio.Task[None]] = set()
        try:
            while not self.stopping:
                if len(mine) > self.concurrency * 2:
                    await asyncio.wait(mine, return_when=asyncio.FIRST_COMPLETED)
                    continue
                claims = await self._claim_batch()
                if not claims:
                    break
                self.held.add(claims)
                for claim in claims:
                    task = asyncio.create_task(self._one(claim, sem), name=f"deliver-{claim.kind}-{claim.delivery_id}")
                    for group in (mine, self.in_flight):
                        group.add(task)
                        task.add_done_callback(group.discard)
                handled += len(claims)
            if mine:
                await asyncio.wait(mine)
        except asyncio.CancelledError:
            # Killed (a crash in tests, or a hard stop): claims stay in the ledger, leased, for takeover.
            for task in mine:
                task.cancel()
            raise
        return handled

    async def _attempt(self, claim: Claim) -> Outcome:
        try:
            return await self.deliver(claim)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            what = f"{claim.kind} delivery {claim.delivery_id} (target {claim.target_id})"
            if expected_transient(exc):
                log.warning("%s: transient failure: %s", what, describe(exc))
            else:
                log.exception("%s: unexpected failure; it will be retried", what)
            return Outcome.retry(describe(exc))

    async def _one(self, claim: Claim, sem: asyncio.Semaphore) -> None:
        """Deliver one claim, retrying transient failures a little, then record the outcome.
        Never raises (but for cancellation): every error is logged once, here."""
        try:
            async with sem:
                outcome = await self._attempt(claim)
                for delay in self.inline_retries:
                    if outcome.status != "retry" or self.stopping:
                        break
                    await asyncio.sleep(delay)
                    outcome = await self._attempt(claim)
                if self.on_attempt is not None:
                    self.on_attempt(claim, outcome)
                await self._finish(claim, outcome)
        finally:
            self.held.drop(claim)

    async def _finish(self, claim: Claim, outcome: Outcome) -> None:
        for delay in (*self.inline_retries, None):
            try:
                async with self.unit() as session:
                    await finish(session, claim, outcome, self.now(), by=self.process_id)
                self.finished += 1
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - retried a little, then logged once; the lease covers it
                if delay is None or self.stopping:
                    # The claim stays ours until its lease ends, then another attempt re-sends
                    # it with the same nonce (a message that went out is not repeated).
                    log.error("could not record %s delivery %s: %s", claim.kind, claim.delivery_id, describe(exc))
                    return
                log.warning("recording %s delivery %s failed, retrying: %s", claim.kind, claim.delivery_id, exc)
                await asyncio.sleep(delay)

    async def heartbeat(self) -> None:
        """Renew the leases of the claims in progress every third of the lease, forever."""
        interval = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            ids = list(self.held.claims)
            if not ids:
                continue
            try:
                async with self.unit() as session:
                    await renew_leases(session, ids, self.process_id, self.now() + self.lease)
            except Exception as exc:  # noqa: BLE001 - the next beat tries again; the lease covers two misses
                log.warning("renewing %d claim leases failed: %s", len(ids), describe(exc))

    async def drain(self, timeout: float) -> DrainResult:
        """Stop claiming; let in-flight sends finish within ``timeout``, then release the rest."""
        self.stopping = True
        result = DrainResult()
        before = self.finished
        if self.in_flight:
            _, pending = await asyncio.wait(set(self.in_flight), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
            result.cancelled = len(pending)
        result.finished = self.finished - before
        try:
            async with self.unit() as session:
                result.released = await release_claims(session, self.process_id, self.now())
        except Exception as exc:  # noqa: BLE001 - the leases end by themselves; takeover follows
            log.warning("releasing claims on shutdown failed (they will be taken over): %s", describe(exc))
        return result
