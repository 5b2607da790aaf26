"""Daily digests: claim due learners in the ledger, then send each exactly once.

The database is the source of truth. A tick claims due learners in short transactions
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so several processes share the work), writes a
ledger row whose UNIQUE key is (learner, local date), commits, and only then sends,
outside the transaction, through the shared rate limiter. A second claimant of the same
slot fails on the key; a crash between claim and send leaves a ``claimed`` row that a
later tick sends once (with the same message nonce, so a send that did happen is not
repeated). Nothing here imports Discord: the bot supplies ``deliver``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Learner, StudyChannel
from bot.db.queries import insert_stmt
from scheduler.timeutil import ALL_DAYS, local_date, next_slot, zone

log = logging.getLogger(__name__)

BATCH = 200
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    kind: str  # digest | snooze | channel
    target_id: int  # the learner (digest, snooze) or the study channel's row id (channel)
    slot: str


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | skipped | failed | closed
    message_id: int | None = None
    channel_id: int | None = None
    error: str | None = None


Deliver = Callable[[Claim], Awaitable[Outcome]]


async def _ledger(
    session: AsyncSession, kind: str, target: int, slot: str, slot_at: datetime, now: datetime, by: str
) -> int | None:
    """Insert the ledger row; None if that slot was already claimed (by anyone, ever)."""
    stmt = (
        insert_stmt(session, Delivery)
        .values(
            kind=kind,
            target_id=target,
            slot=slot,
            slot_at=slot_at,
            status="claimed",
            claimed_at=now,
            claimed_by=by,
            answers=0,
            correct_answers=0,
        )
        .on_conflict_do_nothing()
        .returning(Delivery.id)
    )
    return await session.scalar(stmt)


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
) -> list[Claim]:
    """The shared claim step. ``rows``: (id, time zone, minute of day, weekday mask, due slot).

    A slot missed for longer than ``grace`` is skipped (never replayed); a due one gets a
    ledger row (kind, id, ``key``) — inserted only if nobody ever claimed it: the UNIQUE key
    decides — and every schedule moves on to its next slot, in bulk."""
    advances: list[dict[str, object]] = []
    ledger: list[dict[str, object]] = []
    for target, tz_name, minute, mask, slot in rows:
        tz = zone(tz_name)
        assert slot is not None
        while slot < now - grace:
            slot = next_slot(slot, tz, minute, mask)
        advances.append({"id": target, next_column: slot if slot > now else next_slot(slot, tz, minute, mask)})
        if slot <= now:
            ledger.append(
                {
                    "kind": kind,
                    "target_id": target,
                    "slot": key(slot, tz),
                    "slot_at": slot,
                    "status": "claimed",
                    "claimed_at": now,
                    "claimed_by": by,
                    "answers": 0,
                    "correct_answers": 0,
                }
            )
    if advances:
        await session.execute(update(model), advances)
    if not ledger:
        return []
    stmt = (
        insert_stmt(session, Delivery)
        .values(ledger)
        .on_conflict_do_nothing()
        .returning(Delivery.id, Delivery.target_id, Delivery.slot)
    )
    return [Claim(did, kind, target, slot) for did, target, slot in (await session.execute(stmt)).all()]


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


async def claim_digests(
    session: AsyncSession, now: datetime, *, grace: timedelta, by: str, limit: int = BATCH
) -> list[Claim]:
    """Claim up to ``limit`` due digests and advance each learner's next digest time, in bulk."""
    rows = (await session.execute(due_learners(now, limit, session.get_bind().dialect.name))).all()
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
    if session.get_bind().dialect.name == "postgresql":
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
    )


async def claim_snoozes(session: AsyncSession, now: datetime, *, by: str, limit: int = BATCH) -> list[Claim]:
    q = select(Learner).where(Learner.snooze_until <= now).order_by(Learner.snooze_until).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    claims = []
    for learner in await session.scalars(q):
        assert learner.snooze_until is not None
        at = learner.snooze_until
        key = at.strftime("%Y-%m-%dT%H:%M")
        learner.snooze_until = None
        did = await _ledger(session, "snooze", learner.id, key, at, now, by)
        if did is not None:
            claims.append(Claim(did, "snooze", learner.id, key))
    return claims


