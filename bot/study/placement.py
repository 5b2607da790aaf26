"""/start's placement check: what a newcomer already knows, level by level. No Discord here.

For each level in order the learner answers up to ``PER_LEVEL`` objective questions
(multiple choice or true/false) drawn from different topics of the level. A level is
passed with ``PASS_MARK`` right answers and failed once that is out of reach, so the check
never asks a question that cannot change its result; a failed level ends the check.

A passed level is applied the moment it is decided: its topics are marked done (reason
"placement", unless the learner set a status of their own), and its answers are recorded
as FSRS reviews on the learner's cards (source "placement"), so scheduling starts from
evidence. Stopping, or a failed level, then enrols the first open topic of the first level
not passed. Placement reviews do not count against the day's review or new-card limits.
Running the check again keeps every review; it only moves the placement marks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import AnyQuestion, Content, MultipleChoice, Topic, TrueFalse, has_variants
from bot.db import queries
from bot.db.models import Placement, TopicProgress
from bot.errors import NotAllowed, NotFound, StaleInteraction
from bot.study import progress
from bot.study.grading import clamp_duration
from bot.study.reviews import card_for, record_review
from bot.study.starting import starting_topic
from scheduler.srs import Rating, question_kind

PER_LEVEL = 3
PASS_MARK = 2
SOURCE = "placement"
REASON = "placement"


@dataclass(frozen=True)
class PlacementQuestion:
    """The question the learner is on, with the answer order to show."""

    placement: Placement
    question: MultipleChoice | TrueFalse
    order: list[int]  # option indexes in display order (multiple choice)
    number: int  # 1-based, within the level
    of: int  # questions at most in this level
    last: bool | None  # was the previous answer right? None for the first question


@dataclass(frozen=True)
class PlacementResult:
    """How the check ended and what it did."""

    passed: list[int]
    marked: int  # topics marked done by this run
    recorded: int  # placement answers recorded as reviews
    start: Topic | None  # enrolled starting topic (None: nothing left to start)
    stopped_at: int | None  # the level the check ended on, not passed
    outcome: str


Step = PlacementQuestion | PlacementResult


def objective(content: Content, topic_id: str) -> list[MultipleChoice | TrueFalse]:
    """The topic's questions that are graded right or wrong, with fixed wording (no self-rated
    flashcards or cloze cards, no numeric variants)."""
    return [
        q
        for q in content.topic_questions(topic_id)
        if isinstance(q, MultipleChoice | TrueFalse) and not has_variants(q)
    ]


def draw(content: Content, number: int, rng: random.Random) -> list[str]:
    """Up to ``PER_LEVEL`` objective questions of a level, from different topics when it has
    enough (a topic's easier questions first, since the check asks "do you know this?")."""
    level = content.level(number)
    if level is None:
        return []
    rank = {"easy": 0, None: 1, "medium": 1, "hard": 2}
    by_topic = {t.id: objective(content, t.id) for t in level.topics}
    topics = [tid for tid, qs in by_topic.items() if qs]
    rng.shuffle(topics)
    picked: list[str] = []
    for tid in topics[:PER_LEVEL]:
        pool = sorted(by_topic[tid], key=lambda q: rank.get(q.difficulty, 1))
        easiest = [q for q in pool if rank.get(q.difficulty, 1) == rank.get(pool[0].difficulty, 1)]
        picked.append(rng.choice(easiest).id)
    if len(picked) < PER_LEVEL:  # a level with fewer topics than questions
        rest = [q.id for tid in topics for q in by_topic[tid] if q.id not in picked]
        rng.shuffle(rest)
        picked += rest[: PER_LEVEL - len(picked)]
    return picked


def _levels(content: Content) -> list[int]:
    return [lv.number for lv in content.levels if any(objective(content, t.id) for t in lv.topics)]


def _answers(placement: Placement, level: int) -> list[dict[str, object]]:
    return [a for a in placement.answers if a["level"] == level]


def _step(content: Content, placement: Placement, last: bool | None) -> PlacementQuestion:
    answered = len(_answers(placement, placement.level))
    question = content.questions.get(placement.questions[answered])
    if not isinstance(question, MultipleChoice | TrueFalse):  # left the course since it was drawn
        fresh = [q for q in draw(content, placement.level, random.Random()) if q not in placement.questions]
        placement.questions = [*placement.questions[:answered], *fresh][: len(placement.questions)]
        question = content.questions[placement.questions[answered]]
        assert isinstance(question, MultipleChoice | TrueFalse)
    order = list(range(len(question.options))) if isinstance(question, MultipleChoice) else []
    random.Random(placement.seed + placement.position).shuffle(order)
    return PlacementQuestion(placement, question, order, answered + 1, len(placement.questions), last)


async def latest(session: AsyncSession, user_id: int) -> Placement | None:
    """The learner's most recent placement check, if they ever took one (not skipped)."""
    return await session.scalar(
        select(Placement)
        .where(Placement.learner_id == user_id, or_(Placement.outcome.is_(None), Placement.outcome != "skipped"))
        .order_by(Placement.id.desc())
        .limit(1)
    )


async def begin(session: AsyncSession, content: Content, user_id: int, now: datetime) -> PlacementQuestion:
    """Start a placement check (closing any unfinished one: what it decided stays)."""
    await queries.ensure_learner(session, user_id, now)
    await session.execute(
        update(Placement)
        .where(Placement.learner_id == user_id, Placement.finished_at.is_(None))
        .values(finished_at=now, outcome="stopped")
    )
    levels = _levels(content)
    if not levels:
        raise NotFound("The course has no objective questions to place you with.", title="No placement questions")
    seed = random.SystemRandom().randrange(2**31)
    placement = Placement(
        learner_id=user_id,
        level=levels[0],
        questions=draw(content, levels[0], random.Random(seed)),
        answers=[],
        position=0,
        passed=[],
        seed=seed,
        shown_at=now,
        created_at=now,
    )
    session.add(placement)
    await session.flush()
    return _step(content, placement, None)


async def _open(session: AsyncSession, user_id: int, placement_id: int, position: int | None) -> Placement:
    placement = await session.get(Placement, placement_id, with_for_update=True)
    if placement is None:
        raise StaleInteraction("That placement check no longer exists. Run `/start` again.", title="Check gone")
    if placement.learner_id != user_id:
        raise NotAllowed("This placement check is someone else's — run `/start` for your own.", title="Not your check")
    if placement.finished_at is not None or (position is not None and placement.position != position):
        raise StaleInteraction(
            "That question was already answered, or the check has ended. Run `/start` to see where you are.",
            title="Already answered",
        )
    return placement


async def current(session: AsyncSession, content: Content, user_id: int, placement_id: int) -> PlacementQuestion:
    """The question an unfinished check is on (to show it again)."""
    placement = await _open(session, user_id, placement_id, None)
    return _step(content, placement, None)


def _is_right(question: AnyQuestion, choice: int) -> bool:
    if isinstance(question, MultipleChoice):
        return choice == question.correct_index
    assert isinstance(question, TrueFalse)
    return bool(choice) == question.answer


async def answer(
    session: AsyncSession, content: Content, user_id: int, placement_id: int, position: int, choice: int, now: datetime
) -> Step:
    """Record an answer (``choice``: the option index, or 1/0 for true/false) and return the
    next question, or the result when the check is over."""
    placement = await _open(session, user_id, placement_id, position)
    qid = _question_now(placement)
    question = content.questions.get(qid)
    right = question is not None and _is_right(question, choice)
    shown = placement.shown_at
    duration = clamp_duration(int((now - shown).total_seconds() * 1000)) if shown else None
    placement.answers = [
        *placement.answers,
        {"q": qid, "level": placement.level, "ok": right, "at": now.isoformat(), "ms": duration, "c": choice},
    ]
    placement.position += 1
    placement.shown_at = now
    level_answers = _answers(placement, placement.level)
    rights = sum(1 for a in level_answers if a["ok"])
    left = len(placement.questions) - len(level_answers)
    needed = min(PASS_MARK, len(placement.questions))
    if rights >= needed:
        await _pass_level(session, content, placement, now)
        later = [n for n in _levels(content) if n > placement.level]
        if not later:
            return await _finish(session, content, placement, now, "completed")
        placement.level = later[0]
        placement.questions = draw(content, later[0], random.Random(placement.seed + later[0]))
        return _step(content, placement, right)
    if rights + left < needed:
        return await _finish(session, content, placement, now, "completed")
    return _step(content, placement, right)


def _question_now(placement: Placement) -> str:
    return placement.questions[len(_answers(placement, placement.level))]


async def stop(
    session: AsyncSession, content: Content, user_id: int, placement_id: int, now: datetime
) -> PlacementResult:
    """End the check where it is: levels passed so far stay passed, the current one is not."""
    placement = await _open(session, user_id, placement_id, None)
    return await _finish(session, content, placement, now, "stopped")


async def _pass_level(session: AsyncSession, content: Content, placement: Placement, now: datetime) -> None:
    level = content.level(placement.level)
    assert level is not None
    rows = await queries.progress_map(session, placement.learner_id)
    for topic in level.topics:
        row = rows.get(topic.id)
        if row is None or row.status in ("pending", "learning") or row.status_reason == REASON:
            await progress.set_status(session, placement.learner_id, topic.id, "done", now, reason=REASON)
    learner = await queries.ensure_learner(session, placement.learner_id, now)
    for given in _answers(placement, placement.level):
        question = content.questions.get(str(given["q"]))
        if question is None:
            continue
        card = await card_for(session, placement.learner_id, question.id, question.topic, now)
        right = bool(given["ok"])
        at = datetime.fromisoformat(str(given["at"]))
        ms, chosen = given["ms"], given.get("c")
        await record_review(
            session,
            learner,
            card,
            Rating.GOOD if right else Rating.AGAIN,
            at,
            source=SOURCE,
            correct=right,
            duration_ms=ms if isinstance(ms, int) else None,
            choice=chosen if isinstance(chosen, int) else None,
            kind=question_kind(question.type),
        )
    placement.passed = [*placement.passed, placement.level]


async def _clear_marks(session: AsyncSession, content: Content, user_id: int, keep: set[int], now: datetime) -> None:
    """Earlier placement marks on levels this run did not pass go back to pending."""
    dropped = [t.id for lv in content.levels if lv.number not in keep for t in lv.topics]
    await session.execute(
        update(TopicProgress)
        .where(
            TopicProgress.learner_id == user_id,
            TopicProgress.status_reason == REASON,
            TopicProgress.topic_id.in_(dropped),
        )
        .values(status="pending", status_reason=None, updated_at=now)
    )


async def _first_open(session: AsyncSession, content: Content, user_id: int, passed: set[int]) -> Topic | None:
    rows = await queries.progress_map(session, user_id)
    for lv in content.levels:
        if lv.number in passed:
            continue
        for topic in lv.topics:
            row = rows.get(topic.id)
            if row is None or (row.status in ("pending", "learning") and row.removed_at is None):
                return topic
    return None


async def _finish(
    session: AsyncSession, content: Content, placement: Placement, now: datetime, outcome: str
) -> PlacementResult:
    uid, passed = placement.learner_id, set(placement.passed)
    await _clear_marks(session, content, uid, passed, now)
    start = await _first_open(session, content, uid, passed)
    if start is not None:
        await progress.enroll(session, content, uid, start.id, now)
    placement.finished_at, placement.outcome = now, outcome
    recorded = sum(1 for a in placement.answers if a["level"] in passed)
    rows = await queries.progress_map(session, uid)
    marked = sum(1 for row in rows.values() if row.status_reason == REASON)
    stopped_at = None if placement.level in passed else placement.level
    return PlacementResult(sorted(passed), marked, recorded, start, stopped_at, outcome)


async def skip(session: AsyncSession, content: Content, user_id: int, now: datetime) -> PlacementResult:
    """No check: start at the suggested topic (as `/quiz` would), enrolling it if the learner
    has no topic in their reviews yet. Earlier placement marks stay."""
    await queries.ensure_learner(session, user_id, now)
    levels = _levels(content)
    session.add(
        Placement(
            learner_id=user_id,
            level=levels[0] if levels else 0,
            questions=[],
            answers=[],
            position=0,
            passed=[],
            seed=0,
            created_at=now,
            finished_at=now,
            outcome="skipped",
        )
    )
    rows = await queries.progress_map(session, user_id)
    active = [tid for tid, row in rows.items() if row.enrolled and row.removed_at is None and tid in content.topics]
    topic = content.topics[active[0]] if active else await starting_topic(session, content, user_id, now)
    if not active and topic is not None:
        await progress.enroll(session, content, user_id, topic.id, now)
    return PlacementResult([], 0, 0, topic, None, "skipped")
