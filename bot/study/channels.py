"""Study channels: schedules, question rotation, posts and members' answers. No Discord here:
the extension and the poster check permissions and render; this module keeps the rules."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import AnyQuestion, Content, MultipleChoice, SelfRated
from bot.db import queries
from bot.db.models import ChannelAnswer, Delivery, StudyChannel
from bot.errors import InvalidInput, NotFound, StaleInteraction
from bot.study import leaderboard
from bot.study.grading import rating_for
from bot.study.lookup import find_topic
from bot.study.reviews import card_for, record_review
from scheduler.ledger import ledger_row
from scheduler.srs import question_kind
from scheduler.timeutil import ALL_DAYS, next_slot, parse_days, zone
from scheduler.zones import UnknownTimezone, find_zone, parse_time_of_day

Parsed = TypeVar("Parsed")
MAX_PER_POST = 4  # stays within Discord's 5 messages / 5 s per channel, with the reveal edit


@dataclass(frozen=True)
class Schedule:
    levels: list[int]
    topics: list[str]
    post_minute: int
    timezone: str
    days_mask: int
    questions_per_post: int


class ScheduleOptions(TypedDict):
    """What an admin typed in /studychannel add or edit (None: not given)."""

    levels: str | None
    topics: str | None
    time: str | None
    timezone: str | None
    days: str | None
    questions: int | None


def _levels(content: Content, text: str, problems: list[str]) -> list[int]:
    found = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or content.level(int(part)) is None:
            numbers = ", ".join(str(level.number) for level in content.levels)
            problems.append(f"level {part!r} does not exist (levels: {numbers})")
        else:
            found.append(int(part))
    return found


def _topics(content: Content, text: str, problems: list[str]) -> list[str]:
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        topic = find_topic(content, part)
        if topic is None:
            problems.append(f"no topic matches {part!r}")
        else:
            found.append(topic.id)
    return found


def _parsed(parse: Callable[[str], Parsed], text: str | None, current: Parsed, problems: list[str]) -> Parsed:
    if text is None:
        return current
    try:
        return parse(text)
    except (ValueError, UnknownTimezone) as exc:
        problems.append(str(exc))
        return current


def parse_schedule(
    content: Content,
    *,
    levels: str | None,
    topics: str | None,
    time: str | None,
    timezone: str | None,
    days: str | None,
    questions: int | None,
    base: StudyChannel | None = None,
) -> Schedule:
    """Validate the options of /studychannel add or edit (``base``: the current values); every
    problem is reported at once, and a scope without questions is refused."""
    problems: list[str] = []
    chosen_levels = _levels(content, levels, problems) if levels is not None else list(base.levels if base else [])
    chosen_topics = _topics(content, topics, problems) if topics is not None else list(base.topics if base else [])
    minute = _parsed(parse_time_of_day, time, base.post_minute if base else 12 * 60, problems)
    tz = _parsed(lambda text: find_zone(text).key, timezone, base.timezone if base else "UTC", problems)
    mask = _parsed(parse_days, days, base.days_mask if base else ALL_DAYS, problems)
    per_post = base.questions_per_post if base else 1
    if questions is not None:
        if not 1 <= questions <= MAX_PER_POST:
            problems.append(f"questions per post must be 1–{MAX_PER_POST}")
        per_post = questions
    if problems:
        raise InvalidInput("Please fix: " + "; ".join(problems) + ".", title="Schedule not saved")
    schedule = Schedule(sorted(set(chosen_levels)), list(dict.fromkeys(chosen_topics)), minute, tz, mask, per_post)
    if not pool(content, schedule.levels, schedule.topics):
        raise InvalidInput("Those levels and topics have no questions to post.", title="No questions in that scope")
    return schedule


def pool(content: Content, levels: list[int], topics: list[str]) -> list[AnyQuestion]:
    """Questions a channel can post: multiple choice and true/false (self-rated flashcards and
    cloze cards are personal)."""
    wanted = set(topics) | {t.id for n in levels if (lv := content.level(n)) for t in lv.topics}
    scope = wanted or set(content.topics)
    return [
        q
        for tid in content.topics
        if tid in scope
        for q in content.topic_questions(tid)
        if not isinstance(q, SelfRated)
    ]


async def get_channel(session: AsyncSession, guild_id: int, channel_id: int) -> StudyChannel:
    """The server's study channel in ``channel_id``; NotFound if it is not one (or is another server's)."""
    sc = await session.scalar(select(StudyChannel).where(StudyChannel.channel_id == channel_id))
    if sc is None or sc.guild_id != guild_id:
        raise NotFound(
            "That channel is not a study channel in this server. See `/studychannel list`.", title="Not a study channel"
        )
    return sc


async def save(
    session: AsyncSession,
    guild_id: int,
    channel_id: int,
    user_id: int,
    sched: Schedule,
    now: datetime,
    *,
    existing: StudyChannel | None = None,
) -> StudyChannel:
    """Create (or, with ``existing``, update) a study channel with ``schedule``; its next post is scheduled."""
    if existing is None:
        other = await session.scalar(select(StudyChannel).where(StudyChannel.channel_id == channel_id))
        if other is not None:
            raise InvalidInput(
                "That channel is already a study channel; change it with `/studychannel edit`.",
                title="Already a study channel",
            )
        existing = StudyChannel(
            guild_id=guild_id,
            channel_id=channel_id,
            created_by=user_id,
            created_at=now,
            used_questions=[],
            paused=False,
        )
        session.add(existing)
    sc = existing
    sc.levels, sc.topics, sc.post_minute, sc.timezone = sched.levels, sched.topics, sched.post_minute, sched.timezone
    sc.days_mask, sc.questions_per_post = sched.days_mask, sched.questions_per_post
    reschedule(sc, now)
    await session.flush()
    return sc


def reschedule(sc: StudyChannel, now: datetime) -> None:
    """Set the next post time from the schedule (none while paused)."""
    sc.next_post_at = None if sc.paused else next_slot(now, zone(sc.timezone), sc.post_minute, sc.days_mask)


def pause(sc: StudyChannel, reason: str, now: datetime) -> None:
    """Stop posting, remembering why; nothing more is claimed until it resumes."""
    sc.paused, sc.pause_reason, sc.next_post_at = True, reason, None


def resume(sc: StudyChannel, now: datetime) -> None:
    """Post again from the next slot; the pause reason and last error are cleared."""
    sc.paused, sc.pause_reason, sc.last_error = False, None, None
    reschedule(sc, now)


def post_key(delivery_id: int) -> str:
    """A channel post's numeric variant is drawn once for the post: everyone sees the same numbers."""
    return f"post/{delivery_id}"


