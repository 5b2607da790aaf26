"""Deliveries (daily digests, snooze reminders, study-channel posts): claim, send once.

The database is the source of truth. A tick claims due work in short transactions
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so several processes share it), writing a ledger
row whose UNIQUE key is (kind, target, slot), commits, and only then sends, outside any
transaction, through the shared rate limiter. A second claimant of the same slot fails on
the key.

A claim is a lease: the process working on it renews ``lease_until`` every third of the
lease (a heartbeat), so only a claim whose process died is taken over, and that happens
soon after the lease ends, well inside Discord's nonce window: the re-send carries the
same message nonce, so a message that did go out is not repeated.

Failures are told apart. A database error, a timeout or a Discord 5xx is transient: the
claim is kept, retried in-process with a short backoff, then handed back with a later
lease for any process to retry, until the grace window ends (then it ``expired``). Only a
permanent answer (closed DMs, unknown channel, missing access or permissions) ends a
delivery as ``closed`` or ``failed``, with the reason stored. Nothing here imports Discord:
the bot supplies ``deliver``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Learner, StudyChannel
from bot.db.queries import insert_stmt
from bot.study import dm
from scheduler.timeutil import ALL_DAYS, local_date, next_slot, zone

log = logging.getLogger(__name__)

BATCH = 200
LEASE = timedelta(seconds=60)
# In-process retries of a transient failure (seconds), all well inside the lease.
INLINE_RETRIES = (1.0, 3.0)
# Then the claim goes back to the pool with a later lease: attempt n waits RETRY_DELAYS[n].
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5))
FINAL = frozenset({"sent", "skipped", "closed", "failed"})

Unit = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def message_nonce(kind: str, target_id: int, slot: str) -> str:
    """A per-slot message nonce (≤ 25 characters, as Discord allows): a repeated send of the
    same slot within Discord's nonce window returns the first message instead of a new one."""
    return hashlib.sha1(f"{kind}:{target_id}:{slot}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    kind: str  # digest | snooze | channel
    target_id: int  # the learner (digest, snooze) or the study channel's row id (channel)
    slot: str
    attempts: int = 0  # earlier attempts of this delivery (retries and takeovers)

    @property
    def nonce(self) -> str:
        return message_nonce(self.kind, self.target_id, self.slot)


@dataclass(frozen=True)
class Outcome:
    """What a delivery attempt came to. ``retry``: a transient failure, try again later."""

    status: str  # sent | skipped | closed | failed | retry
    message_id: int | None = None
    channel_id: int | None = None
    error: str | None = None

    @classmethod
    def retry(cls, error: str) -> Outcome:
        return cls("retry", error=error[:500])


Deliver = Callable[[Claim], Awaitable[Outcome]]


def ledger_row(
    kind: str, target: int, slot: str, slot_at: datetime | None, now: datetime, by: str, lease: timedelta = LEASE
) -> dict[str, object]:
    """The ledger row of a new claim (the one place that builds them)."""
    return {
        "kind": kind,
        "target_id": target,
        "slot": slot,
        "slot_at": slot_at,
        "status": "claimed",
        "claimed_at": now,
        "claimed_by": by,
        "lease_until": now + lease,
        "attempts": 0,
        "answers": 0,
        "correct_answers": 0,
    }


async def insert_claims(session: AsyncSession, rows: list[dict[str, object]]) -> list[Claim]:
    """Insert ledger rows; a slot that anyone ever claimed is skipped (the UNIQUE key decides)."""
    if not rows:
        return []
    stmt = (
        insert_stmt(session, Delivery)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(Delivery.id, Delivery.kind, Delivery.target_id, Delivery.slot)
    )
    return [Claim(did, kind, target, slot) for did, kind, target, slot in (await session.execute(stmt)).all()]


async def _claim_slots(
    session: AsyncSession,
    model: Any,
    next_column: str,
    kind: str,
    rows: list[Any],
    now: datetime,
    grace: timedelta,
    by: str,
    key: Callable[[datetime, Any], str],
    lease: timedelta = LEASE,
) -> list[Claim]:
    """The shared claim step. ``rows``: (id, time zone, minute of day, weekday mask, due slot).

    A slot missed for longer than ``grace`` is skipped (never replayed); a due one gets a
    ledger row, and every schedule moves on to its next slot, in bulk."""
    advances: list[dict[str, object]] = []
    ledger: list[dict[str, object]] = []
    for target, tz_name, minute, mask, slot in rows:
        tz = zone(tz_name)
        assert slot is not None
        while slot < now - grace:
            slot = next_slot(slot, tz, minute, mask)
        advances.append({"id": target, next_column: slot if slot > now else next_slot(slot, tz, minute, mask)})
        if slot <= now:
            ledger.append(ledger_row(kind, target, key(slot, tz), slot, now, by, lease))
    if advances:
        await session.execute(update(model), advances)
    return await insert_claims(session, ledger)


def due_learners(now: datetime, limit: int, dialect: str) -> Select[int, str, int, datetime | None]:
    """Learners whose digest is due, oldest first: a range scan of ix_learners_next_digest_at
    returning only what a claim needs (no ORM objects: cheap at any scale)."""
    q = (
        select(Learner.id, Learner.timezone, Learner.digest_minute, Learner.next_digest_at)
        .where(Learner.next_digest_at <= now)
        .order_by(Learner.next_digest_at)
        .limit(limit)
    )
    return q.with_for_update(skip_locked=True, of=Learner) if dialect == "postgresql" else q


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def claim_digests(
    session: AsyncSession, now: datetime, *, grace: timedelta, by: str, limit: int = BATCH, lease: timedelta = LEASE
) -> list[Claim]:
    """Claim up to ``limit`` due digests and advance each learner's next digest time, in bulk."""
    rows = (await session.execute(due_learners(now, limit, _dialect(session)))).all()
    return await _claim_slots(
        session,
        Learner,
        "next_digest_at",
        "digest",
        [(uid, tz, minute, ALL_DAYS, slot) for uid, tz, minute, slot in rows],
        now,
        grace,
        by,
        key=lambda slot, tz: local_date(slot, tz).isoformat(),
        lease=lease,
    )


def on_shards(guild_id: Any, shards: tuple[int, list[int]]) -> Any:
    """SQL: the guild is on one of these shards (Discord's rule: (guild_id >> 22) % count)."""
    count, ids = shards
    return ((guild_id // (1 << 22)) % count).in_(ids)


async def claim_channel_posts(
    session: AsyncSession,
    now: datetime,
    *,
    grace: timedelta,
    by: str,
    limit: int = BATCH,
    shards: tuple[int, list[int]] | None = None,
    lease: timedelta = LEASE,
) -> list[Claim]:
    """Claim due study-channel posts (ledger key: channel + slot) and advance their schedules.
    With ``shards`` (count, ids) only guilds on this process's shards are claimed: only those
    are in its cache."""
    q = (
        select(
            StudyChannel.id,
            StudyChannel.timezone,
            StudyChannel.post_minute,
            StudyChannel.days_mask,
            StudyChannel.next_post_at,
        )
        .where(StudyChannel.next_post_at <= now, StudyChannel.paused.is_(False))
        .order_by(StudyChannel.next_post_at)
        .limit(limit)
    )
    if shards is not None:
        q = q.where(on_shards(StudyChannel.guild_id, shards))
    if _dialect(session) == "postgresql":
        q = q.with_for_update(skip_locked=True, of=StudyChannel)
    return await _claim_slots(
        session,
        StudyChannel,
        "next_post_at",
        "channel",
        list((await session.execute(q)).all()),
        now,
        grace,
        by,
        key=lambda slot, tz: slot.strftime("%Y-%m-%dT%H:%MZ"),
        lease=lease,
    )


async def claim_snoozes(
    session: AsyncSession, now: datetime, *, by: str, limit: int = BATCH, lease: timedelta = LEASE
) -> list[Claim]:
    """Claim due "Snooze 1 h" reminders (ledger key: learner + snooze time)."""
    q = (
        select(Learner.id, Learner.snooze_until)
        .where(Learner.snooze_until <= now)
        .order_by(Learner.snooze_until)
        .limit(limit)
    )
    if _dialect(session) == "postgresql":
        q = q.with_for_update(skip_locked=True, of=Learner)
    rows = [(uid, at) for uid, at in (await session.execute(q)).all() if at is not None]
    if not rows:
        return []
    await session.execute(
        update(Learner)
        .where(Learner.id.in_([uid for uid, _ in rows]))
        .values(snooze_until=None)
        .execution_options(synchronize_session=False)
    )
    return await insert_claims(
        session, [ledger_row("snooze", uid, at.strftime("%Y-%m-%dT%H:%M"), at, now, by, lease) for uid, at in rows]
    )


async def reclaim_stale(
    session: AsyncSession,
    now: datetime,
    *,
    grace: timedelta,
    by: str,
    limit: int = BATCH,
    lease: timedelta = LEASE,
    shards: tuple[int, list[int]] | None = None,
    exclude: Iterable[int] = (),
) -> list[Claim]:
    """Take over claims whose lease ended (their process died, or a retry is due), if still
    within the grace window; older ones expire (the day is skipped, never replayed). Channel
    posts are taken over only by a process that has the channel's guild on its shards;
    ``exclude``: claims this process is working on itself."""
    kinds: Any = Delivery.kind.in_(("digest", "snooze", "channel"))
    if shards is not None:
        mine = select(StudyChannel.id).where(on_shards(StudyChannel.guild_id, shards))
        kinds = Delivery.kind.in_(("digest", "snooze")) | ((Delivery.kind == "channel") & Delivery.target_id.in_(mine))
    q = (
        select(
            Delivery.id,
            Delivery.kind,
            Delivery.target_id,
            Delivery.slot,
            Delivery.slot_at,
            Delivery.claimed_at,
            Delivery.attempts,
        )
        .where(Delivery.status == "claimed", Delivery.lease_until <= now, kinds)
        .order_by(Delivery.lease_until)
        .limit(limit)
    )
    if _dialect(session) == "postgresql":
        q = q.with_for_update(skip_locked=True, of=Delivery)
    skip = set(exclude)
    expired, taken = [], []
    for did, kind, target, slot, slot_at, claimed_at, attempts in (await session.execute(q)).all():
        if did in skip:
            continue
        if (slot_at or claimed_at) < now - grace:
            expired.append(did)
        else:
            taken.append(Claim(did, kind, target, slot, attempts))
    if expired:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(expired))
            .values(
                status="expired",
                lease_until=None,
                error=func.coalesce(Delivery.error, "not sent before the grace window ended"),
            )
            .execution_options(synchronize_session=False)
        )
    if taken:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([c.delivery_id for c in taken]))
            .values(claimed_by=by, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return taken


async def renew_leases(session: AsyncSession, ids: list[int], by: str, until: datetime) -> int:
    """The heartbeat: this process is still working on these claims."""
    res = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == by, Delivery.status == "claimed")
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


