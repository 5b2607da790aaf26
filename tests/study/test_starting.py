"""What `/quiz` starts: level enrolment one topic at a time, topics taken out of reviews,
mistakes, and resuming (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db import queries
from bot.errors import Notice
from bot.services import Services
from bot.study import digest, progress, quiz, starting
from tests.study.test_quiz import UID, answer_current, next_q, started


async def enrolled(svc: Services) -> list[str]:
    async with svc.read() as s:
        rows = await queries.progress_map(s, UID)
    return [tid for tid, row in rows.items() if row.enrolled]


async def test_quiz_level_enrols_one_topic_and_offers_the_rest_with_counts(services: Services) -> None:
    content = services.content
    level = content.level(1)
    assert level is not None
    begun = await started(services, level=1)
    assert await enrolled(services) == [level.topics[0].id]
    assert begun.note is not None and level.topics[0].name in begun.note
    offer = begun.offer
    assert offer is not None and offer.level == 1 and offer.topics == len(level.topics) - 1
    assert offer.questions == sum(len(content.topic_questions(t.id)) for t in level.topics[1:])
    async with services.unit() as s:
        added = await starting.enrol_level(s, content, UID, 1, services.clock.now())
    assert added.topics == offer.topics and sorted(await enrolled(services)) == sorted(t.id for t in level.topics)


async def test_a_removed_topic_is_asked_nowhere_and_never_re_added(services: Services) -> None:
    svc, content = services, services.content
    first = content.levels[0].topics[0]
    begun = await started(svc)
    await answer_current(svc, begun.step.session.id, correct=False)
    async with svc.unit() as s:
        await progress.remove_from_reviews(s, UID, first.id, svc.clock.now())
    svc.clock.advance(timedelta(days=3))  # the card answered wrong is overdue by now
    async with svc.unit() as s:
        learner = await queries.ensure_learner(s, UID, svc.clock.now())
        queue = await starting.build_queue(s, content, learner, svc.clock.now(), topic_ids=None, count=50)
        assert all(content.questions[q].topic != first.id for q in queue)
        prepared = await digest.prepare(s, content, learner, svc.clock.now())
        asked = prepared.step.session.queue if prepared else []
        assert all(content.questions[q].topic != first.id for q in asked)
        # `/quiz` with no topic in the reviews starts the next topic, not the removed one.
        again = await starting.start(s, content, UID, svc.clock.now())
    assert again.step.question is not None and again.step.question.topic != first.id
    assert first.id not in await enrolled(svc)
    with pytest.raises(Notice):
        async with svc.unit() as s:
            await starting.start(s, content, UID, svc.clock.now(), mode="mistakes")


async def test_mistakes_mode_reviews_recent_wrong_answers_most_recent_first(services: Services) -> None:
    svc = services
    with pytest.raises(Notice, match="nothing to go over"):
        await started(svc, mode="mistakes")
    begun = await started(svc, topic="numpy", count=4)
    sid, wrong = begun.step.session.id, []
    for pos in range(4):
        feedback = await answer_current(svc, sid, correct=pos % 2 == 0)  # wrong at positions 1 and 3
        if pos % 2:
            assert feedback.step.question is not None
            wrong.append(feedback.step.question.id)
        svc.clock.advance(timedelta(seconds=30))
        await next_q(svc, sid, pos)
    async with svc.read() as s:
        found = await starting.mistakes(s, svc.content, UID, svc.clock.now(), 10)
    assert found == wrong[::-1]
    review = await started(svc, mode="mistakes")
    assert review.step.session.source == "quiz" and review.step.total == 2
    assert review.step.question is not None and review.step.question.id == found[0]
    svc.clock.advance(timedelta(days=31))
    with pytest.raises(Notice):
        await started(svc, mode="mistakes")


async def test_an_unfinished_session_can_be_resumed_for_a_day(services: Services) -> None:
    svc = services
    begun = await started(svc, topic="pandas", count=4)
    await answer_current(svc, begun.step.session.id)
    await next_q(svc, begun.step.session.id, 0)
    async with svc.read() as s:
        unfinished = await starting.resumable(s, UID, svc.clock.now())
    assert unfinished is not None and unfinished.id == begun.step.session.id and unfinished.position == 1
    async with svc.read() as s:
        step = await quiz.current(s, svc.content, unfinished.id, UID)
    assert step.position == 1 and step.total == 4
    svc.clock.advance(timedelta(hours=25))
    async with svc.read() as s:
        assert await starting.resumable(s, UID, svc.clock.now()) is None
