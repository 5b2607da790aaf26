"""The statements of a digest delivery, the hot path of a dispatch: Core, built once with
bound parameters (building a SQLAlchemy statement costs more CPU than running it on SQLite),
and few: one read for the learner and the delivery, one for the queue, then the session's
INSERT and the delivery's link to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Insert,
    Integer,
    Select,
    String,
    Update,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, Card, Delivery, Learner, QuizSession, ReviewLog
from bot.db.queries import _new_for, _reviewable


@dataclass(frozen=True)
class DayLimits:
    """What the daily limits of a learner depend on."""

    learner_id: int
    timezone: str
    day_cutoff_hour: int
    reviews_per_day: int
    new_per_day: int


@dataclass(frozen=True)
class DigestTarget:
    """One read for a claimed digest: the learner's digest settings and the delivery's session."""

    limits: DayLimits
    dm_status: str
    dm_channel_id: int | None
    digest_enabled: bool
    paused: bool
    vacation_until: date | None
    digest_size: int
    session_id: int | None


@dataclass(frozen=True)
class DigestQueue:
    """What a digest is built from, read in one statement."""

    reviews_today: int  # as ``queries.reviews_since``
    new_today: int
    due: list[str]  # ``queries.due_cards``' question ids, most overdue first (up to the digest's size)
    due_total: int  # ``queries.count_due``
    new: list[str]  # ``queries.new_cards``' question ids, oldest first (up to the digest's size)


@cache
def _target_statement() -> Select[str, int, int, int, str, int | None, bool, bool, date | None, int, int | None]:
    return (
        select(
            Learner.timezone,
            Learner.day_cutoff_hour,
            Learner.reviews_per_day,
            Learner.new_per_day,
            Learner.dm_status,
            Learner.dm_channel_id,
            Learner.digest_enabled,
            Learner.paused,
            Learner.vacation_until,
            Learner.digest_size,
            Delivery.session_id,
        )
        .join(Delivery, Delivery.target_id == Learner.id)
        .where(Learner.id == bindparam("uid", type_=BigInteger), Delivery.id == bindparam("did", type_=BigInteger))
    )


async def digest_target(session: AsyncSession, learner_id: int, delivery_id: int) -> DigestTarget | None:
    """The learner and delivery a digest claim names, in one statement (None: either is gone)."""
    row = (await session.execute(_target_statement(), {"uid": learner_id, "did": delivery_id})).first()
    if row is None:
        return None
    tz, cutoff, reviews, new, status, channel, enabled, paused, vacation, size, sid = row
    return DigestTarget(
        DayLimits(learner_id, tz, cutoff, reviews, new), status, channel, enabled, paused, vacation, size, sid
    )


@cache
def _queue_statement() -> CompoundSelect[str, str | None, int, int, int]:
    uid = bindparam("uid", type_=BigInteger)
    size = bindparam("size", type_=Integer)
    due = (
        select(
            literal("due").label("part"),
            Card.question_id.label("question"),
            func.row_number().over(order_by=(Card.due, Card.id)).label("rank"),
            func.count().over().label("n"),
            literal(0).label("m"),
        )
        .where(*_reviewable(uid), Card.due <= bindparam("now", type_=Card.due.type), Card.last_review.is_not(None))
        .order_by(Card.due, Card.id)
        .limit(size)
        .subquery()
    )
    new = (
        select(
            literal("new").label("part"),
            Card.question_id.label("question"),
            func.row_number().over(order_by=Card.id).label("rank"),
            literal(0).label("n"),
            literal(0).label("m"),
        )
        .where(*_new_for(uid))
        .order_by(Card.id)
        .limit(size)
        .subquery()
    )
    day = select(
        literal("day"),
        literal(None, String),
        literal(0),
        func.count(),
        func.coalesce(func.sum(case((ReviewLog.was_new, 1), else_=0)), 0),
    ).where(
        ReviewLog.learner_id == uid,
        ReviewLog.reviewed_at >= bindparam("since", type_=ReviewLog.reviewed_at.type),
        ReviewLog.source != "placement",
    )
    return union_all(select(due), select(new), day)


async def digest_queue(session: AsyncSession, user_id: int, since: datetime, now: datetime, size: int) -> DigestQueue:
    """``reviews_since``, ``due_cards``, ``count_due`` and ``new_cards`` for one learner, up
    to ``size`` cards each, in one statement (a UNION ALL of the four reads)."""
    params = {"uid": user_id, "since": since, "now": now, "size": max(1, size)}
    rows = (await session.execute(_queue_statement(), params)).all()
    parts: dict[str, list[tuple[int, str]]] = {"due": [], "new": []}
    reviews = fresh = total = 0
    for part, question, rank, count, extra in rows:
        if part == "day":
            reviews, fresh = int(count), int(extra)
        else:
            parts[part].append((int(rank), str(question)))
            total = max(total, int(count))
    due_ids, new_ids = ([q for _, q in sorted(parts[p])] for p in ("due", "new"))
    return DigestQueue(reviews, fresh, due_ids, total, new_ids)


@cache
def _session_insert() -> Insert:
    table = Base.metadata.tables[QuizSession.__tablename__]
    return table.insert().returning(table.c.id)


@cache
def _session_link() -> Update:
    table = Base.metadata.tables[Delivery.__tablename__]
    return update(table).where(table.c.id == bindparam("did")).values(session_id=bindparam("sid"))


async def insert_session(session: AsyncSession, delivery_id: int, values: dict[str, object]) -> int:
    """Insert a quiz session row and link the delivery to it; returns the session's id."""
    sid = (await session.execute(_session_insert(), values)).scalar_one()
    await session.execute(_session_link(), {"did": delivery_id, "sid": sid})
    return int(sid)
