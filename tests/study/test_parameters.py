"""Which parameters schedule a learner (bot.study.parameters): personal → community → default,
per kind; reviews recorded under them; the workload advice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot.db import queries
from bot.db.models import ParameterSet
from bot.services import Services
from bot.study import parameters as store
from bot.study import progress, workload
from bot.study.reviews import record_review
from scheduler import srs
from scheduler.srs import Rating
from scheduler.timeutil import zone


def a_set(
    scope: str, kind: str, learner_id: int | None, scale: float, adopted: bool, age_days: int, now: datetime
) -> ParameterSet:
    values = [value * scale if index < 4 else value for index, value in enumerate(DEFAULT_PARAMETERS)]
    return ParameterSet(
        scope=scope,
        kind=kind,
        learner_id=learner_id,
        parameters=values,
        reviews=3000,
        items=1500,
        previous="default",
        fitted_at=now - timedelta(days=age_days),
        adopted=adopted,
        reason=None if adopted else "held-out log loss 0.4 is not lower than 0.3 with the set in use",
    )


def test_question_types_map_to_kinds() -> None:
    assert srs.question_kind("multiple_choice") == srs.question_kind("true_false") == srs.RECOGNITION
    assert srs.question_kind("flashcard") == srs.question_kind("cloze") == srs.question_kind("anything") == srs.RECALL


async def test_personal_then_community_then_default_per_kind(services: Services) -> None:
    now = services.clock.now()
    async with services.unit() as session:
        learner = await queries.ensure_learner(session, 1, now)
        await queries.ensure_learner(session, 2, now)
        assert (await store.in_use(session, learner, srs.RECALL)).source == "default"
        session.add(a_set("community", srs.RECALL, None, 0.5, True, 5, now))
        session.add(a_set("community", srs.RECALL, None, 0.7, False, 1, now))  # newer, not adopted: ignored
        session.add(a_set("personal", srs.RECALL, 2, 3.0, True, 1, now))  # someone else's
        await session.flush()
        used = await store.in_use(session, learner, srs.RECALL)
        assert used.source == "community" and used.parameters is not None
        assert used.parameters[0] == DEFAULT_PARAMETERS[0] * 0.5
        session.add(a_set("personal", srs.RECALL, 1, 2.0, True, 1, now))
        await session.flush()
        assert (await store.in_use(session, learner, srs.RECALL)).source == "personal"
        assert (await store.in_use(session, learner, srs.RECOGNITION)).source == "default"
        learner.personal_parameters = False
        assert (await store.in_use(session, learner, srs.RECALL)).source == "community"


async def test_a_review_is_scheduled_with_the_set_in_use(services: Services) -> None:
    now = services.clock.now()
    qid = next(qid for qid, kind in store.kinds_of(services.content).items() if kind == srs.RECALL)
    async with services.unit() as session:
        learner = await queries.ensure_learner(session, 1, now)
        own = a_set("personal", srs.RECALL, 1, 3.0, True, 1, now)
        session.add(own)
        await queries.create_cards(session, 1, [(qid, "t")], now)
        card = await queries.card_for_question(session, 1, qid)
        assert card is not None
        before = srs.CardState.new(now)
        log = await record_review(
            session, learner, card, Rating.EASY, now, source="quiz", correct=None, duration_ms=None, kind=srs.RECALL
        )
        expected = srs.review(before, Rating.EASY, now, parameters=tuple(own.parameters))
        default = srs.review(before, Rating.EASY, now)
        assert card.stability == expected.stability != default.stability
        assert log.stability_after == expected.stability


def test_workload_grows_with_retention_and_warns_at_the_ends() -> None:
    deck = workload.Deck(
        {srs.RECOGNITION: 120, srs.RECALL: 80}, {srs.RECOGNITION: None, srs.RECALL: None}, 10, 100, 0.88
    )
    points = workload.advice(deck)
    assert [point.retention for point in points] == [0.75, 0.80, 0.85, 0.88, 0.90, 0.93, 0.95, 0.97]
    reviews = [point.reviews_per_day for point in points]
    assert reviews == sorted(reviews) and reviews[-1] > 2 * reviews[0]
    assert all(0 < point.remembered <= 200 for point in points)
    assert [point.warning is not None for point in points] == [True, False, False, False, False, False, False, True]
    assert workload.advice(deck) == points  # a fixed seed: the same advice every time


async def test_roadmap_recall_uses_the_parameters_scheduling_the_card_and_the_learners_days(services: Services) -> None:
    now = services.clock.now()
    content = services.content
    topic = next(iter(content.topics.values()))
    tokyo = zone("Asia/Tokyo")
    decayed = list(DEFAULT_PARAMETERS)
    decayed[20] = 0.6  # forgets along a much steeper curve than the defaults
    async with services.unit() as session:
        learner = await queries.ensure_learner(session, 7, now)
        learner.timezone = "Asia/Tokyo"
        await progress.enroll(session, content, 7, topic.id, now)
        card = (await queries.cards_for(session, 7, [topic.id]))[0]
        kind = store.kind_of_question(content, card.question_id)
        community = a_set("community", kind, None, 1.0, True, 1, now)
        community.parameters = decayed
        session.add(community)
        await session.flush()
        await record_review(
            session, learner, card, Rating.GOOD, now, source="quiz", correct=True, duration_ms=None, kind=kind
        )
        state = progress.card_state(card)
    later = now + timedelta(days=4, hours=5)
    async with services.read() as session:
        levels = await progress.roadmap_progress(session, content, 7, later, levels=[topic.level])
    found = next(entry for entry in levels[0].topics if entry.topic.id == topic.id)
    questions = len(content.topic_questions(topic.id))
    expected = srs.retrievability(state, later, parameters=tuple(decayed), zone=tokyo) / questions
    assert found.recall == pytest.approx(expected)
    assert expected < srs.retrievability(state, later) / questions  # the defaults would overstate it
