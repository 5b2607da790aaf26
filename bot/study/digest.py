"""The daily digest: what one learner gets today, if anything. No Discord here."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.db import digest_reads as reads
from bot.db import queries
from bot.db.models import Card, Delivery, Learner, QuizSession
from bot.errors import NotAllowed, StaleInteraction
from bot.study import quiz, starting
from bot.study.learners import on_vacation
from scheduler.timeutil import day_start, local_date, zone

BACKLOG_DAYS = 5
SNOOZE = timedelta(hours=1)
NOTHING_DUE = "nothing due, paused or on vacation"


@dataclass(frozen=True)
class Digest:
    step: quiz.Step
    due: int  # reviews due now (after spreading any backlog)
    new: int  # new questions in today's digest
    reminder: bool = False  # a "Snooze 1 h" reminder of an earlier digest
    dm_channel_id: int | None = None


async def spread_backlog(session: AsyncSession, learner: Learner, now: datetime) -> int:
    """After a vacation, keep about a day's share of overdue cards due now and move the rest
    to the following days (most overdue first), over at most five days. Returns cards moved."""
    cards = list(
        await session.scalars(
            select(Card)
            .where(
                Card.learner_id == learner.id, Card.suspended.is_(False), Card.due <= now, Card.last_review.is_not(None)
            )
            .order_by(Card.due)
        )
    )
    per_day = max(learner.digest_size, math.ceil(len(cards) / BACKLOG_DAYS))
    for index, card in enumerate(cards[per_day:]):
        card.due = now + timedelta(days=1 + index // per_day)
    return max(0, len(cards) - per_day)


async def prepare(session: AsyncSession, content: Content, learner: Learner, now: datetime) -> Digest | None:
    """Today's digest session for ``learner``, or None (nothing due, paused, on vacation)."""
    if not learner.digest_enabled or learner.paused or on_vacation(learner, now):
        return None
    if learner.vacation_until is not None:  # back from a vacation
        await spread_backlog(session, learner, now)
        learner.vacation_until = None
    queue = await starting.build_queue(session, content, learner, now, topic_ids=None, count=learner.digest_size)
    if not queue:
        return None
    # Pushed by DM: when the learner sees it is unknown, so the first answer is not timed.
    step = await quiz.create_session(session, content, learner.id, queue, "digest", now, shown=False)
    return await _counted(session, learner, step, now)


async def _counted(session: AsyncSession, learner: Learner, step: quiz.Step, now: datetime) -> Digest:
    due = await queries.count_due(session, learner.id, now)
    fresh = await session.scalars(
        select(Card.question_id).where(
            Card.learner_id == learner.id, Card.question_id.in_(step.session.queue), Card.last_review.is_(None)
        )
    )
    return Digest(step, due, len(set(fresh)), dm_channel_id=learner.dm_channel_id)


async def for_delivery(
    session: AsyncSession, content: Content, delivery_id: int, kind: str, learner_id: int, now: datetime
) -> Digest | str:
    """What to send for a claimed digest or snooze reminder, or why nothing is sent. Made once
    per delivery: a retry or a takeover re-sends the same quiz session.

    The common case (a first attempt of a digest, the learner not back from a vacation) is
    a handful of Core statements; the rest takes the general path."""
    if kind == "digest":
        target = await reads.digest_target(session, learner_id, delivery_id)
        fresh = target is not None and target.session_id is None and target.vacation_until is None
        if target is not None and fresh and target.dm_status != "closed":
            return await _fresh_digest(session, content, delivery_id, target, now)
    return await _general(session, content, delivery_id, kind, learner_id, now)


