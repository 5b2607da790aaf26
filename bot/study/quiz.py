"""Quiz sessions: what to ask, in which order, and what an answer does. No Discord here.

A session's queue lives in the database, so its buttons keep working after a restart.
Each step is guarded by a compare-and-set on (position, answered): a double click or two
concurrent clicks record exactly one review.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import AnyQuestion, Content, MultipleChoice, Resource, SelfRated, Shown, has_variants, present
from bot.db import queries
from bot.db.models import Learner, PracticeLog, QuizSession, ReviewLog
from bot.db.queries import affected
from bot.errors import InvalidInput, NotAllowed, StaleInteraction
from bot.study.grading import clamp_duration, rating_for
from bot.study.parameters import kind_of_question
from bot.study.reviews import card_for, record_review, revise_review
from scheduler.srs import Rating, question_kind

MAX_REQUEUES = 2  # an Again is asked again at most this many times per session


@dataclass(frozen=True)
class Step:
    """What to show: the question at ``position`` of ``total``, or a finished session."""

    session: QuizSession
    question: AnyQuestion | None  # None: removed from content since the session began
    order: tuple[int, ...]  # display order of option indexes (multiple choice)
    draw: int = 0  # the card's review number: which numbers a numeric variant shows

    def shown(self) -> Shown:
        """The question as this learner sees it now (a variant's numbers drawn for their card)."""
        assert self.question is not None
        return present(self.question, card_key(self.session.learner_id, self.question.id), self.draw)

    @property
    def position(self) -> int:
        return self.session.position

    @property
    def total(self) -> int:
        return len(self.session.queue)

    @property
    def finished(self) -> bool:
        return self.session.finished_at is not None


@dataclass(frozen=True)
class Feedback:
    step: Step
    correct: bool | None  # None for a self-rated card (flashcard, cloze)
    chosen: int | None
    rating: Rating
    resource: Resource | None
    requeued: bool


@dataclass(frozen=True)
class Summary:
    answered: int
    correct: int
    next_due: datetime | None
    due_now: int
    cram: bool


def option_order(question: AnyQuestion, seed: int, position: int) -> tuple[int, ...]:
    """The shuffled display order of a multiple-choice question's options, stable per session and position."""
    if not isinstance(question, MultipleChoice):
        return ()
    order = list(range(len(question.options)))
    random.Random(seed * 7919 + position).shuffle(order)
    return tuple(order)


def card_key(learner_id: int, question_id: str) -> str:
    """Whose card a variant's numbers are drawn for."""
    return f"{learner_id}/{question_id}"


async def review_number(session: AsyncSession, learner_id: int, question_id: str) -> int:
    """How many times the learner has answered this card (reviews and cram practice): the
    draw of its next presentation. Stored state, so a restart shows the same numbers."""
    card = await queries.card_for_question(session, learner_id, question_id)
    practice = await session.scalar(
        select(func.count())
        .select_from(PracticeLog)
        .where(PracticeLog.learner_id == learner_id, PracticeLog.question_id == question_id)
    )
    return (card.reps if card else 0) + int(practice or 0)


async def presented(session: AsyncSession, content: Content, qs: QuizSession) -> Step:
    """``step_of`` with the draw of a numeric variant filled in from the learner's history."""
    step = step_of(content, qs)
    if step.question is None or not has_variants(step.question):
        return step
    return replace(step, draw=await review_number(session, qs.learner_id, step.question.id))


def step_of(content: Content, qs: QuizSession) -> Step:
    """The step a session is at (finished, or the question at its position)."""
    if qs.finished_at is not None or qs.position >= len(qs.queue):
        return Step(qs, None, ())
    question = content.questions.get(qs.queue[qs.position])
    return Step(qs, question, option_order(question, qs.seed, qs.position) if question else ())


async def create_session(
    session: AsyncSession,
    content: Content,
    user_id: int,
    queue: list[str],
    source: str,
    now: datetime,
    *,
    shown: bool = True,
) -> Step:
    """A new session at its first question. ``shown=False`` when the first question is pushed
    (a digest DM): nobody knows when the learner sees it, so its answer gets no duration."""
    qs = QuizSession(
        learner_id=user_id,
        source=source,
        queue=queue,
        position=0,
        answered=False,
        correct_count=0,
        answered_count=0,
        seed=random.randrange(1 << 30),
        shown_at=now if shown else None,
        created_at=now,
    )
    session.add(qs)
    await session.flush()
    return await presented(session, content, qs)


async def load(
    session: AsyncSession, content: Content, session_id: int, user_id: int, *, for_update: bool = False
) -> QuizSession:
    """The learner's own quiz session; StaleInteraction or NotAllowed otherwise."""
    qs = await session.get(QuizSession, session_id, with_for_update=for_update)
    if qs is None:
        raise StaleInteraction("This quiz no longer exists. Start a new one with `/quiz`.", title="Quiz ended")
    if qs.learner_id != user_id:
        raise NotAllowed("This quiz belongs to someone else — start your own with `/quiz`.", title="Not your quiz")
    return qs


async def current(session: AsyncSession, content: Content, session_id: int, user_id: int) -> Step:
    """The step a learner's session is at."""
    return await presented(session, content, await load(session, content, session_id, user_id))


async def _claim(session: AsyncSession, qs: QuizSession, position: int) -> None:
    """Mark the question at ``position`` answered, or raise if someone got there first."""
    res = await session.execute(
        update(QuizSession)
        .where(
            QuizSession.id == qs.id,
            QuizSession.position == position,
            QuizSession.answered.is_(False),
            QuizSession.finished_at.is_(None),
        )
        .values(answered=True, answered_count=QuizSession.answered_count + 1)
        .execution_options(synchronize_session=False)
    )
    if affected(res) != 1:
        raise StaleInteraction("That question is already answered.", title="Already answered")
    await session.refresh(qs)


def _grade(
    question: AnyQuestion, choice: int | None, rating: Rating | None, duration: int | None, usual: int | None
) -> tuple[bool | None, Rating]:
    """(right or wrong, None for a self-rated card; the FSRS rating) of an answer. A variant's
    options keep their places whatever numbers are drawn, so the key is the same option."""
    if isinstance(question, SelfRated):
        if rating is None:
            raise InvalidInput("Rate how well you remembered it.", title="Rate your recall")
        return None, rating
    if choice is None:
        raise InvalidInput("Pick an answer.", title="No answer picked")
    if isinstance(question, MultipleChoice):
        correct = choice == question.correct_index
    else:
        correct = bool(choice) == question.answer
    return correct, rating_for(correct, duration, usual)


async def _record(
    session: AsyncSession,
    qs: QuizSession,
    learner: Learner,
    question: AnyQuestion,
    rating: Rating,
    correct: bool | None,
    duration: int | None,
    now: datetime,
    choice: int | None,
) -> None:
    """A review on the learner's card, or (cram) a practice entry that leaves the schedule alone."""
    if qs.source == "cram":
        session.add(
            PracticeLog(
                learner_id=learner.id,
                question_id=question.id,
                correct=correct,
                rating=int(rating),
                answered_at=now,
                duration_ms=duration,
            )
        )
        return
    card = await card_for(session, learner.id, question.id, question.topic, now)
    await record_review(
        session,
        learner,
        card,
        rating,
        now,
        source=qs.source,
        correct=correct,
        duration_ms=duration,
        kind=question_kind(question.type),
        choice=choice,
    )


async def answer(
    session: AsyncSession,
    content: Content,
    session_id: int,
    user_id: int,
    position: int,
    now: datetime,
    *,
    choice: int | None = None,
    rating: Rating | None = None,
) -> Feedback:
    """Answer the question at ``position``: ``choice`` (option index, or 1/0 for true/false) for a
    question with options, ``rating`` for a flashcard."""
    qs = await load(session, content, session_id, user_id)
    if qs.position != position or qs.answered:
        raise StaleInteraction("That question is already answered.", title="Already answered")
    step = await presented(session, content, qs)  # the draw shown, before this answer counts
    question = step.question
    if question is None:
        raise StaleInteraction(
            "That question was removed from the course; press Next to continue.", title="Question removed"
        )
    await _claim(session, qs, position)
    duration = clamp_duration(int((now - qs.shown_at).total_seconds() * 1000) if qs.shown_at else None)
    learner = await queries.ensure_learner(session, user_id, now)
    correct, rating = _grade(question, choice, rating, duration, learner.avg_answer_ms)
    if correct or (correct is None and rating != Rating.AGAIN):
        qs.correct_count += 1
    await _record(session, qs, learner, question, rating, correct, duration, now, choice)
    requeued = False
    if rating == Rating.AGAIN and qs.queue.count(question.id) <= MAX_REQUEUES:
        qs.queue = [*qs.queue, question.id]  # asked again later in this session
        requeued = True
    await session.flush()
    resource = content.resources.get(question.resource) if question.resource else None
    if resource is None:
        topic_res = content.resources_by_topic.get(question.topic) or ()
        resource = topic_res[0] if topic_res else None
    return Feedback(replace(step_of(content, qs), draw=step.draw), correct, choice, rating, resource, requeued)


async def adjust(
    session: AsyncSession, content: Content, session_id: int, user_id: int, position: int, rating: Rating, now: datetime
) -> Rating:
    """The learner re-rates the review they just made (Hard / Good / Easy)."""
    qs = await load(session, content, session_id, user_id)
    if qs.position != position or not qs.answered:
        raise StaleInteraction("You can only re-rate the question you just answered.", title="Too late to re-rate")
    if qs.source == "cram":
        raise StaleInteraction(
            "Cram practice doesn't change your schedule, so there's nothing to re-rate.", title="Nothing to re-rate"
        )
    qid = qs.queue[position]
    card = await queries.card_for_question(session, user_id, qid)
    log_row = (
        await session.scalar(
            select(ReviewLog).where(ReviewLog.card_id == card.id).order_by(ReviewLog.id.desc()).limit(1)
        )
        if card
        else None
    )
    if card is None or log_row is None:
        raise StaleInteraction("There's no review to re-rate.", title="Nothing to re-rate")
    if log_row.correct is False:
        raise StaleInteraction("A wrong answer stays rated Again.", title="Wrong answers stay Again")
    learner = await queries.ensure_learner(session, user_id, now)
    await revise_review(session, learner, card, log_row, rating, kind=kind_of_question(content, qid))
    return rating


async def advance(
    session: AsyncSession, content: Content, session_id: int, user_id: int, position: int, now: datetime
) -> Step:
    """Move past the question at ``position`` (answered, or removed from content)."""
    qs = await load(session, content, session_id, user_id)
    if qs.position != position:
        raise StaleInteraction("You've already moved on from that question.", title="Already moved on")
    q_exists = position < len(qs.queue) and qs.queue[position] in content.questions
    res = await session.execute(
        update(QuizSession)
        .where(
            QuizSession.id == qs.id,
            QuizSession.position == position,
            QuizSession.answered.is_(True) if q_exists else QuizSession.answered.in_([True, False]),
        )
        .values(position=position + 1, answered=False, shown_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected(res) != 1:
        raise StaleInteraction("Answer the question first.", title="Answer first")
    await session.refresh(qs)
    if qs.position >= len(qs.queue):
        qs.finished_at = now
    await session.flush()
    return await presented(session, content, qs)


async def stop(session: AsyncSession, content: Content, session_id: int, user_id: int, now: datetime) -> Step:
    """End the session now (answers so far stay recorded)."""
    qs = await load(session, content, session_id, user_id)
    if qs.finished_at is None:
        qs.finished_at = now
    await session.flush()
    return step_of(content, qs)


async def summary(session: AsyncSession, qs: QuizSession, now: datetime) -> Summary:
    """How the session went, and what is due next."""
    nxt = await queries.next_due(session, qs.learner_id)
    due_now = await queries.count_due(session, qs.learner_id, now + timedelta(seconds=1))
    return Summary(qs.answered_count, qs.correct_count, nxt, due_now, qs.source == "cram")
