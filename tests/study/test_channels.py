from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest

from bot.content import Content, Flashcard
from bot.db.models import Delivery, StudyChannel
from bot.errors import InvalidInput, StaleInteraction
from bot.services import Services
from bot.study import channels


def channel(**kw: object) -> StudyChannel:
    base = {
        "levels": [],
        "topics": ["pca"],
        "used_questions": [],
        "questions_per_post": 1,
        "timezone": "UTC",
        "post_minute": 720,
        "days_mask": 127,
    }
    return StudyChannel(**(base | kw))


def test_rotation_never_repeats_until_pool_exhausted(content: Content) -> None:
    sc = channel()
    pool = channels.pool(content, [], ["pca"])
    assert pool and not any(isinstance(q, Flashcard) for q in pool)
    rng = random.Random(3)
    seen = [channels.pick_questions(content, sc, 1, rng)[0].id for _ in range(len(pool))]
    assert sorted(seen) == sorted(q.id for q in pool)
    nxt = channels.pick_questions(content, sc, 1, rng)[0].id  # a new cycle starts
    assert nxt in {q.id for q in pool} and sc.used_questions == [nxt]


def test_schedule_validation_lists_every_problem(content: Content) -> None:
    with pytest.raises(InvalidInput) as exc:
        channels.parse_schedule(
            content,
            levels="1,42",
            topics="pca,zzz-unknown",
            time="25:00",
            timezone="Nowhere/X",
            days="someday",
            questions=9,
        )
    msg = str(exc.value.message)
    for part in ("level '42'", "zzz-unknown", "25:00", "Nowhere/X", "someday", "1–4"):
        assert part in msg


async def test_concurrent_double_answer_records_once(services: Services) -> None:
    now = services.clock.now()
    async with services.unit() as s:
        sc = channel(guild_id=1, channel_id=2, created_by=3, created_at=now, paused=False)
        s.add(sc)
        await s.flush()
        q = channels.pool(services.content, [], ["pca"])[0]
        d = Delivery(
            kind="channel",
            target_id=sc.id,
            slot="x",
            status="sent",
            claimed_at=now,
            answers=0,
            correct_answers=0,
            question_id=q.id,
            sent_at=now,
        )
        s.add(d)
        await s.flush()
        did = d.id

    async def one() -> object:
        async with services.unit() as s:
            return await channels.answer(s, services.content, did, 99, 1, 0, datetime.now(UTC))

    results = await asyncio.gather(*(one() for _ in range(4)), return_exceptions=True)
    assert sum(1 for r in results if isinstance(r, channels.ChannelFeedback)) == 1
    assert all(isinstance(r, channels.ChannelFeedback | StaleInteraction) for r in results), results


async def test_deleting_my_data_removes_my_name_from_pause_reasons(services: Services) -> None:
    from sqlalchemy import select

    from bot.study import mydata

    now = datetime(2026, 6, 1, tzinfo=UTC)
    async with services.unit() as s:
        for i, reason in enumerate(
            [mydata.paused_by(42), "paused by Jon Doe", mydata.paused_by(7), "the channel was deleted"]
        ):
            sc = channel(guild_id=1, channel_id=100 + i, created_by=42, created_at=now)
            channels.pause(sc, reason, now)
            s.add(sc)
    async with services.unit() as s:
        await mydata.delete_all(s, 42, ("jon", "Jon Doe"))
    async with services.read() as s:
        rows = (await s.execute(select(StudyChannel.pause_reason, StudyChannel.created_by))).all()
    assert sorted(r for r, _ in rows) == sorted(
        ["paused by a server admin", "paused by a server admin", mydata.paused_by(7), "the channel was deleted"]
    )
    assert {c for _, c in rows} == {0}
