"""Starting a quiz session: what a learner is asked when they run `/quiz`. No Discord here.

A valid request always starts something or says, neutrally, why there is nothing to do
(``Notice``): a newcomer without topics gets the suggested starting topic added; `level:`
adds at most the next topic of that level (adding the whole level is an explicit choice,
offered with its count); `mode:cram` practises without touching the schedule; and
`mode:mistakes` reviews what the learner got wrong in the last 30 days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content, Topic
from bot.db import queries
from bot.db.models import Learner, QuizSession, ReviewLog, TopicProgress
from bot.errors import InvalidInput, NotFound, Notice
from bot.study import progress
from bot.study.quiz import Step, create_session
from scheduler.timeutil import day_start, local_date, zone

MAX_COUNT = 50
MISTAKES_DAYS = 30
RESUME_HOURS = 24
MODES = ("review", "cram", "mistakes")


@dataclass(frozen=True)
class LevelOffer:
    """Adding a whole level to the reviews, offered with what it means."""

    level: int
    topics: int
    questions: int


@dataclass(frozen=True)
class Started:
    """A new session, and one line on anything done on the learner's behalf."""

    step: Step
    note: str | None = None
    offer: LevelOffer | None = None


async def day_budget(session: AsyncSession, learner: Learner, now: datetime) -> tuple[int, int]:
    """(reviews, new questions) the learner has left today, from their daily limits."""
    tz = zone(learner.timezone)
    start_of_day = day_start(local_date(now, tz, learner.day_cutoff_hour), tz, learner.day_cutoff_hour)
    reviews, new = await queries.reviews_since(session, learner.id, start_of_day)
    return max(0, learner.reviews_per_day - reviews), max(0, learner.new_per_day - new)


async def build_queue(
    session: AsyncSession, content: Content, learner: Learner, now: datetime, *, topic_ids: list[str] | None, count: int
) -> list[str]:
    """Due cards first (most overdue first), then new cards, within the daily limits: at most
    ``new_per_day`` first reviews, and at most ``reviews_per_day`` reviews of any kind."""
    review_budget, new_budget = await day_budget(session, learner, now)
    live = set(content.questions)
    due = await queries.due_cards(session, learner.id, now, min(count, review_budget), topic_ids, live)
    room = min(count - len(due), new_budget, review_budget - len(due))
    new = await queries.new_cards(session, learner.id, room, topic_ids) if room > 0 else []
    return [c.question_id for c in [*due, *new] if c.question_id in live]


def resolve_scope(content: Content, topic: str | None, level: int | None) -> list[str] | None:
    """The topic ids a session may draw from (None: the learner's own topics); NotFound for
    unknown ones."""
    if topic is not None:
        if topic not in content.topics:
            raise NotFound(
                f"There is no topic {topic!r}. Start typing a topic name to see suggestions.", title="Unknown topic"
            )
        return [topic]
    if level is not None:
        found = content.level(level)
        if found is None:
            numbers = ", ".join(str(x.number) for x in content.levels)
            raise NotFound(f"There is no level {level}; levels are {numbers}.", title="Unknown level")
        return [t.id for t in found.topics]
    return None


async def _rows(session: AsyncSession, user_id: int) -> dict[str, TopicProgress]:
    return await queries.progress_map(session, user_id)


async def starting_topic(session: AsyncSession, content: Content, user_id: int, now: datetime) -> Topic | None:
    """Where to start: the first topic not complete whose prerequisites are (what /progress
    suggests), never one the learner took out of their reviews."""
    rows = await _rows(session, user_id)
    levels = await progress.roadmap_progress(session, content, user_id, now)
    removed = {tid for tid, row in rows.items() if row.removed_at is not None}
    return progress.suggest_next(content, levels, exclude=removed)


async def _enrol_start(session: AsyncSession, content: Content, user_id: int, now: datetime) -> str | None:
    rows = await _rows(session, user_id)
    if any(row.enrolled and row.removed_at is None for row in rows.values()):
        return None
    topic = await starting_topic(session, content, user_id, now)
    if topic is None:
        return None
    await progress.enroll(session, content, user_id, topic.id, now)
    return (
        f"I added **{topic.name}** to your reviews: it's the first topic whose prerequisites you have. "
        "Pick another with `/quiz topic:…`, or browse `/roadmap`."
    )


async def _enrol_next_in_level(
    session: AsyncSession, content: Content, user_id: int, number: int, now: datetime
) -> tuple[str | None, LevelOffer | None]:
    level = content.level(number)
    assert level is not None
    rows = await _rows(session, user_id)
    [state] = await progress.roadmap_progress(session, content, user_id, now, levels=[number])
    topics = {t.topic.id: t for t in state.topics}
    active = [t for t in state.topics if t.enrolled and not t.complete and rows[t.topic.id].removed_at is None]
    note = None
    if not active:
        removed = {tid for tid, row in rows.items() if row.removed_at is not None}
        everything = await progress.roadmap_progress(session, content, user_id, now)
        done = {t.topic.id for lp in everything for t in lp.topics if t.complete}
        open_topics = [
            t for t in level.topics if t.id not in done and t.id not in removed and not topics[t.id].enrolled
        ]
        ready = [t for t in open_topics if all(p in done for p in t.prerequisites)]
        chosen = next(iter(ready or open_topics), None)
        if chosen is not None:
            await progress.enroll(session, content, user_id, chosen.id, now)
            note = (
                f"I added **{chosen.name}** to your reviews: the next topic of Level {number} whose prerequisites "
                "you have. Add the whole level with the button below."
            )
    rows = await _rows(session, user_id)
    rest = [t for t in level.topics if not (rows.get(t.id) and rows[t.id].enrolled)]
    offer = None
    if rest:
        offer = LevelOffer(number, len(rest), sum(len(content.topic_questions(t.id)) for t in rest))
    return note, offer


