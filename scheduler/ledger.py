"""The delivery ledger: claims, their leases, and what each attempt came to.

Every send that must happen once (a daily digest, a snooze reminder, a study-channel post)
is first claimed here: a ``deliveries`` row whose UNIQUE key is (kind, target, slot), so a
second claimant of the same slot fails on the key. A claim is a lease: the process working
on it renews ``lease_until`` (a heartbeat); a claim whose lease has ended is taken over by
another process (or retried, after a transient failure) while its slot is within the grace
window, and expires after it. Re-sends carry the slot's message nonce, so a message that
went out just before its process died is not repeated within Discord's nonce window.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Update, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Delivery, StudyChannel
from bot.db.queries import affected, core_insert
from bot.study import dm

BATCH = 200
LEASE = timedelta(seconds=60)
# After its in-process retries, a transiently failing claim waits RETRY_DELAYS[attempt].
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5))
FINAL = frozenset({"sent", "skipped", "closed", "failed"})
# What the dispatcher delivers; other kinds use the ledger only as a once-per-slot lease
# (the daily parameter refit: ``scheduler.refit``) and are never taken over by a tick.
DELIVERED = ("digest", "snooze", "channel")


def message_nonce(kind: str, target_id: int, slot: str) -> str:
    """A per-slot message nonce (≤ 25 characters, as Discord allows): a repeated send of the
    same slot within Discord's nonce window returns the first message instead of a new one."""
    return hashlib.sha1(f"{kind}:{target_id}:{slot}".encode()).hexdigest()[:25]


@dataclass(frozen=True)
class Claim:
    """A ledger row this process holds: one send to make, once."""

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
        """A transient failure (the claim is kept and tried again)."""
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
    # Parameters as an executemany (batched into multi-row INSERTs by SQLAlchemy): the
    # statement compiles once, instead of once per batch with every value inlined.
    stmt = (
        core_insert(session, Delivery)
        .on_conflict_do_nothing()
        .returning(Delivery.id, Delivery.kind, Delivery.target_id, Delivery.slot)
    )
    result = await session.execute(stmt, rows)
    return [Claim(did, kind, target, slot) for did, kind, target, slot in result.all()]


def on_shards(
    guild_id: ColumnElement[int] | InstrumentedAttribute[int], shards: tuple[int, list[int]]
) -> ColumnElement[bool]:
    """SQL: the guild is on one of these shards (Discord's rule: (guild_id >> 22) % count)."""
    count, ids = shards
    return ((guild_id // (1 << 22)) % count).in_(ids)


def dialect_of(session: AsyncSession) -> str:
    """The database behind ``session``: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


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
    kinds: ColumnElement[bool] = Delivery.kind.in_(DELIVERED)
    if shards is not None:
        mine = select(StudyChannel.id).where(on_shards(StudyChannel.guild_id, shards))
        kinds = Delivery.kind.in_(("digest", "snooze")) | ((Delivery.kind == "channel") & Delivery.target_id.in_(mine))
    query = (
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
    if dialect_of(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Delivery)
    skip = set(exclude)
    expired: list[int] = []
    taken: list[Claim] = []
    for did, kind, target, slot, slot_at, claimed_at, attempts in (await session.execute(query)).all():
        if did in skip:
            continue
        if (slot_at or claimed_at) < now - grace:
            expired.append(did)
        else:
            taken.append(Claim(did, kind, target, slot, attempts))
    await _expire(session, expired)
    if taken:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([claim.delivery_id for claim in taken]))
            .values(claimed_by=by, lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return taken


async def take_over(
    session: AsyncSession, kind: str, target: int, slot: str, now: datetime, *, by: str, lease: timedelta = LEASE
) -> Claim | None:
    """Take over one claimed slot whose lease ended (its holder stopped renewing it), as a
    compare-and-set: of several processes trying at once, one gets it; None if none did here."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.kind == kind,
            Delivery.target_id == target,
            Delivery.slot == slot,
            Delivery.status == "claimed",
            Delivery.lease_until <= now,
        )
        .values(claimed_by=by, lease_until=now + lease, attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    return Claim(row[0], kind, target, slot, row[1]) if row is not None else None


async def _expire(session: AsyncSession, ids: list[int]) -> None:
    """Claims whose slot left the grace window: given up, keeping the last error seen."""
    if ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(
                status="expired",
                lease_until=None,
                error=func.coalesce(Delivery.error, "not sent before the grace window ended"),
            )
            .execution_options(synchronize_session=False)
        )


async def renew_leases(session: AsyncSession, ids: list[int], by: str, until: datetime) -> int:
    """The heartbeat: this process is still working on these claims."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == by, Delivery.status == "claimed")
        .values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


async def expired_leases(session: AsyncSession, now: datetime) -> bool:
    """Is any delivery claim's lease over (a dead process's claim, or a retry that is due)?"""
    query = (
        select(Delivery.id)
        .where(Delivery.status == "claimed", Delivery.lease_until <= now, Delivery.kind.in_(DELIVERED))
        .limit(1)
    )
    return (await session.scalar(query)) is not None


async def release_claims(session: AsyncSession, by: str, now: datetime) -> int:
    """On shutdown: make this process's unsent claims available at once."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.status == "claimed", Delivery.claimed_by == by)
        .values(lease_until=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return affected(result)


def retry_delay(attempts: int) -> timedelta:
    """How long a transiently failing claim waits before its next attempt."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS) - 1)]


@cache
def _finish_statements() -> tuple[Update, Update]:
    """The two UPDATEs of ``finish`` (a retry; a final outcome), built once."""
    table = Delivery.metadata.tables[Delivery.__tablename__]
    held = (
        table.c.id == bindparam("did"),
        table.c.status == "claimed",
        table.c.claimed_by == bindparam("by"),
    )
    retry = (
        update(table)
        .where(*held)
        .values(
            claimed_by=None,
            lease_until=bindparam("lease_until", type_=table.c.lease_until.type),
            attempts=table.c.attempts + 1,
            error=bindparam("error"),
        )
    )
    final = (
        update(table)
        .where(*held)
        .values(
            status=bindparam("status"),
            error=bindparam("error"),
            message_id=bindparam("message_id", type_=table.c.message_id.type),
            channel_id=func.coalesce(bindparam("channel_id", type_=table.c.channel_id.type), table.c.channel_id),
            lease_until=None,
            attempts=table.c.attempts + 1,
            sent_at=func.coalesce(bindparam("sent_at", type_=table.c.sent_at.type), table.c.sent_at),
        )
    )
    return retry, final


async def finish(session: AsyncSession, claim: Claim, outcome: Outcome, now: datetime, *, by: str) -> bool:
    """Record an attempt's outcome, if this process still holds the claim (False: another
    process took it over meanwhile and will record its own)."""
    retry, final = _finish_statements()
    params: dict[str, object] = {"did": claim.delivery_id, "by": by, "error": outcome.error}
    if outcome.status == "retry":
        stmt = retry
        params["lease_until"] = now + retry_delay(claim.attempts)
    elif outcome.status in FINAL:
        stmt = final
        params.update(
            status=outcome.status,
            message_id=outcome.message_id,
            channel_id=outcome.channel_id,
            sent_at=now if outcome.status == "sent" else None,
        )
    else:
        raise ValueError(f"unknown outcome {outcome.status!r}")
    if not affected(await session.execute(stmt, params)):
        return False
    if outcome.status == "closed" and claim.kind in ("digest", "snooze"):
        await dm.mark_closed(session, claim.target_id)
    return True
