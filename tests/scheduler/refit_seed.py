"""Synthetic review logs in the database, from simulated learners with known parameters
(``tests.scheduler.test_fitting``), for the refit tests; and a refit run as its own process:
``python -m tests.scheduler.refit_seed DATABASE_URL`` prints what the run did as JSON."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.db.models import Card, Learner, ReviewLog
from bot.services import Services
from bot.study.parameters import kinds_of
from scheduler import fitting
from scheduler.fitting import Review
from tests.scheduler.test_fitting import learner, shifted, simulate

CENTER = shifted(0.6, 1.6)  # a deck effect: initial stabilities ×0.6, decay ×1.6


def questions_of(content: Content, kind: str) -> list[str]:
    return sorted(qid for qid, found in kinds_of(content).items() if found == kind)


def population(seed: int, learners: int, cards: int) -> dict[int, list[Review]]:
    """Each simulated learner's log (learner ids from 1000), around the shifted center (±50 %)."""
    rng = random.Random(seed)
    return {
        1000 + index: simulate(learner(CENTER, rng, 0.5), rng, str(index), cards=cards) for index in range(learners)
    }


async def seed(services: Services, logs: dict[int, list[Review]], kind: str) -> None:
    """Learners, their cards (state after the log under the defaults) and review logs."""
    qids = questions_of(services.content, kind)
    now = max(review.reviewed_at for log in logs.values() for review in log)
    async with services.unit() as session:
        for learner_id, log in logs.items():
            session.add(Learner(id=learner_id, created_at=now - timedelta(days=300)))
            await session.flush()
            for position, history in enumerate(fitting.histories(log).values()):
                await add_history(session, learner_id, qids[position], history, now)


async def add_history(
    session: AsyncSession, learner_id: int, question_id: str, history: Sequence[Review], now: datetime
) -> Card:
    """A card whose state is its review ``history`` under the default parameters, and its log."""
    state = fitting.recompute(DEFAULT_PARAMETERS, list(history), 0.9, now)
    card = Card(
        learner_id=learner_id,
        question_id=question_id,
        topic_id="t",
        state=2,
        step=None,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=history[-1].reviewed_at,
        reps=len(history),
        created_at=history[0].reviewed_at,
    )
    session.add(card)
    await session.flush()
    await add_reviews(session, learner_id, card.id, question_id, [(r.reviewed_at, r.rating) for r in history])
    return card


async def add_reviews(
    session: object, learner_id: int, card_id: int, question_id: str, reviews: Sequence[tuple[datetime, int]]
) -> None:
    rows = [
        {
            "card_id": card_id,
            "learner_id": learner_id,
            "question_id": question_id,
            "rating": rating,
            "reviewed_at": at,
            "source": "quiz",
            "state_before": 2,
            "state_after": 2,
            "due_before": at,
            "due_after": at,
            "was_new": False,
        }
        for at, rating in reviews
    ]
    if rows:
        await session.execute(insert(ReviewLog), rows)  # type: ignore[attr-defined]


async def cards_of(services: Services, learner_id: int) -> list[Card]:
    async with services.read() as session:
        return list(await session.scalars(select(Card).where(Card.learner_id == learner_id).order_by(Card.id)))


async def _run_once(url: str) -> None:
    from bot.runner import build_services
    from bot.settings import Settings
    from scheduler.refit import Refitter
    from tests.helpers import CONTENT

    settings = Settings(discord_token=None, database_url=url, content_dir=CONTENT, _env_file=None)  # type: ignore[call-arg]
    services = await build_services(settings, migrate=False)
    try:
        report = await Refitter(services).run()
    finally:
        await services.engine.dispose()
    print(json.dumps(None if report is None else report.fitted))


if __name__ == "__main__":
    asyncio.run(_run_once(sys.argv[1]))
