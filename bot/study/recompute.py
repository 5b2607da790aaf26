"""Rescheduling a learner's cards after their parameters change. No Discord.

Each learned card (in the Review state) of the affected questions gets the memory state its
whole review log gives under the new parameters (fsrs-rs's computation, days counted in the
learner's zone) and the due date that state gives at the learner's desired retention. Cards
that only now become overdue are spread over the next days, as after a vacation, a quarter of
the learner's daily review limit a day (at most a week), so they never all land on one day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Card, Learner, ReviewLog
from scheduler import fitting
from scheduler.fitting import Review
from scheduler.srs import Parameters, State
from scheduler.timeutil import zone

SPREAD_DAYS = 7
BATCH = 200  # cards recomputed in one fsrs-rs call, the loop free between batches


@dataclass(frozen=True)
class Rescheduled:
    """What a reschedule changed: cards recomputed, and of them those spread as a backlog."""

    cards: int
    spread: int


def backlog_per_day(learner: Learner) -> int:
    """How many newly overdue cards a day the spread gives the learner."""
    return max(1, learner.reviews_per_day // 4)


async def reschedule_learner(
    session: AsyncSession, learner: Learner, parameters: Parameters | None, question_ids: Iterable[str], now: datetime
) -> Rescheduled:
    """Recompute the memory state and due date of the learner's learned cards of these
    questions under ``parameters`` (None: FSRS-6's defaults), spreading the new backlog."""
    ids = list(question_ids)
    cards = list(
        await session.scalars(
            select(Card).where(
                Card.learner_id == learner.id,
                Card.question_id.in_(ids),
                Card.state == State.REVIEW,
                Card.last_review.is_not(None),
            )
        )
    )
    if not cards:
        return Rescheduled(0, 0)
    tz = zone(learner.timezone)
    logs: dict[int, list[Review]] = {card.id: [] for card in cards}
    rows = await session.execute(
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)
        .where(ReviewLog.learner_id == learner.id, ReviewLog.card_id.in_(list(logs)))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    for card_id, at, rating in rows.all():
        logs[card_id].append(Review(card_id, at.astimezone(tz), rating))
    values = parameters if parameters is not None else DEFAULT_PARAMETERS
    newly_overdue: dict[int, datetime] = {}
    recomputed = 0
    for start in range(0, len(cards), BATCH):
        if start:
            await asyncio.sleep(0)  # a learner with thousands of cards does not hold the loop
        batch = [card for card in cards[start : start + BATCH] if any(r.reviewed_at <= now for r in logs[card.id])]
        histories = [[review for review in logs[card.id] if review.reviewed_at <= now] for card in batch]
        for card, state in zip(
            batch, fitting.recompute_many(values, histories, learner.desired_retention, now), strict=True
        ):
            if state.due <= now < card.due:
                newly_overdue[card.id] = state.due
            card.stability, card.difficulty, card.due = state.stability, state.difficulty, state.due
            recomputed += 1
    spread = fitting.spread_overdue(newly_overdue, now, per_day=backlog_per_day(learner), max_days=SPREAD_DAYS)
    for card in cards:
        if card.id in spread:
            card.due = spread[card.id]
    return Rescheduled(recomputed, len(newly_overdue))
