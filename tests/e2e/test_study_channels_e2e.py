"""Study channels end to end: admin set-up, scheduled posts, answers, tally, failures, scale."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Delivery, ReviewLog, StudyChannel
from localdiscord import LocalDiscord, Message, NotOffered
from localdiscord import permissions as P
from tests.helpers import Harness


async def setup_guild(h: Harness) -> tuple:
    ld = h.ld
    admin = ld.owner
    guild = await ld.create_guild("Study Hall", admin)
    ch = next(iter(guild.channels.values()))
    return ld, admin, guild, ch


def posts(ld: LocalDiscord, ch: object) -> list[Message]:
    return [m for m in ld.messages_in(ch) if m.interaction_user is None]  # type: ignore[arg-type]


async def tick(h: Harness) -> int:
    return await h.bot.scheduler.tick()


async def test_admin_adds_channel_and_posts_once_per_slot(harness: Harness) -> None:
    h = harness
    ld, admin, _guild, ch = await setup_guild(h)
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    it = await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00", "levels": "1"}, channel=ch)
    reply = it.reply
    assert reply is not None and reply.embeds[0]["title"] == "✅ Study channel saved"
    assert "level 1" in reply.embeds[0]["fields"][0]["value"]

    h.clock.set(datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC))
    await tick(h)
    await h.restart()
    await tick(h)
    [post] = posts(ld, ch)
    assert post.embeds[0]["title"].startswith("🧠 Study question")
    assert "No answers yet" in post.embeds[0]["footer"]["text"]
    h.clock.set(datetime(2026, 6, 2, 12, 0, 30, tzinfo=UTC))
    await tick(h)
    first, _second = posts(ld, ch)
    assert "✅ **Answer:" in first.embeds[0]["description"] and first.components == []  # revealed
    async with h.services.unit() as s:
        qids = list(await s.scalars(select(Delivery.question_id).where(Delivery.kind == "channel")))
    assert len(qids) == 2 and len(set(qids)) == 2  # no repeat while the pool lasts


async def test_members_answer_into_their_own_reviews_and_tally_updates(harness: Harness) -> None:
    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    await ld.add_member(guild, ann)
    await ld.add_member(guild, ben)
    h.bot.posts.tally_delay = 0.05
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00", "topics": "pca"}, channel=ch)
    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))
    await tick(h)
    [post] = posts(ld, ch)
    buttons = [c["custom_id"] for c in ld.components_of(post)]
    async with h.services.unit() as s:
        d = await s.scalar(select(Delivery).where(Delivery.kind == "channel"))
        q = h.services.content.questions[d.question_id]  # type: ignore[union-attr]
    right = q.correct_index if hasattr(q, "correct_index") else int(q.answer)  # type: ignore[union-attr]
    right_id = next(b for b in buttons if b.endswith(f":{right}"))
    wrong_id = next(b for b in buttons if not b.endswith(f":{right}"))

    a = await ld.click(ann, post, right_id)
    assert a.reply is not None and a.reply.ephemeral and a.reply.content.startswith("✅ Correct!")
    b = await ld.click(ben, post, wrong_id)
    assert b.reply is not None and b.reply.content.startswith("❌ Not quite.")
    again = await ld.click(ann, post, wrong_id)
    assert again.reply is not None and "already answered" in again.reply.embeds[0]["description"]

    async with h.services.unit() as s:
        logs = (await s.execute(select(ReviewLog.learner_id, ReviewLog.correct, ReviewLog.source))).all()
    assert sorted(logs) == sorted([(ann.id, True, "channel"), (ben.id, False, "channel")])
    await asyncio.sleep(0.3)
    await ld.settle()
    assert post.embeds[0]["footer"]["text"].startswith("2 answers · 50% correct")

    it = await ld.slash(ann, "leaderboard view", {"period": "all"}, channel=ch)
    assert it.reply is not None and f"<@{ann.id}>" in it.reply.embeds[0]["description"]
    await ld.slash(ann, "leaderboard optout", {"state": "on"}, channel=ch)
    it = await ld.slash(ben, "leaderboard view", {"period": "week"}, channel=ch)
    assert f"<@{ann.id}>" not in (it.reply.embeds[0].get("description") or "")  # type: ignore[union-attr]
    it = await ld.slash(ben, "leaderboard view", {"by": "streak", "period": "all"}, channel=ch)
    assert f"<@{ben.id}>" in it.reply.embeds[0]["description"]  # type: ignore[union-attr]


async def test_non_admins_and_missing_permissions_are_refused(harness: Harness) -> None:
    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    joe = ld.create_user("joe")
    await ld.add_member(guild, joe)
    # Discord hides /studychannel from members without Manage Server (default_member_permissions)…
    with pytest.raises(NotOffered, match="default_member_permissions"):
        await ld.slash(joe, "studychannel add", {"channel": ch}, channel=ch)
    # …unless a server admin allows it for them (Server Settings → Integrations): the bot checks too.
    ld.set_command_permission(guild, "studychannel", joe.id, True)
    it = await ld.slash(joe, "studychannel add", {"channel": ch}, channel=ch)
    assert it.reply is not None and "Manage Server" in it.reply.embeds[0]["description"]
    it = await ld.slash(joe, "studychannel list", {}, channel=ch)
    assert "Manage Server" in it.reply.embeds[0]["description"]  # type: ignore[union-attr]

    await ld.set_overwrite(ch, ld.bot_role(guild).id, deny=P.EMBED_LINKS | P.READ_MESSAGE_HISTORY)
    await ld.settle()
    it = await ld.slash(admin, "studychannel add", {"channel": ch}, channel=ch)
    desc = it.reply.embeds[0]["description"]  # type: ignore[union-attr]
    assert "Embed Links" in desc and "Read Message History" in desc and "Send Messages" not in desc
    async with h.services.unit() as s:
        assert await s.scalar(select(func.count()).select_from(StudyChannel)) == 0

    fresh = await ld.create_channel(guild, "fresh")
    await ld.settle()
    it = await ld.slash(
        admin, "studychannel add", {"channel": fresh, "time": "7pm", "topics": "pca, no-such-thing"}, channel=ch
    )
    desc = it.reply.embeds[0]["description"]  # type: ignore[union-attr]
    assert "no topic matches 'no-such-thing'" in desc  # 7pm is a time people type: accepted


async def test_deleted_channel_and_lost_permission_pause_the_schedule(harness: Harness) -> None:
    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    other = await ld.create_channel(guild, "quiz-corner")
    await ld.settle()
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    for c in (ch, other):
        await ld.slash(admin, "studychannel add", {"channel": c, "time": "12:00"}, channel=ch)
    await ld.delete_channel(other)
    await ld.set_overwrite(ch, ld.bot_role(guild).id, deny=P.SEND_MESSAGES)
    await ld.settle()
    sends_before = ld.count_requests("POST", "/messages")
    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))
    await tick(h)
    assert ld.count_requests("POST", "/messages") == sends_before  # no failing request was made
    await ld.set_overwrite(ch, ld.bot_role(guild).id)  # the admin can see the list again
    await ld.settle()
    it = await ld.slash(admin, "studychannel list", {}, channel=ch)
    fields = {f["name"]: f["value"] for f in it.reply.embeds[0]["fields"]}  # type: ignore[union-attr]
    assert "paused — missing permissions: Send Messages" in fields["#general"]
    assert any("the channel was deleted" in v for v in fields.values())
    h.clock.set(datetime(2026, 6, 2, 12, 1, tzinfo=UTC))
    await tick(h)
    assert ld.count_requests("POST", "/messages") == sends_before
    it = await ld.slash(admin, "studychannel resume", {"channel": ch}, channel=ch)
    assert "Resumed" in it.reply.content  # type: ignore[union-attr]


async def test_bot_removed_from_guild_pauses(harness: Harness) -> None:
    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00"}, channel=ch)
    await ld.remove_bot(guild)
    await ld.settle()
    async with h.services.unit() as s:
        sc = await s.scalar(select(StudyChannel))
    assert sc is not None and sc.paused and "removed from the server" in (sc.pause_reason or "")


async def test_500_channels_due_in_the_same_minute(harness: Harness) -> None:
    h = harness
    ld = h.ld
    guild = await ld.create_guild("Big", ld.owner)
    chans = [await ld.create_channel(guild, f"c{i}") for i in range(500)]
    await ld.settle()
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    now = h.clock.now()
    async with h.services.unit() as s:
        for c in chans:
            s.add(
                StudyChannel(
                    guild_id=guild.id,
                    channel_id=c.id,
                    created_by=ld.owner.id,
                    levels=[],
                    topics=[],
                    post_minute=12 * 60,
                    timezone="UTC",
                    days_mask=127,
                    questions_per_post=1,
                    paused=False,
                    used_questions=[],
                    created_at=now,
                    next_post_at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
                )
            )
    h.clock.set(datetime(2026, 6, 1, 12, 0, 10, tzinfo=UTC))
    t0 = asyncio.get_running_loop().time()
    handled = await tick(h)
    elapsed = asyncio.get_running_loop().time() - t0
    assert handled == 500
    assert all(len(posts(ld, c)) == 1 for c in chans)
    assert ld.ratelimits.count_429 <= 2, ld.ratelimits.count_429  # no 429 storm
    assert elapsed >= 500 / 50 * 0.9  # paced under the global limit
    h.clock.advance(timedelta(minutes=5))
    assert await tick(h) == 0


async def test_edit_remove_threads_and_other_servers(harness: Harness) -> None:
    h = harness
    ld, admin, guild, ch = await setup_guild(h)
    other = await ld.create_guild("Elsewhere", admin)
    foreign = next(iter(other.channels.values()))
    thread = await ld.create_channel(guild, "daily-thread", thread_of=ch)
    await ld.settle()
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))

    it = await ld.slash(admin, "studychannel add", {"channel": foreign}, channel=ch)
    assert it.reply is not None and "pick a channel of this server" in it.reply.embeds[0]["description"]

    it = await ld.slash(admin, "studychannel add", {"channel": thread, "time": "12:00"}, channel=ch)
    assert it.reply is not None and it.reply.embeds[0]["title"] == "✅ Study channel saved"

    await ld.slash(admin, "studychannel add", {"channel": ch, "time": "12:00"}, channel=ch)
    it = await ld.slash(
        admin, "studychannel edit", {"channel": ch, "time": "18:15", "days": "weekdays", "questions": 2}, channel=ch
    )
    value = it.reply.embeds[0]["fields"][0]["value"]  # type: ignore[union-attr]
    assert "18:15 UTC, weekdays · 2 questions a post" in value

    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))  # a Monday
    await tick(h)
    h.clock.set(datetime(2026, 6, 1, 18, 16, tzinfo=UTC))
    await tick(h)
    assert len(posts(ld, ch)) == 2  # two questions in this slot
    assert len(posts(ld, thread)) == 1  # the thread's 12:00 post

    it = await ld.slash(admin, "studychannel remove", {"channel": ch}, channel=ch)
    assert "no longer a study channel" in it.reply.content  # type: ignore[union-attr]
    it = await ld.slash(admin, "studychannel pause", {"channel": ch}, channel=ch)
    assert "not a study channel in this server" in it.reply.embeds[0]["description"]  # type: ignore[union-attr]
