"""Recording reviews: FSRS update of a card plus its review log, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import queries
from bot.db.models import Card, Learner, ReviewLog
from bot.study.grading import update_usual
from bot.study.parameters import parameters_for
from bot.study.progress import card_state
from scheduler import srs
from scheduler.srs import CardState, Rating
from scheduler.timeutil import zone


def _apply(card: Card, new: CardState) -> None:
    card.state, card.step, card.stability, card.difficulty = new.state, new.step, new.stability, new.difficulty
    card.due, card.last_review = new.due, new.last_review


async def record_review(
    session: AsyncSession,
    learner: Learner,
    card: Card,
    rating: Rating,
    now: datetime,
    *,
    source: str,
    correct: bool | None,
    duration_ms: int | None,
    kind: str,
    choice: int | None = None,
) -> ReviewLog:
    """Apply an FSRS review to the card under the parameters scheduling the learner's cards
    of ``kind`` (personal → community → default; days counted in the learner's time zone) and
    log it (state before and after, and the option picked: ``choice``), in the caller's
    transaction."""
    before = card_state(card)
    parameters = await parameters_for(session, learner, kind)
    after = srs.review(
        before, rating, now, retention=learner.desired_retention, parameters=parameters, zone=zone(learner.timezone)
    )
    log = ReviewLog(
        card_id=card.id,
        learner_id=learner.id,
        question_id=card.question_id,
        rating=int(rating),
        correct=correct,
        reviewed_at=now,
        duration_ms=duration_ms,
        source=source,
        state_before=before.state,
        state_after=after.state,
        stability_before=before.stability,
        stability_after=after.stability,
        difficulty_before=before.difficulty,
        difficulty_after=after.difficulty,
        due_before=before.due,
        due_after=after.due,
        step_before=before.step,
        last_review_before=before.last_review,
        was_new=before.last_review is None,
        choice=choice,
        desired_retention=learner.desired_retention,
    )
    _apply(card, after)
    card.reps += 1
    if rating == Rating.AGAIN and before.state == srs.State.REVIEW:
        card.lapses += 1
    learner.avg_answer_ms = update_usual(learner.avg_answer_ms, duration_ms, bool(correct))
    session.add(log)
    await session.flush()
    return log


async def revise_review(
    session: AsyncSession, learner: Learner, card: Card, log: ReviewLog, rating: Rating, *, kind: str
) -> None:
    """Re-rate the card's latest review (the learner's own Hard/Good/Easy after feedback),
    under the parameters scheduling the learner's cards of ``kind``."""
    before = CardState(
        log.state_before,
        log.step_before,
        log.stability_before,
        log.difficulty_before,
        log.due_before,
        log.last_review_before,
    )
    parameters = await parameters_for(session, learner, kind)
    after = srs.review(
        before,
        rating,
        log.reviewed_at,
        retention=learner.desired_retention,
        parameters=parameters,
        zone=zone(learner.timezone),
    )
    if log.rating == Rating.AGAIN and rating != Rating.AGAIN and log.state_before == srs.State.REVIEW:
        card.lapses = max(0, card.lapses - 1)
    _apply(card, after)
    log.rating = int(rating)
    log.desired_retention = learner.desired_retention
    log.state_after, log.stability_after, log.difficulty_after, log.due_after = (
        after.state,
        after.stability,
        after.difficulty,
        after.due,
    )


async def card_for(session: AsyncSession, user_id: int, question_id: str, topic_id: str, now: datetime) -> Card:
    """The learner's card for a question, created if needed (e.g. from a study channel)."""
    card = await queries.card_for_question(session, user_id, question_id)
    if card is None:
        await queries.create_cards(session, user_id, [(question_id, topic_id)], now)
        card = await queries.card_for_question(session, user_id, question_id)
        assert card is not None
    return card