async def reclaim_stale(
    session: AsyncSession,
    now: datetime,
    *,
    grace: timedelta,
    by: str,
    limit: int = BATCH,
    stale: timedelta = STALE_CLAIM,
    shards: tuple[int, list[int]] | None = None,
) -> list[Claim]:
    """Claims left by a crashed sender: send them once more if still within the grace window;
    older ones are given up (the day is skipped, never replayed). Channel posts are taken
    over only by a process that has the channel's guild on its shards."""
    kinds: Any = Delivery.kind.in_(("digest", "snooze", "channel"))
    if shards is not None:
        mine = select(StudyChannel.id).where(on_shards(StudyChannel.guild_id, shards))
        kinds = Delivery.kind.in_(("digest", "snooze")) | ((Delivery.kind == "channel") & Delivery.target_id.in_(mine))
    q = (
        select(Delivery)
        .where(Delivery.status == "claimed", Delivery.claimed_at < now - stale, kinds)
        .order_by(Delivery.claimed_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    claims = []
    for d in await session.scalars(q):
        if (d.slot_at or d.claimed_at) < now - grace:
            d.status, d.error = "failed", "claimed but not sent before the grace window ended"
            continue
        d.claimed_at, d.claimed_by = now, by
        claims.append(Claim(d.id, d.kind, d.target_id, d.slot))
    return claims


async def release_claims(session: AsyncSession, by: str, now: datetime, stale: timedelta = STALE_CLAIM) -> int:
    """On shutdown: make this process's unsent claims reclaimable at once."""
    res = await session.execute(
        update(Delivery)
        .where(Delivery.status == "claimed", Delivery.claimed_by == by)
        .values(claimed_at=now - stale - timedelta(seconds=1), claimed_by=None)
    )
    return res.rowcount or 0  # type: ignore[attr-defined]


async def finish(session: AsyncSession, claim: Claim, outcome: Outcome, now: datetime) -> None:
    d = await session.get(Delivery, claim.delivery_id)
    if d is None:
        return
    d.status, d.error = outcome.status, outcome.error
    d.message_id, d.channel_id = outcome.message_id, outcome.channel_id
    if outcome.status == "sent":
        d.sent_at = now
    if outcome.status == "closed":
        learner = await session.get(Learner, claim.target_id)
        if learner is not None:
            learner.dm_status, learner.next_digest_at, learner.snooze_until = "closed", None, None


async def due_backlog(session: AsyncSession, now: datetime) -> int:
    from sqlalchemy import func

    return int(
        await session.scalar(select(func.count()).select_from(Learner).where(Learner.next_digest_at <= now)) or 0
    )


class Dispatcher:
    """Runs the claim → send → finish cycle; concurrency bounded, rate shared."""

    def __init__(
        self,
        unit: Callable[[], object],
        clock: Callable[[], datetime],
        deliver: Deliver,
        *,
        process_id: str,
        grace: timedelta,
        concurrency: int = 32,
        stale: timedelta = STALE_CLAIM,
        shards: tuple[int, list[int]] | None = None,
    ) -> None:
        self.unit = unit
        self.now = clock
        self.deliver = deliver
        self.process_id = process_id
        self.grace = grace
        self.concurrency = concurrency
        self.stale = stale
        self.shards = shards
        self.stopping = False
        self.in_flight: set[asyncio.Task[None]] = set()

    async def tick(self) -> int:
        """Claim and send until nothing is due; returns the number of deliveries handled.

        Claiming is pipelined with sending: the next batch is claimed while the previous one
        is still going out, so the rate limiter, not the claim round trips, sets the pace."""
        handled = 0
        sem = asyncio.Semaphore(self.concurrency)
        mine: set[asyncio.Task[None]] = set()
        while not self.stopping:
            if len(mine) > self.concurrency * 2:
                await asyncio.wait(mine, return_when=asyncio.FIRST_COMPLETED)
                continue
            now = self.now()
            async with self.unit() as s:  # type: ignore[attr-defined]
                claims = await reclaim_stale(
                    s, now, grace=self.grace, by=self.process_id, stale=self.stale, shards=self.shards
                )
                claims += await claim_digests(s, now, grace=self.grace, by=self.process_id)
                claims += await claim_snoozes(s, now, by=self.process_id)
                claims += await claim_channel_posts(s, now, grace=self.grace, by=self.process_id, shards=self.shards)
            if not claims:
                break
            for c in claims:
                t = asyncio.create_task(self._one(c, sem))
                for group in (mine, self.in_flight):
                    group.add(t)
                    t.add_done_callback(group.discard)
            handled += len(claims)
        if mine:
            await asyncio.gather(*mine)
        return handled

    async def _one(self, claim: Claim, sem: asyncio.Semaphore) -> None:
        async with sem:
            try:
                outcome = await self.deliver(claim)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("delivery %s to learner %s failed", claim.kind, claim.target_id)
                outcome = Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:500])
            async with self.unit() as s:  # type: ignore[attr-defined]
                await finish(s, claim, outcome, self.now())

    async def drain(self, timeout: float) -> None:
        """Stop claiming; let in-flight sends finish within ``timeout``, then release the rest."""
        self.stopping = True
        if self.in_flight:
            _, pending = await asyncio.wait(set(self.in_flight), timeout=timeout)
            for t in pending:
                t.cancel()
        async with self.unit() as s:  # type: ignore[attr-defined]
            released = await release_claims(s, self.process_id, self.now(), self.stale)
        if released:
            log.info("released %d unsent claims for another process or the next start", released)