def pick_questions(
    content: Content, sc: StudyChannel, count: int, rng: random.Random | None = None
) -> list[AnyQuestion]:
    """The next ``n`` questions: no repeats until the channel's pool is exhausted, then a new cycle."""
    rng = rng or random.Random()
    available = pool(content, list(sc.levels), list(sc.topics))
    if not available:
        return []
    used = set(sc.used_questions or [])
    fresh = [question for question in available if question.id not in used]
    picked: list[AnyQuestion] = []
    while len(picked) < min(count, len(available)):
        if not fresh:
            used = {question.id for question in picked}
            fresh = [question for question in available if question.id not in used]
        question = fresh.pop(rng.randrange(len(fresh)))
        picked.append(question)
        used.add(question.id)
    sc.used_questions = sorted(used)
    return picked


@dataclass(frozen=True)
class ChannelFeedback:
    question: AnyQuestion
    correct: bool
    answers: int
    correct_answers: int


async def answer(
    session: AsyncSession,
    content: Content,
    delivery_id: int,
    user_id: int,
    guild_id: int | None,
    choice: int,
    now: datetime,
) -> ChannelFeedback:
    """One member's answer to a channel post: recorded once, as a review on their own card."""
    post = await session.get(Delivery, delivery_id)
    if post is None or post.kind != "channel" or post.question_id is None:
        raise StaleInteraction("That question is no longer available.", title="Question gone")
    sc = await session.get(StudyChannel, post.target_id)
    if sc is None or (guild_id is not None and sc.guild_id != guild_id):
        raise StaleInteraction("That study channel no longer exists.", title="Study channel removed")
    question = content.questions.get(post.question_id)
    if question is None or isinstance(question, SelfRated):
        raise StaleInteraction("That question was removed from the course.", title="Question removed")
    learner = await queries.ensure_learner(session, user_id, now)
    correct = (
        choice == question.correct_index if isinstance(question, MultipleChoice) else bool(choice) == question.answer
    )
    # The primary key (post, member) decides: a second click inserts nothing.
    inserted = await session.scalar(
        queries.insert_stmt(session, ChannelAnswer)
        .values(delivery_id=post.id, user_id=user_id, guild_id=sc.guild_id, correct=correct, answered_at=now)
        .on_conflict_do_nothing()
        .returning(ChannelAnswer.user_id)
    )
    if inserted is None:
        raise StaleInteraction("You already answered this one — wait for the next question!", title="Already answered")
    # When the member saw the post is unknown (it was pushed to the channel): no duration.
    card = await card_for(session, user_id, question.id, question.topic, now)
    await record_review(
        session,
        learner,
        card,
        rating_for(correct, None, None),
        now,
        source="channel",
        correct=correct,
        duration_ms=None,
        choice=choice,
        kind=question_kind(question.type),
    )
    post.answers += 1
    post.correct_answers += int(correct)
    await leaderboard.count_answer(session, sc.guild_id, sc.timezone, user_id, correct, now)
    return ChannelFeedback(question, correct, post.answers, post.correct_answers)


