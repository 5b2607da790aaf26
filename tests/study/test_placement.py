"""/start's placement check against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.content import Content, MultipleChoice, TrueFalse
from bot.db import queries
from bot.db.models import Placement, ReviewLog
from bot.errors import NotAllowed, StaleInteraction
from bot.services import Services
from bot.study import placement, progress, starting
from bot.study.placement import PlacementQuestion, PlacementResult
from tests.study.test_quiz import right_choice, wrong_choice

UID, OTHER = 111, 222


async def begin(svc: Services) -> PlacementQuestion:
    async with svc.unit() as s:
        return await placement.begin(s, svc.content, UID, svc.clock.now())


async def reply(svc: Services, step: PlacementQuestion, right: bool) -> placement.Step:
    svc.clock.advance(timedelta(seconds=6))
    choice = right_choice(step.question) if right else wrong_choice(step.question)
    async with svc.unit() as s:
        return await placement.answer(
            s, svc.content, UID, step.placement.id, step.placement.position, choice, svc.clock.now()
        )


async def run(svc: Services, plan: dict[int, list[bool]]) -> tuple[PlacementResult, list[int]]:
    """Answer level by level as ``plan`` says (right/wrong in order); returns the result and
    the levels asked about, in order."""
    step: placement.Step = await begin(svc)
    asked: list[int] = []
    while isinstance(step, PlacementQuestion):
        level = step.placement.level
        if not asked or asked[-1] != level:
            asked.append(level)
        step = await reply(svc, step, plan[level][step.number - 1])
    return step, asked


async def reviews(svc: Services) -> list[ReviewLog]:
    async with svc.read() as s:
        return list(await s.scalars(select(ReviewLog).where(ReviewLog.learner_id == UID).order_by(ReviewLog.id)))


async def statuses(svc: Services) -> dict[str, tuple[str, str | None, bool]]:
    async with svc.read() as s:
        rows = await queries.progress_map(s, UID)
    return {tid: (r.status, r.status_reason, r.enrolled) for tid, r in rows.items()}


def level_topics(content: Content, number: int) -> set[str]:
    level = content.level(number)
    assert level is not None
    return {t.id for t in level.topics}


def test_draw_takes_objective_questions_from_different_topics(content: Content) -> None:
    import random

    for level in content.levels:
        ids = placement.draw(content, level.number, random.Random(level.number))
        assert len(ids) == placement.PER_LEVEL
        questions = [content.questions[q] for q in ids]
        assert all(isinstance(q, MultipleChoice | TrueFalse) for q in questions)
        assert len({q.topic for q in questions}) == placement.PER_LEVEL
        assert {q.topic for q in questions} <= level_topics(content, level.number)


async def test_passing_levels_0_and_1_and_failing_2(services: Services) -> None:
    svc, content = services, services.content
    result, asked = await run(svc, {0: [True, True], 1: [True, False, True], 2: [False, True, False]})
    assert asked == [0, 1, 2]
    assert result.passed == [0, 1] and result.stopped_at == 2 and result.outcome == "completed"
    first_of_2 = content.level(2).topics[0]  # type: ignore[union-attr]
    assert result.start is not None and result.start.id == first_of_2.id
    marks = await statuses(svc)
    done = {tid for tid, (status, reason, _) in marks.items() if status == "done" and reason == "placement"}
    assert done == level_topics(content, 0) | level_topics(content, 1)
    assert result.marked == len(done)
    assert marks[first_of_2.id][2] is True  # enrolled
    assert not any(marks.get(t, ("pending", None, False))[0] == "done" for t in level_topics(content, 2))
    logs = await reviews(svc)
    # Level 0 decided after two right answers, level 1 after three; level 2's answers are not evidence of
    # a passed level and are not recorded.
    assert [log.source for log in logs] == ["placement"] * 5 and result.recorded == 5
    assert [log.correct for log in logs] == [True, True, True, False, True]
    assert [content.questions[log.question_id].topic in level_topics(content, 0) for log in logs[:2]] == [True] * 2
    assert all(log.was_new for log in logs)


async def test_a_failed_level_stops_as_soon_as_it_cannot_pass(services: Services) -> None:
    result, asked = await run(services, {0: [False, False]})
    assert asked == [0] and result.passed == [] and result.recorded == 0
    assert result.start is not None and result.start.id == services.content.level(0).topics[0].id  # type: ignore[union-attr]
    assert await reviews(services) == []


async def test_stopping_after_one_question_leaves_a_consistent_state(services: Services) -> None:
    svc = services
    step = await begin(svc)
    nxt = await reply(svc, step, True)
    assert isinstance(nxt, PlacementQuestion) and nxt.last is True and nxt.number == 2
    async with svc.unit() as s:
        result = await placement.stop(s, svc.content, UID, nxt.placement.id, svc.clock.now())
    assert isinstance(result, PlacementResult)
    assert result.passed == [] and result.outcome == "stopped" and result.recorded == 0
    assert await reviews(svc) == []
    marks = await statuses(svc)
    assert [tid for tid, (_, _, enrolled) in marks.items() if enrolled] == [svc.content.level(0).topics[0].id]  # type: ignore[union-attr]
    assert not any(reason for _, reason, _ in marks.values())
    async with svc.read() as s:
        row = await placement.latest(s, UID)
    assert row is not None and row.finished_at is not None and len(row.answers) == 1
    # A stale click on the stopped check changes nothing.
    with pytest.raises(StaleInteraction):
        await reply(svc, nxt, True)


async def test_double_click_records_once_and_others_cannot_answer(services: Services) -> None:
    svc = services
    step = await begin(svc)
    await reply(svc, step, True)
    with pytest.raises(StaleInteraction):
        await reply(svc, step, True)
    async with svc.unit() as s:
        row = await s.get(Placement, step.placement.id)
        assert row is not None and row.position == 1
        with pytest.raises(NotAllowed):
            await placement.answer(s, svc.content, OTHER, row.id, 1, 0, svc.clock.now())


async def test_placement_answers_do_not_use_up_the_days_new_questions(services: Services) -> None:
    svc = services
    await run(svc, {0: [True, True], 1: [True, True], 2: [True, True], 3: [False, False]})
    assert len(await reviews(svc)) == 6
    async with svc.unit() as s:
        learner = await queries.ensure_learner(s, UID, svc.clock.now())
        _, new_left = await starting.day_budget(s, learner, svc.clock.now())
        started = await starting.start(s, svc.content, UID, svc.clock.now())
    assert new_left == learner.new_per_day
    assert started.step.question is not None
    assert started.step.question.topic == svc.content.level(3).topics[0].id  # type: ignore[union-attr]


async def test_redo_keeps_history_and_moves_the_marks(services: Services) -> None:
    svc, content = services, services.content
    await run(svc, {0: [True, True], 1: [True, True], 2: [False, False]})
    async with svc.unit() as s:
        await progress.set_status(s, UID, content.level(1).topics[0].id, "skipped", svc.clock.now())  # type: ignore[union-attr]
    before = len(await reviews(svc))
    result, _ = await run(svc, {0: [True, True], 1: [False, False]})
    assert result.passed == [0]
    marks = await statuses(svc)
    level1 = content.level(1).topics  # type: ignore[union-attr]
    assert marks[level1[0].id][0] == "skipped"  # the learner's own choice stays
    assert marks[level1[1].id] == ("learning", None, True)  # the new starting topic
    assert all(marks[t.id][:2] == ("pending", None) for t in level1[2:])  # placement marks moved
    assert len(await reviews(svc)) == before + 2  # history kept, new evidence added
    assert result.start is not None and result.start.id == level1[1].id
