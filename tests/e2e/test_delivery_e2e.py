"""Delivery through the local Discord: Discord's 5xx are retried and delivered once, a
closed DM ends the delivery at once, digest answers are not timed from the send, and one
malformed gateway payload does not take the bot down."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Delivery, Learner, ReviewLog
from localdiscord import User
from localdiscord.users import InvalidOption
from tests.e2e.test_digest_e2e import opt_in, tick
from tests.helpers import Harness

SEND = "/messages"


async def due_learner(h: Harness, name: str) -> User:
    """A learner with reminders on and something due at 09:00 Berlin on 2026-06-01."""
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    user = h.ld.create_user(name)
    await h.ld.slash(user, "quiz", {"topic": "pandas", "count": 1})  # enrols: new cards available
    await opt_in(h, user)
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    return user


async def deliveries(h: Harness) -> list[Delivery]:
    async with h.services.read() as s:
        return list(await s.scalars(select(Delivery).where(Delivery.kind == "digest")))


@pytest.mark.parametrize("status", [500, 503])
async def test_a_discord_server_error_is_retried_and_delivered_once(harness: Harness, status: int) -> None:
    """500: discord.py itself retries; 503: it raises and the dispatcher retries."""
    h, ld = harness, harness.ld
    amy = await due_learner(h, "amy")
    dm = ld.dm_channels[amy.id]
    fault = ld.inject("POST", f"/channels/{dm.id}/messages", status=status, message=f"{status}: Server Error")
    await tick(h)
    assert fault.hits == 1
    digests = [m for m in ld.dms_to(amy) if m.content.startswith("📬")]
    assert len(digests) == 1
    [d] = await deliveries(h)
    assert d.status == "sent" and d.message_id == digests[0].id and d.error is None


async def test_closed_dms_end_the_delivery_without_retrying(harness: Harness) -> None:
    h, ld = harness, harness.ld
    bea = await due_learner(h, "bea")
    bea.dms_open = False
    before = ld.count_requests("POST", SEND)
    await tick(h)
    h.clock.advance(timedelta(hours=1))
    await tick(h)
    assert ld.count_requests("POST", SEND) == before + 1  # one attempt, no retry
    [d] = await deliveries(h)
    assert d.status == "closed" and d.error is not None and "50007" in d.error
    async with h.services.read() as s:
        learner = await s.get(Learner, bea.id)
        assert learner is not None and learner.dm_status == "closed" and learner.next_digest_at is None


async def test_a_digest_answered_hours_later_is_graded_on_its_answer_not_the_delay(harness: Harness) -> None:
    h, ld = harness, harness.ld
    cal = await due_learner(h, "cal")
    async with h.services.unit() as s:
        learner = await s.get(Learner, cal.id)
        assert learner is not None
        learner.avg_answer_ms = 6000  # a learner who usually answers in 6 s
        learner.digest_size = 2
    await tick(h)
    digest = next(m for m in ld.dms_to(cal) if m.content.startswith("📬"))
    h.clock.advance(timedelta(hours=3))  # read three hours later
    async with h.services.read() as s:
        delivery = (await deliveries(h))[0]
        from bot.db.models import QuizSession

        qs = await s.get(QuizSession, delivery.session_id)
        assert qs is not None and qs.shown_at is None  # pushed: when it is seen is unknown
        question = h.services.content.questions[qs.queue[0]]
    right = _right_button(ld, digest, question)
    await ld.click(cal, digest, right)
    assert digest.embeds[0]["title"] == "✅ Correct!"
    async with h.services.read() as s:
        [review] = list(await s.scalars(select(ReviewLog).where(ReviewLog.learner_id == cal.id)))
        learner = await s.get(Learner, cal.id)
    assert (review.rating, review.duration_ms, review.source) == (3, None, "digest")  # Good, not Hard
    assert learner is not None and learner.avg_answer_ms == 6000  # the usual time is unchanged

    await ld.click(cal, digest, "Next")  # the next question is shown because the learner clicked
    h.clock.advance(timedelta(seconds=4))
    async with h.services.read() as s:
        qs = await s.get(QuizSession, delivery.session_id)
        assert qs is not None
        second = h.services.content.questions[qs.queue[1]]
    if second.type != "flashcard":
        await ld.click(cal, digest, _right_button(ld, digest, second))
        async with h.services.read() as s:
            last = await s.scalar(
                select(ReviewLog).where(ReviewLog.learner_id == cal.id).order_by(ReviewLog.id.desc()).limit(1)
            )
        assert last is not None and last.duration_ms is not None and 3000 <= last.duration_ms <= 6000


def _right_button(ld: object, message: object, question: object) -> str:
    comps = [c for c in ld.components_of(message) if c.get("custom_id", "").startswith("quiz:ans:")]  # type: ignore[attr-defined]
    if question.type == "flashcard":  # type: ignore[attr-defined]
        raise AssertionError("expected a question with answer buttons")
    want = question.correct_index if question.type == "multiple_choice" else int(question.answer)  # type: ignore[attr-defined]
    return next(c["custom_id"] for c in comps if c["custom_id"].endswith(f":{want}"))


async def test_post_answers_are_not_timed_from_the_post(harness: Harness) -> None:
    from tests.e2e.test_study_channels_e2e import posts, setup_guild

    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    fay = ld.create_user("fay")
    await ld.add_member(guild, fay)
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00", "topics": "pca"}, channel=ch)
    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))
    await tick(h)
    [post] = posts(ld, ch)
    h.clock.advance(timedelta(hours=2))
    await ld.click(fay, post, ld.components_of(post)[0]["custom_id"])
    async with h.services.read() as s:
        [review] = list(await s.scalars(select(ReviewLog).where(ReviewLog.learner_id == fay.id)))
    assert review.source == "channel" and review.duration_ms is None and review.rating in (1, 3)


async def test_a_malformed_gateway_payload_is_dropped_and_the_bot_carries_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    ld = harness.ld
    [session] = [s for s in ld.gateway.sessions.values() if s.connected]
    with caplog.at_level(logging.WARNING, logger="bot.gateway_guard"):
        session.seq += 1
        await session.send_raw(f'{{"op":0,"t":"INTERACTION_CREATE","s":{session.seq},"d":{{"value":NaN}}}}')
        session.seq += 1
        bad = json.dumps({"op": 0, "t": "INTERACTION_CREATE", "s": session.seq, "d": {"type": 3, "id": "1"}})
        await session.send_raw(bad)  # an interaction missing half its fields
        dee = ld.create_user("dee")
        it = await ld.slash(dee, "roadmap", {})
    assert it.original is not None and it.original.embeds  # the connection stayed up
    dropped = [r for r in caplog.records if "malformed gateway payload" in r.getMessage()]
    assert len(dropped) == 2 and "NaN" in dropped[0].getMessage()
    assert ld.gateway.identifies == 1  # no reconnect was needed


async def test_the_local_discord_refuses_non_finite_numbers_in_options(harness: Harness) -> None:
    ld = harness.ld
    eve = ld.create_user("eve")
    for bad in (float("nan"), float("inf")):
        with pytest.raises(InvalidOption, match="finite number"):
            await ld.slash(eve, "quiz", {"count": bad})
    it = await ld.slash(eve, "roadmap", {})
    assert it.original is not None