async def expired_leases(session: AsyncSession, now: datetime) -> bool:
    """Is any claim's lease over (a dead process's claim, or a retry that is due)?"""
    q = select(Delivery.id).where(Delivery.status == "claimed", Delivery.lease_until <= now).limit(1)
    return (await session.scalar(q)) is not None


async def release_claims(session: AsyncSession, by: str, now: datetime) -> int:
    """On shutdown: make this process's unsent claims available at once."""
    res = await session.execute(
        update(Delivery)
        .where(Delivery.status == "claimed", Delivery.claimed_by == by)
        .values(lease_until=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS) - 1)]


async def finish(session: AsyncSession, claim: Claim, outcome: Outcome, now: datetime, *, by: str) -> bool:
    """Record an attempt's outcome, if this process still holds the claim (False: another
    process took it over meanwhile and will record its own)."""
    held = (Delivery.id == claim.delivery_id, Delivery.status == "claimed", Delivery.claimed_by == by)
    if outcome.status == "retry":
        values: dict[str, Any] = {
            "claimed_by": None,
            "lease_until": now + retry_delay(claim.attempts),
            "attempts": Delivery.attempts + 1,
            "error": outcome.error,
        }
    elif outcome.status in FINAL:
        values = {
            "status": outcome.status,
            "error": outcome.error,
            "message_id": outcome.message_id,
            "channel_id": outcome.channel_id if outcome.channel_id is not None else Delivery.channel_id,
            "lease_until": None,
            "attempts": Delivery.attempts + 1,
        }
        if outcome.status == "sent":
            values["sent_at"] = now
    else:
        raise ValueError(f"unknown outcome {outcome.status!r}")
    res = await session.execute(
        update(Delivery).where(*held).values(**values).execution_options(synchronize_session=False)
    )
    if not res.rowcount:  # type: ignore[attr-defined]
        return False
    if outcome.status == "closed" and claim.kind in ("digest", "snooze"):
        await dm.mark_closed(session, claim.target_id)
    return True


async def due_backlog(session: AsyncSession, now: datetime) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Learner).where(Learner.next_digest_at <= now)) or 0
    )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def expected_transient(exc: BaseException) -> bool:
    """Failures that come and go (no traceback needed): the database, the network, time-outs."""
    return isinstance(exc, OperationalError | DBAPIError | OSError | TimeoutError | ConnectionError)


@dataclass
class DrainResult:
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
