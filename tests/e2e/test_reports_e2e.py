"""*Report a problem* end to end: the button on quiz and study-channel feedback, its form,
the stored report, the duplicate refusal; the owners' content report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.models import Delivery, ProblemReport, QuizSession, ReviewLog
from localdiscord import InvalidOption, NotOffered
from tests.e2e.test_quiz_e2e import answer, current_question
from tests.helpers import Harness


async def reports(h: Harness) -> list[tuple[int, str, str, str, str]]:
    async with h.services.read() as s:
        rows = await s.scalars(select(ProblemReport).order_by(ProblemReport.id))
        return [(r.learner_id, r.question_id, r.reason, r.text, r.content_version) for r in rows]


async def test_report_from_quiz_feedback_once_per_question(harness: Harness) -> None:
    h, ld = harness, harness.ld
    alice = ld.create_user("alice")
    it = await ld.slash(alice, "quiz", {"topic": "pca", "count": 1})
    msg = it.original
    assert msg is not None
    question, _, _ = await current_question(h, msg)
    await answer(h, alice, msg, correct=False)
    labels = [c.get("label") for c in ld.components_of(msg)]
    assert "Report a problem" in labels

    opened = await ld.click(alice, msg, "Report a problem")
    form = opened.modal
    assert form is not None and form["title"] == "Report a problem with this question"
    reason = form["components"][0]
    assert reason["label"] == "What is wrong?"
    assert [o["label"] for o in reason["component"]["options"]] == ["Wrong answer", "Unclear", "Typo", "Something else"]
    with pytest.raises(InvalidOption, match="is required"):  # the client will not send it without a reason
        await ld.submit_modal(alice, opened, {"report:text": "no reason given"})
    with pytest.raises(InvalidOption, match="at most 500 characters"):
        await ld.submit_modal(alice, opened, {"report:reason": ["typo"], "report:text": "x" * 501})
    sent = await ld.submit_modal(alice, opened, {"report:reason": ["wrong_answer"], "report:text": "B looks right too"})
    assert sent.reply is not None and sent.reply.ephemeral and sent.reply.content.startswith("🙏 Thank you!")
    version = h.services.content.version
    assert await reports(h) == [(alice.id, question.id, "wrong_answer", "B looks right too", version)]  # type: ignore[attr-defined]

    again = await ld.click(alice, msg, "Report a problem")
    sent = await ld.submit_modal(alice, again, {"report:reason": ["typo"]})
    assert sent.reply is not None and "already reported this question" in sent.reply.content
    assert not sent.reply.embeds  # a polite note, not an error
    assert len(await reports(h)) == 1

    # The option picked is kept for item analysis (index in the content's order, or 1/0).
    async with h.services.read() as s:
        log = await s.scalar(select(ReviewLog).where(ReviewLog.learner_id == alice.id))
        qs = await s.scalar(select(QuizSession).where(QuizSession.learner_id == alice.id))
    assert log is not None and qs is not None
    assert (log.choice is None) == (log.correct is None)


async def test_report_from_a_study_channel_answer_and_the_owners_report(harness: Harness) -> None:
    h, ld = harness, harness.ld
    admin = ld.owner
    guild = await ld.create_guild("Study Hall", admin)
    ch = next(iter(guild.channels.values()))
    ann = ld.create_user("ann")
    await ld.add_member(guild, ann)
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00", "topics": "knn"}, channel=ch)
    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [post] = [m for m in ld.messages_in(ch) if m.interaction_user is None]
    async with h.services.read() as s:
        delivery = await s.scalar(select(Delivery).where(Delivery.kind == "channel"))
    assert delivery is not None and delivery.question_id is not None
    first_button = next(c["custom_id"] for c in ld.components_of(post))
    reply = (await ld.click(ann, post, first_button)).reply
    assert reply is not None and reply.ephemeral
    opened = await ld.click(ann, reply, "Report a problem")
    sent = await ld.submit_modal(ann, opened, {"report:reason": ["unclear"], "report:text": "Which distance?"})
    assert sent.reply is not None and sent.reply.content.startswith("🙏 Thank you!")
    assert [(r[0], r[1], r[2]) for r in await reports(h)] == [(ann.id, delivery.question_id, "unclear")]

    it = await ld.slash(admin, "admin content-report", {"days": 30}, channel=ch)
    embed = it.reply.embeds[0]  # type: ignore[union-attr]
    assert embed["title"] == "⚑ Questions that need a look" and "**1 flagged**" in embed["description"]
    field = embed["fields"][0]
    assert field["name"] == f"{delivery.question_id} — reported"
    assert 'report: unclear: "Which distance?"' in field["value"]
    with pytest.raises(NotOffered, match="default_member_permissions"):
        await ld.slash(ann, "admin content-report", {}, channel=ch)
