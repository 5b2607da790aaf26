"""Claiming due work: digests, snooze reminders and study-channel posts, in bulk.

A tick claims due rows in short transactions (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so
several processes share the work), writes their ledger rows and moves each schedule on to
its next slot; a slot missed for longer than the grace window is skipped, never replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner, StudyChannel
from scheduler.ledger import BATCH, LEASE, Claim, dialect_of, insert_claims, ledger_row, on_shards
from scheduler.timeutil import ALL_DAYS, local_date, next_slot, zone

# (id, time zone, minute of day, weekday mask, due slot) of a learner or study channel
Due = tuple[int, str, int, int, datetime | None]


async def _claim_slots(
    session: AsyncSession,
    model: type[Learner] | type[StudyChannel],
    next_column: str,
    kind: str,
    rows: Sequence[Due],
    now: datetime,
    grace: timedelta,
    by: str,
    key: Callable[[datetime, ZoneInfo], str],
    lease: timedelta = LEASE,
) -> list[Claim]:
    """The shared claim step: a due slot gets a ledger row (unless anyone ever claimed it), a
    slot missed for longer than ``grace`` is skipped (never replayed), and every schedule
    moves on to its next slot, in bulk."""
    advances: list[dict[str, object]] = []
    ledger: list[dict[str, object]] = []
    for target, tz_name, minute, mask, due in rows:
        tz = zone(tz_name)
        assert due is not None
        slot = due
        while slot < now - grace:
            slot = next_slot(slot, tz, minute, mask)
        advances.append({"target": target, "next_at": slot if slot > now else next_slot(slot, tz, minute, mask)})
        if slot <= now:
            ledger.append(ledger_row(kind, target, key(slot, tz), slot, now, by, lease))
    if advances:
        # A Core executemany (no ORM bulk machinery): compiled once, run for every row.
        table = model.metadata.tables[str(model.__tablename__)]
        await session.execute(
            update(table).where(table.c.id == bindparam("target")).values({next_column: bindparam("next_at")}),
            advances,
        )
    return await insert_claims(session, ledger)


def due_learners(now: datetime, limit: int, dialect: str) -> Select[int, str, int, datetime | None]:
    """Learners whose digest is due, oldest first: a range scan of ix_learners_next_digest_at
    returning only what a claim needs (no ORM objects: cheap at any scale)."""
    query = (
        select(Learner.id, Learner.timezone, Learner.digest_minute, Learner.next_digest_at)
        .where(Learner.next_digest_at <= now)
        .order_by(Learner.next_digest_at)
        .limit(limit)
    )
    return query.with_for_update(skip_locked=True, of=Learner) if dialect == "postgresql" else query


async def claim_digests(
    session: AsyncSession, now: datetime, *, grace: timedelta, by: str, limit: int = BATCH, lease: timedelta = LEASE
) -> list[Claim]:
    """Claim up to ``limit`` due digests (ledger key: learner + local date) and move each
    learner's next digest time on, in bulk."""
    rows = (await session.execute(due_learners(now, limit, dialect_of(session)))).all()
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
    """Claim due study-channel posts (ledger key: channel + slot) and move their schedules
    on. With ``shards`` (count, ids) only guilds on this process's shards are claimed: only
    those are in its cache."""
    query = (
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
        query = query.where(on_shards(StudyChannel.guild_id, shards))
    if dialect_of(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=StudyChannel)
    rows = [(sid, tz, minute, mask, due) for sid, tz, minute, mask, due in (await session.execute(query)).all()]
    return await _claim_slots(
        session,
        StudyChannel,
        "next_post_at",
        "channel",
        rows,
        now,
        grace,
        by,
        key=lambda slot, _tz: slot.strftime("%Y-%m-%dT%H:%MZ"),
        lease=lease,
    )


async def claim_snoozes(
    session: AsyncSession, now: datetime, *, by: str, limit: int = BATCH, lease: timedelta = LEASE
) -> list[Claim]:
    """Claim due "Snooze 1 h" reminders (ledger key: learner + snooze time)."""
    query = (
        select(Learner.id, Learner.snooze_until)
        .where(Learner.snooze_until <= now)
        .order_by(Learner.snooze_until)
        .limit(limit)
    )
    if dialect_of(session) == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Learner)
    rows = [(uid, at) for uid, at in (await session.execute(query)).all() if at is not None]
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


async def due_backlog(session: AsyncSession, now: datetime) -> int:
    """How many learners' digests are due and not yet claimed."""
    count = await session.scalar(select(func.count()).select_from(Learner).where(Learner.next_digest_at <= now))
    return int(count or 0)
