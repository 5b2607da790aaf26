"""Quiz sessions against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.content import MultipleChoice, SelfRated, TrueFalse
from bot.db import queries
from bot.db.models import Card, Learner, PracticeLog, ReviewLog
from bot.errors import NotAllowed, NotFound, Notice, StaleInteraction
from bot.services import Services
from bot.study import progress, quiz, starting
from scheduler.srs import Rating

UID, OTHER = 111, 222


def right_choice(q: object) -> int:
    if isinstance(q, MultipleChoice):
        return q.correct_index
    assert isinstance(q, TrueFalse)
    return int(q.answer)


def wrong_choice(q: object) -> int:
    if isinstance(q, MultipleChoice):
        return (q.correct_index + 1) % len(q.options)
    assert isinstance(q, TrueFalse)
    return int(not q.answer)


async def answer_current(svc: Services, sid: int, *, correct: bool = True, uid: int = UID) -> quiz.Feedback:
    async with svc.unit() as s:
        step = await quiz.current(s, svc.content, sid, uid)
        q = step.question
        if isinstance(q, SelfRated):
            return await quiz.answer(
                s,
                svc.content,
                sid,
                uid,
                step.position,
                svc.clock.now(),
                rating=Rating.GOOD if correct else Rating.AGAIN,
            )
        choice = right_choice(q) if correct else wrong_choice(q)
        return await quiz.answer(s, svc.content, sid, uid, step.position, svc.clock.now(), choice=choice)


async def next_q(svc: Services, sid: int, pos: int) -> quiz.Step:
    async with svc.unit() as s:
        return await quiz.advance(s, svc.content, sid, UID, pos, svc.clock.now())


async def count(svc: Services, model: type, **where: object) -> int:
    async with svc.unit() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return int(await s.scalar(q) or 0)


async def start(svc: Services, **kw: object) -> quiz.Step:
    return (await started(svc, **kw)).step


async def started(svc: Services, **kw: object) -> starting.Started:
    async with svc.unit() as s:
        return await starting.start(s, svc.content, UID, svc.clock.now(), **kw)  # type: ignore[arg-type]


async def test_topic_quiz_enrolls_and_serves_new_cards(services: Services) -> None:
    step = await start(services, topic="linear-algebra", count=5)
    assert step.total == 5 and step.question is not None and step.question.topic == "linear-algebra"
    n = len(services.content.topic_questions("linear-algebra"))
    assert await count(services, Card, learner_id=UID) == n
    async with services.unit() as s:
        prog = await queries.progress_map(s, UID)
    assert prog["linear-algebra"].enrolled and prog["linear-algebra"].status == "learning"


async def test_right_and_wrong_answers_update_schedule_and_log(services: Services) -> None:
    step = await start(services, topic="calculus", count=2)
    fb = await answer_current(services, step.session.id, correct=True)
    assert fb.correct is True or fb.correct is None
    step = await next_q(services, step.session.id, 0)
    fb2 = await answer_current(services, step.session.id, correct=False)
    assert fb2.rating == Rating.AGAIN and fb2.requeued
    assert fb2.step.total == 3  # asked again in this session
    logs = await count(services, ReviewLog, learner_id=UID)
    assert logs == 2
    async with services.unit() as s:
        log = await s.scalar(select(ReviewLog).order_by(ReviewLog.id.desc()).limit(1))
        assert log is not None and log.source == "quiz" and log.was_new
        assert log.state_before == 1 and log.due_after > log.due_before


async def test_double_answer_records_once(services: Services) -> None:
    step = await start(services, topic="numpy", count=3)
    await answer_current(services, step.session.id)
    with pytest.raises(StaleInteraction):
        await answer_current(services, step.session.id)
    assert await count(services, ReviewLog, learner_id=UID) == 1


async def test_concurrent_clicks_record_exactly_one_review(services: Services) -> None:
    step = await start(services, topic="pandas", count=3)
    results = await asyncio.gather(
        *(answer_current(services, step.session.id) for _ in range(5)), return_exceptions=True
    )
    assert sum(1 for r in results if isinstance(r, quiz.Feedback)) == 1
    assert all(isinstance(r, quiz.Feedback | StaleInteraction) for r in results), results
    assert await count(services, ReviewLog, learner_id=UID) == 1


async def test_foreign_user_is_refused(services: Services) -> None:
    step = await start(services, topic="git-github", count=2)
    with pytest.raises(NotAllowed):
        await answer_current(services, step.session.id, uid=OTHER)
    assert await count(services, ReviewLog) == 0


async def test_due_cards_come_before_new_ones(services: Services) -> None:
    step = await start(services, topic="linear-algebra", count=2)
    first = step.session.queue[0]
    await answer_current(services, step.session.id, correct=True)
    await next_q(services, step.session.id, 0)
    services.clock.advance(timedelta(days=40))
    step2 = await start(services, topic="linear-algebra", count=10)
    assert step2.session.queue[0] == first  # the reviewed card is due and comes first
    async with services.unit() as s:
        cards = {c.question_id: c for c in await queries.cards_for(s, UID)}
    assert all(cards[q].last_review is None for q in step2.session.queue[1:])


async def test_daily_new_card_limit(services: Services) -> None:
    async with services.unit() as s:
        learner = await queries.ensure_learner(s, UID, services.clock.now())
        learner.new_per_day = 3
    step = await start(services, level=1, count=20)
    assert step.total == 3
    for pos in range(3):
        await answer_current(services, step.session.id)
        await next_q(services, step.session.id, pos)
    with pytest.raises(Notice, match="limit of 3 new"):
        await start(services, level=1, count=20)
    services.clock.advance(timedelta(days=1))
    assert (await start(services, level=1, count=20)).total >= 3


async def test_review_cap(services: Services) -> None:
    async with services.unit() as s:
        learner = await queries.ensure_learner(s, UID, services.clock.now())
        learner.reviews_per_day = 2
    step = await start(services, topic="svm", count=10)
    assert step.total == 2


async def test_a_newcomers_quiz_starts_on_the_suggested_topic(services: Services) -> None:
    first = services.content.levels[0].topics[0]
    begun = await started(services)
    assert begun.step.question is not None and begun.step.question.topic == first.id
    assert begun.note is not None and first.name in begun.note and "/quiz topic:" in begun.note
    async with services.read() as s:
        rows = await queries.progress_map(s, UID)
    assert [tid for tid, row in rows.items() if row.enrolled] == [first.id]


async def test_unknown_topic_or_level_is_refused(services: Services) -> None:
    with pytest.raises(NotFound, match="no topic"):
        await start(services, topic="quantum-cooking")
    with pytest.raises(NotFound, match="no level 12"):
        await start(services, level=12)


async def test_cram_does_not_touch_the_schedule(services: Services) -> None:
    step = await start(services, topic="gans", count=3, mode="cram")
    assert step.session.source == "cram"
    await answer_current(services, step.session.id, correct=False)
    assert await count(services, ReviewLog) == 0
    assert await count(services, PracticeLog, learner_id=UID) == 1
    assert await count(services, Card) == 0


async def test_self_rating_revises_the_review(services: Services) -> None:
    step = await start(services, topic="ppo", count=5)
    while isinstance(step.question, SelfRated):
        await answer_current(services, step.session.id)
        step = await next_q(services, step.session.id, step.position)
    await answer_current(services, step.session.id, correct=True)
    async with services.unit() as s:
        card = await queries.card_for_question(s, UID, step.session.queue[step.position])
        assert card is not None
        good_due = card.due
        await quiz.adjust(s, services.content, step.session.id, UID, step.position, Rating.EASY, services.clock.now())
    async with services.unit() as s:
        card = await queries.card_for_question(s, UID, step.session.queue[step.position])
        log = await s.scalar(select(ReviewLog).where(ReviewLog.card_id == card.id))  # type: ignore[union-attr]
    assert card is not None and log is not None
    assert card.due >= good_due and log.rating == Rating.EASY
    assert await count(services, ReviewLog, card_id=card.id) == 1


async def test_finish_and_summary(services: Services) -> None:
    step = await start(services, topic="dqn", count=2)
    for _ in range(2):
        await answer_current(services, step.session.id)
        step = await next_q(services, step.session.id, step.position)
    assert step.finished
    async with services.unit() as s:
        summary = await quiz.summary(s, step.session, services.clock.now())
    assert summary.answered == 2 and summary.correct == 2 and summary.next_due is not None


async def test_removed_question_suspends_and_can_be_skipped(services: Services) -> None:
    step = await start(services, topic="bert", count=3)
    removed = step.session.queue[0]
    content = services.content
    from dataclasses import replace

    services.content = replace(content, questions={k: v for k, v in content.questions.items() if k != removed})
    counts = await services.sync_content_ids()
    assert counts["suspended"] == 1
    async with services.unit() as s:
        card = await queries.card_for_question(s, UID, removed)
        assert card is not None and card.suspended
    with pytest.raises(StaleInteraction, match="removed"):
        async with services.unit() as s:
            await quiz.answer(s, services.content, step.session.id, UID, 0, services.clock.now(), choice=0)
    step = await next_q(services, step.session.id, 0)
    assert step.position == 1
    services.content = content
    assert (await services.sync_content_ids())["resumed"] == 1


async def test_replaced_question_carries_history(services: Services) -> None:
    step = await start(services, topic="gru", count=1)
    old = step.session.queue[0]
    await answer_current(services, step.session.id)
    content = services.content
    from dataclasses import replace

    q = content.questions[old]
    new_q = q.model_copy(update={"id": old + "-v2", "replaces": (old,)})
    questions = {k: v for k, v in content.questions.items() if k != old} | {new_q.id: new_q}
    services.content = replace(content, questions=questions, replaced_by={old: new_q.id})
    counts = await services.sync_content_ids()
    assert counts["moved"] == 1
    async with services.unit() as s:
        card = await queries.card_for_question(s, UID, new_q.id)
        assert card is not None and card.last_review is not None and not card.suspended
        assert await s.scalar(select(func.count()).select_from(ReviewLog).where(ReviewLog.question_id == new_q.id)) == 1


async def test_learner_progress_and_mastery(services: Services) -> None:
    topic = "perceptron"
    n = len(services.content.topic_questions(topic))
    async with services.unit() as s:
        learner = await queries.ensure_learner(s, UID, services.clock.now())
        learner.new_per_day = n  # the whole topic in one session (the default is 10 new a day)
    step = await start(services, topic=topic, count=n)
    while not step.finished:
        await answer_current(services, step.session.id)
        step = await next_q(services, step.session.id, step.position)
    async with services.unit() as s:
        tp = await progress.topic_progress(s, services.content, UID, topic, services.clock.now())
    assert tp.reviewed == n and tp.recall > 0.8 and tp.mastered and tp.complete
    services.clock.advance(timedelta(days=200))
    async with services.unit() as s:
        tp = await progress.topic_progress(s, services.content, UID, topic, services.clock.now())
    assert not tp.mastered


async def test_learner_row_created_once(services: Services) -> None:
    async with services.unit() as s:
        await asyncio.gather(queries.ensure_learner(s, 5, services.clock.now()))
    async with services.unit() as s:
        await queries.ensure_learner(s, 5, services.clock.now())
    assert await count(services, Learner, id=5) == 1