@dataclass(frozen=True)
class PostPlan:
    """A slot's post: its messages (delivery id and question; the claimed row first) and the
    previous post, whose answer it reveals."""

    channel_id: int
    posts: list[tuple[int, AnyQuestion]]
    previous: Delivery | None


async def plan_post(
    session: AsyncSession, content: Content, sc: StudyChannel, delivery_id: int, slot: str, now: datetime, by: str
) -> PostPlan | str:
    """The questions of a claimed post, picked once: a retry or takeover re-sends the same ones.
    Posts of more than one question get a ledger row per extra message (``queued`` until sent)."""
    primary = await session.get(Delivery, delivery_id)
    if primary is None:
        return "delivery gone"
    if primary.question_id is None:
        questions = pick_questions(content, sc, sc.questions_per_post)
        if not questions:
            return "no questions in scope"
        primary.question_id, primary.channel_id = questions[0].id, sc.channel_id
        rows = []
        for number, question in enumerate(questions[1:], start=2):
            row = ledger_row("channel", sc.id, f"{slot}#{number}", primary.slot_at, now, by)
            extra = {"status": "queued", "lease_until": None, "question_id": question.id, "channel_id": sc.channel_id}
            rows.append(row | extra)
        extras = [primary, *[await _insert(session, row) for row in rows]]
    else:
        extras = [
            primary,
            *await session.scalars(
                select(Delivery)
                .where(Delivery.kind == "channel", Delivery.target_id == sc.id, Delivery.slot.like(f"{slot}#%"))
                .order_by(Delivery.id)
            ),
        ]
    found = [(d.id, content.questions.get(d.question_id or "")) for d in extras]
    posts = [(did, question) for did, question in found if question is not None]
    if not posts:
        return "its questions were removed from the course"
    return PostPlan(sc.channel_id, posts, await previous_post(session, sc, delivery_id))


async def _insert(session: AsyncSession, row: dict[str, object]) -> Delivery:
    extra = Delivery(**row)
    session.add(extra)
    await session.flush()
    return extra


async def mark_sent(session: AsyncSession, sent: dict[int, int], now: datetime) -> None:
    """Extra messages of a post went out: {delivery id: message id}."""
    for did, message_id in sent.items():
        await session.execute(
            update(Delivery)
            .where(Delivery.id == did)
            .values(status="sent", message_id=message_id, sent_at=now)
            .execution_options(synchronize_session=False)
        )


async def previous_post(session: AsyncSession, sc: StudyChannel, before_id: int) -> Delivery | None:
    """The channel's last sent post before ``before_id`` (the one a new post reveals), if any."""
    return await session.scalar(
        select(Delivery)
        .where(
            Delivery.kind == "channel",
            Delivery.target_id == sc.id,
            Delivery.status == "sent",
            Delivery.id < before_id,
            Delivery.message_id.is_not(None),
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    )


async def list_channels(session: AsyncSession, guild_id: int) -> list[StudyChannel]:
    """A server's study channels, oldest first."""
    rows = await session.scalars(
        select(StudyChannel).where(StudyChannel.guild_id == guild_id).order_by(StudyChannel.id)
    )
    return list(rows)


async def channel_deleted(session: AsyncSession, channel_id: int, now: datetime) -> None:
    """Discord deleted the channel: its schedule pauses, with the reason."""
    sc = await session.scalar(select(StudyChannel).where(StudyChannel.channel_id == channel_id))
    if sc is not None and not sc.paused:
        pause(sc, "the channel was deleted", now)
        sc.last_error = "the channel was deleted"


async def bot_removed(session: AsyncSession, guild_id: int, now: datetime) -> None:
    """The bot left (or was removed from) the server: all its study channels pause."""
    for sc in await session.scalars(select(StudyChannel).where(StudyChannel.guild_id == guild_id)):
        if not sc.paused:
            pause(sc, "the bot was removed from the server", now)


async def remove(session: AsyncSession, sc: StudyChannel) -> None:
    """No longer a study channel (members' reviews of its posts stay theirs)."""
    await session.delete(sc)


async def channel_here(session: AsyncSession, channel_id: int) -> StudyChannel | None:
    """The study channel in ``channel_id``, if it is one (for `/help` there)."""
    return await session.scalar(select(StudyChannel).where(StudyChannel.channel_id == channel_id))
