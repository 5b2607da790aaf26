"""Which numbers a numeric variant shows: one draw per (card, review number), from stored state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.db import queries
from bot.runner import build_services
from bot.services import Services
from bot.settings import Settings
from bot.study import quiz
from scheduler.srs import Rating
from tests.cards_fixture import write_cards_content

UID = 4242
QID = "derivatives-power-rule"


@pytest.fixture
async def svc(db_url: str, tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings(
        discord_token=None, database_url=db_url, content_dir=write_cards_content(tmp_path / "c"), _env_file=None
    )  # type: ignore[call-arg]
    clock = Clock()
    clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    services = await build_services(settings, clock=clock)
    try:
        yield services
    finally:
        await services.engine.dispose()


async def start(svc: Services, source: str, count: int = 1) -> quiz.Step:
    async with svc.unit() as s:
        await queries.ensure_learner(s, UID, svc.clock.now())
        return await quiz.create_session(s, svc.content, UID, [QID] * count, source, svc.clock.now())


async def answer(svc: Services, step: quiz.Step, choice: int) -> quiz.Feedback:
    async with svc.unit() as s:
        return await quiz.answer(s, svc.content, step.session.id, UID, step.position, svc.clock.now(), choice=choice)


async def test_a_wrong_answer_requeues_the_card_with_new_numbers(svc: Services) -> None:
    first = await start(svc, "quiz")
    assert first.draw == 0
    async with svc.read() as s:
        assert (await quiz.current(s, svc.content, first.session.id, UID)).shown() == first.shown()
    feedback = await answer(svc, first, choice=1)
    assert feedback.rating == Rating.AGAIN and feedback.requeued
    assert feedback.step.shown() == first.shown()  # the feedback shows what was asked
    async with svc.unit() as s:
        await quiz.advance(s, svc.content, first.session.id, UID, 0, svc.clock.now())
        again = await quiz.current(s, svc.content, first.session.id, UID)
    assert again.draw == 1 and again.shown().prompt != first.shown().prompt


async def test_cram_practice_counts_as_a_presentation_of_the_card(svc: Services) -> None:
    cram = await start(svc, "cram")
    await answer(svc, cram, choice=0)
    async with svc.read() as s:
        assert await quiz.review_number(s, UID, QID) == 1
        assert await quiz.review_number(s, UID + 1, QID) == 0
    later = await start(svc, "cram")
    assert later.draw == 1 and later.shown().prompt != cram.shown().prompt
    other = quiz.card_key(UID + 1, QID)
    assert other != quiz.card_key(UID, QID)