async def enrol_level(session: AsyncSession, content: Content, user_id: int, number: int, now: datetime) -> LevelOffer:
    """Add every topic of a level to the learner's reviews (an explicit choice); returns what
    was added."""
    level = content.level(number)
    if level is None:
        raise NotFound(f"There is no level {number}.", title="Unknown level")
    rows = await _rows(session, user_id)
    added = [t for t in level.topics if not (rows.get(t.id) and rows[t.id].enrolled)]
    for topic in added:
        await progress.enroll(session, content, user_id, topic.id, now)
    return LevelOffer(number, len(added), sum(len(content.topic_questions(t.id)) for t in added))


async def _active_topics(session: AsyncSession, user_id: int) -> list[str]:
    rows = await _rows(session, user_id)
    return [tid for tid, row in rows.items() if row.enrolled and row.removed_at is None]


async def _cram_queue(
    session: AsyncSession, content: Content, user_id: int, scope: list[str] | None, count: int, now: datetime
) -> tuple[list[str], str | None]:
    note = None
    if scope is None:
        scope = await _active_topics(session, user_id)
        if not scope:
            topic = await starting_topic(session, content, user_id, now)
            scope = [topic.id] if topic else [next(iter(content.topics))]
            note = f"Practising **{content.topics[scope[0]].name}**, the first topic whose prerequisites you have."
    pool = [q.id for tid in scope for q in content.topic_questions(tid)]
    return random.Random().sample(pool, min(count, len(pool))), note


async def mistakes(session: AsyncSession, content: Content, user_id: int, now: datetime, count: int) -> list[str]:
    """Questions the learner answered wrong (or rated Again) in the last 30 days, most recent
    first, within their reviews."""
    since = now - timedelta(days=MISTAKES_DAYS)
    latest = func.max(ReviewLog.reviewed_at)
    rows = await session.execute(
        select(ReviewLog.question_id, latest)
        .where(
            ReviewLog.learner_id == user_id,
            ReviewLog.reviewed_at >= since,
            or_(ReviewLog.correct.is_(False), ReviewLog.rating == 1),
        )
        .group_by(ReviewLog.question_id)
        .order_by(latest.desc())
    )
    removed = {tid for tid, row in (await _rows(session, user_id)).items() if row.removed_at is not None}
    live = content.questions
    found = [qid for qid, _ in rows.all() if qid in live and live[qid].topic not in removed]
    return found[:count]


async def resumable(session: AsyncSession, user_id: int, now: datetime) -> QuizSession | None:
    """The learner's latest unfinished `/quiz` session of the last 24 hours, if any."""
    qs = await session.scalar(
        select(QuizSession)
        .where(
            QuizSession.learner_id == user_id,
            QuizSession.source == "quiz",
            QuizSession.finished_at.is_(None),
            QuizSession.created_at >= now - timedelta(hours=RESUME_HOURS),
        )
        .order_by(QuizSession.id.desc())
        .limit(1)
    )
    if qs is None or qs.position >= len(qs.queue):
        return None
    return qs


async def _nothing_due(session: AsyncSession, learner: Learner, now: datetime, scope: list[str] | None) -> Notice:
    review_budget, new_budget = await day_budget(session, learner, now)
    if review_budget == 0:
        msg = "You've done today's reviews (your daily limit). Come back tomorrow, or raise it with `/settings limits`."
        return Notice(msg, title="Daily limit reached")
    upcoming = await queries.next_due(session, learner.id)
    new_left = await queries.count_new_available(session, learner.id)
    parts = ["Nothing is due right now" + (" in that scope" if scope else "") + " — nice work! 🎉"]
    if new_left and new_budget == 0:
        parts.append(f"You've met today's limit of {learner.new_per_day} new questions.")
    if upcoming is not None:
        parts.append(f"Next review <t:{int(upcoming.timestamp())}:R>.")
    parts.append("To practise anyway without changing your schedule, try `/quiz mode:cram`.")
    return Notice(" ".join(parts), title="All caught up")


async def start(
    session: AsyncSession,
    content: Content,
    user_id: int,
    now: datetime,
    *,
    source: str = "quiz",
    topic: str | None = None,
    level: int | None = None,
    count: int = 10,
    mode: str = "review",
) -> Started:
    """Start a session for a valid request, or raise ``Notice`` saying why there is nothing
    to ask (InvalidInput/NotFound only for options that cannot be used)."""
    if not 1 <= count <= MAX_COUNT:
        raise InvalidInput(f"count must be between 1 and {MAX_COUNT}.", title="Count out of range")
    learner = await queries.ensure_learner(session, user_id, now)
    scope = resolve_scope(content, topic, level)
    note, offer = None, None
    if mode == "cram":
        queue, note = await _cram_queue(session, content, user_id, scope, count, now)
        step = await create_session(session, content, user_id, queue, "cram", now)
        return Started(step, note)
    if mode == "mistakes":
        queue = await mistakes(session, content, user_id, now, count)
        if not queue:
            raise Notice(
                "You haven't got anything wrong in the last 30 days — nothing to go over. "
                "`/quiz` carries on with your reviews.",
                title="No mistakes to review",
            )
        return Started(await create_session(session, content, user_id, queue, source, now))
    if topic is not None:
        await progress.enroll(session, content, user_id, topic, now)
    elif level is not None:
        note, offer = await _enrol_next_in_level(session, content, user_id, level, now)
    else:
        note = await _enrol_start(session, content, user_id, now)
    queue = await build_queue(session, content, learner, now, topic_ids=scope, count=count)
    if not queue:
        raise await _nothing_due(session, learner, now, scope)
    return Started(await create_session(session, content, user_id, queue, source, now), note, offer)