async def _fresh_digest(
    session: AsyncSession, content: Content, delivery_id: int, target: reads.DigestTarget, now: datetime
) -> Digest | str:
    """``prepare`` for a learner not on (or back from) a vacation, without ORM objects: the
    day's counts, the queue and the due count in one read, then the session and the
    delivery's link to it."""
    if not target.digest_enabled or target.paused:
        return NOTHING_DUE
    limits, size, live = target.limits, target.digest_size, content.questions
    tz = zone(limits.timezone)
    since = day_start(local_date(now, tz, limits.day_cutoff_hour), tz, limits.day_cutoff_hour)
    read = await reads.digest_queue(session, limits.learner_id, since, now, size)
    # The daily limits, as ``starting.build_queue`` applies them.
    review_budget = max(0, limits.reviews_per_day - read.reviews_today)
    new_budget = max(0, limits.new_per_day - read.new_today)
    due_ids = [q for q in read.due[: min(size, review_budget)] if q in live]
    room = min(size - len(due_ids), new_budget, review_budget - len(due_ids))
    new_ids = [q for q in read.new[: max(0, room)] if q in live]
    queue = due_ids + new_ids
    if not queue:
        return NOTHING_DUE
    values = {
        "learner_id": limits.learner_id,
        "source": "digest",
        "queue": queue,
        "position": 0,
        "answered": False,
        "correct_count": 0,
        "answered_count": 0,
        "seed": random.randrange(1 << 30),
        "shown_at": None,  # pushed by DM: the first answer is not timed
        "created_at": now,
    }
    sid = await reads.insert_session(session, delivery_id, values)
    step = quiz.step_of(content, QuizSession(id=sid, finished_at=None, **values))
    return Digest(step, read.due_total, len(new_ids), dm_channel_id=target.dm_channel_id)


async def _general(
    session: AsyncSession, content: Content, delivery_id: int, kind: str, learner_id: int, now: datetime
) -> Digest | str:
    learner = await session.get(Learner, learner_id)
    if learner is None or learner.dm_status == "closed":
        return "learner gone or DMs closed"
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None:
        return "delivery gone"
    if delivery.session_id is not None:  # a retry: the session exists already
        qs = await session.get(QuizSession, delivery.session_id)
        if qs is None or qs.finished_at is not None:
            return "digest already finished"
        step = await quiz.presented(session, content, qs)
        digest = await _counted(session, learner, step, now)
        return replace(digest, reminder=kind == "snooze")
    if kind == "digest":
        prepared = await prepare(session, content, learner, now)
        if prepared is None:
            return NOTHING_DUE
        delivery.session_id = prepared.step.session.id
        return prepared
    qs = await latest_open_session(session, learner.id)
    if qs is None:
        return "digest already finished"
    step = await quiz.presented(session, content, qs)
    if step.finished:
        return "digest already finished"
    qs.shown_at = None  # pushed again: the answer to it is not timed
    delivery.session_id = qs.id
    return Digest(step, 0, 0, reminder=True, dm_channel_id=learner.dm_channel_id)


async def latest_open_session(session: AsyncSession, learner_id: int) -> QuizSession | None:
    """The learner's newest unfinished digest session, if any."""
    return await session.scalar(
        select(QuizSession)
        .where(QuizSession.learner_id == learner_id, QuizSession.source == "digest", QuizSession.finished_at.is_(None))
        .order_by(QuizSession.id.desc())
        .limit(1)
    )


def slot_key(learner: Learner, slot: datetime) -> str:
    """The ledger key of a digest: the learner's local date of the slot."""
    return local_date(slot, zone(learner.timezone)).isoformat()


async def _open_digest(session: AsyncSession, sid: int, uid: int) -> QuizSession:
    qs = await session.get(QuizSession, sid)
    if qs is None or qs.source != "digest":
        raise StaleInteraction("That digest no longer exists.", title="Digest gone")
    if qs.learner_id != uid:
        raise NotAllowed("That digest belongs to someone else.", title="Not your digest")
    if qs.finished_at is not None:
        raise StaleInteraction("That digest is already finished.", title="Digest finished")
    return qs


async def snooze(session: AsyncSession, sid: int, uid: int, now: datetime) -> datetime:
    """ "Snooze 1 h" on a digest: it is sent again an hour from now; returns when."""
    qs = await _open_digest(session, sid, uid)
    learner = await queries.ensure_learner(session, qs.learner_id, now)
    learner.snooze_until = now + SNOOZE
    return learner.snooze_until


async def skip_today(session: AsyncSession, content: Content, sid: int, uid: int, now: datetime) -> None:
    """ "Skip today" on a digest: the session ends and no reminder of it is sent."""
    qs = await _open_digest(session, sid, uid)
    await quiz.stop(session, content, sid, qs.learner_id, now)
    learner = await queries.ensure_learner(session, qs.learner_id, now)
    learner.snooze_until = None
