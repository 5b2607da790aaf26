"""A newcomer's first minutes through the local Discord: /start with the placement check and
the settings steps, /help in its three places, and every command's reply for a new learner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.content import MultipleChoice
from bot.db.models import Learner, Placement, ReviewLog, TopicProgress
from localdiscord import LocalDiscord, Message
from localdiscord import permissions as P
from tests.helpers import Harness
from tests.study.test_quiz import right_choice, wrong_choice

RED = 15158332  # discord.Colour.red(): the colour of every error reply


async def placement_row(h: Harness, uid: int) -> Placement:
    async with h.services.read() as s:
        row = await s.scalar(select(Placement).where(Placement.learner_id == uid).order_by(Placement.id.desc()))
    assert row is not None
    return row


async def answer_placement(h: Harness, user: Any, msg: Message, right: bool) -> None:
    """Click the right (or a wrong) answer of the placement question on ``msg``."""
    row = await placement_row(h, user.id)
    asked = [a for a in row.answers if a["level"] == row.level]
    question = h.services.content.questions[row.questions[len(asked)]]
    choice = right_choice(question) if right else wrong_choice(question)
    buttons = [c for c in h.ld.components_of(msg) if str(c.get("custom_id", "")).startswith("start:ans:")]
    expected = len(question.options) if isinstance(question, MultipleChoice) else 2
    assert len(buttons) == expected
    [button] = [c for c in buttons if c["custom_id"].endswith(f":{choice}")]
    await h.ld.click(user, msg, button["custom_id"])


def level_of(msg: Message) -> int:
    title = msg.embeds[0]["title"]
    assert title.startswith("🧭 Placement · Level "), title
    return int(title.split("Level ")[1].split(" ")[0])


async def test_start_places_a_learner_and_sets_them_up(harness: Harness) -> None:
    h, ld = harness, harness.ld
    content = h.services.content
    ana = ld.create_user("ana")
    guild = await ld.create_guild("g")
    await ld.add_member(guild, ana)
    ch = next(iter(guild.channels.values()))

    it = await ld.slash(ana, "start", {}, channel=ch)
    msg = it.original
    assert msg is not None and msg.ephemeral and msg.embeds[0]["title"].startswith("👋 Welcome")
    await ld.click(ana, msg, "Take the placement check")
    plan = {0: [True, True], 1: [True, False, True], 2: [False, False]}
    asked: list[int] = []
    while msg.embeds[0]["title"].startswith("🧭 Placement"):
        level = level_of(msg)
        asked.append(level)
        await answer_placement(h, ana, msg, plan[level][asked.count(level) - 1])
    assert asked == [0, 0, 1, 1, 1, 2, 2]
    summary = msg.embeds[0]["description"]
    first_of_2 = content.level(2).topics[0]  # type: ignore[union-attr]
    assert "You passed Level 0" in summary and "Level 1" in summary and first_of_2.name in summary
    assert msg.embeds[0]["title"].startswith("🌍 Your time zone")

    await ld.select(ana, msg, "start:tz:", ["Europe/Berlin"])
    assert "Time zone set to **Europe/Berlin**" in msg.embeds[0]["description"]
    await ld.select(ana, msg, "start:time:", [str(19 * 60)])
    assert "set to **19:00**" in msg.embeds[0]["description"]
    await ld.click(ana, msg, "Turn them on")
    assert msg.embeds[0]["title"] == "✅ You're all set"
    assert ld.dms_to(ana)[-1].embeds[0]["title"] == "👋 Daily reviews are on"
    await ld.click(ana, msg, "Start my first quiz")
    assert msg.embeds[0]["title"].startswith("Quiz · 1/") and msg.embeds[0]["title"].endswith(first_of_2.name)

    async with h.services.read() as s:
        learner = await s.get(Learner, ana.id)
        rows = {r.topic_id: r for r in await s.scalars(select(TopicProgress).where(TopicProgress.learner_id == ana.id))}
        logs = list(await s.scalars(select(ReviewLog).where(ReviewLog.learner_id == ana.id)))
    assert learner is not None and learner.timezone == "Europe/Berlin" and learner.digest_minute == 19 * 60
    assert learner.digest_enabled and learner.next_digest_at is not None
    placed = {t.id for n in (0, 1) for t in content.level(n).topics}  # type: ignore[union-attr]
    assert {tid for tid, r in rows.items() if r.status == "done" and r.status_reason == "placement"} == placed
    assert rows[first_of_2.id].enrolled and [tid for tid, r in rows.items() if r.enrolled] == [first_of_2.id]
    assert sorted(log.source for log in logs) == ["placement"] * 5

    # /roadmap shows where the marks came from.
    it = await ld.slash(ana, "roadmap", {"topic": content.level(0).topics[0].id}, channel=ch)  # type: ignore[union-attr]
    assert it.original is not None
    status = next(f for f in it.original.embeds[0]["fields"] if f["name"] == "Your status")["value"]
    assert "placement check" in status

    # Running /start again offers a redo and keeps the history.
    it = await ld.slash(ana, "start", {}, channel=ch)
    assert it.original is not None and "Redo the placement check" in [
        c.get("label") for c in ld.components_of(it.original)
    ]
    assert "You took the placement check" in it.original.embeds[0]["description"]


async def test_stopping_the_placement_after_one_question(harness: Harness) -> None:
    h, ld = harness, harness.ld
    content = h.services.content
    bo = ld.create_user("bo")
    it = await ld.slash(bo, "start", {})  # in DMs: not ephemeral, the same flow
    msg = it.original
    assert msg is not None and not msg.ephemeral
    await ld.click(bo, msg, "Take the placement check")
    await answer_placement(h, bo, msg, True)
    assert msg.embeds[0]["description"].startswith("✅ Right.")
    await ld.click(bo, msg, "Stop here — place me")
    first = content.levels[0].topics[0]
    assert "No level passed" in msg.embeds[0]["description"] and first.name in msg.embeds[0]["description"]
    async with h.services.read() as s:
        rows = list(await s.scalars(select(TopicProgress).where(TopicProgress.learner_id == bo.id)))
        logs = list(await s.scalars(select(ReviewLog).where(ReviewLog.learner_id == bo.id)))
    assert [(r.topic_id, r.enrolled, r.status_reason) for r in rows] == [(first.id, True, None)]
    assert logs == []
    row = await placement_row(h, bo.id)
    assert row.outcome == "stopped" and len(row.answers) == 1 and row.passed == []
    # Every settings step can be skipped.
    await ld.click(bo, msg, "Skip")
    await ld.click(bo, msg, "Skip")
    await ld.click(bo, msg, "Keep them off")
    assert msg.embeds[0]["title"] == "✅ You're all set"


async def test_skipping_the_check_and_a_time_zone_given_with_the_command(harness: Harness) -> None:
    ld = harness.ld
    cy = ld.create_user("cy")
    it = await ld.slash(cy, "start", {"timezone": "europe/berlin"})
    msg = it.original
    assert msg is not None and msg.content == "🌍 Time zone set to **Europe/Berlin**."
    await ld.click(cy, msg, "Skip it")
    assert "You skipped the placement check" in msg.embeds[0]["description"]
    zone_menu = ld.find_component(msg, "start:tz:", select=True)
    assert [o["value"] for o in zone_menu["options"] if o.get("default")] == ["Europe/Berlin"]
    it = await ld.slash(cy, "start", {"timezone": "EST"})
    reply = it.reply
    assert reply is not None and reply.embeds[0]["title"] == "Unknown time zone"
    assert "America/New_York" in reply.embeds[0]["description"]


def _help_fields(msg: Message) -> dict[str, str]:
    return {f["name"]: f["value"] for f in msg.embeds[0].get("fields", [])}


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return size + len(embed.get("footer", {}).get("text", ""))


async def test_help_in_a_server_a_study_channel_and_dms(harness: Harness) -> None:
    ld = harness.ld
    owner = ld.create_user("owner")
    guild = await ld.create_guild("g", owner=owner)
    general = next(iter(guild.channels.values()))
    study = await ld.create_channel(guild, "ml-study")
    await ld.settle()
    it = await ld.slash(owner, "studychannel add", {"channel": study, "time": "18:00"}, channel=general)
    assert it.reply is not None and it.reply.embeds[0].get("color") != RED

    it = await ld.slash(owner, "help", {}, channel=general)
    msg = it.original
    assert msg is not None and msg.ephemeral
    fields = _help_fields(msg)
    assert "🏫 Servers" in fields and "/studychannel add" in fields["🏫 Servers"]
    assert "📌 This study channel" not in fields
    assert _embed_size(msg.embeds[0]) < 6000

    it = await ld.slash(owner, "help", {}, channel=study)
    assert it.original is not None
    fields = _help_fields(it.original)
    assert "I post 1 question here at 18:00" in fields["📌 This study channel"]
    assert _embed_size(it.original.embeds[0]) < 6000

    it = await ld.slash(owner, "help", {})
    dm = it.original
    assert dm is not None and not dm.ephemeral
    fields = _help_fields(dm)
    assert "🏫 Servers" not in fields and "/quiz" in fields["🔁 Review"]
    every = "\n".join(fields.values())
    assert "/studychannel" not in every and "/leaderboard" not in every
    click = await ld.click(owner, dm, "Get started")
    opened = click.reply
    assert opened is not None and opened.embeds[0]["title"].startswith("👋 Welcome")


async def test_every_command_answers_a_new_learner_without_an_error(harness: Harness) -> None:
    ld: LocalDiscord = harness.ld
    owner = ld.create_user("host")
    guild = await ld.create_guild("g", owner=owner)
    ch = next(iter(guild.channels.values()))
    calls: list[tuple[str, dict[str, Any], bool]] = [
        ("start", {}, False),
        ("help", {}, False),
        ("quiz", {}, False),
        ("quiz", {"mode": "mistakes"}, False),
        ("quiz", {"mode": "cram"}, False),
        ("roadmap", {}, False),
        ("resources", {}, False),
        ("progress", {}, False),
        ("stats", {}, False),
        ("settings show", {}, False),
        ("settings timezone", {"name": "europe/berlin"}, False),
        ("settings digest-time", {"time": "7pm"}, False),
        ("reminders", {"state": "off"}, False),
        ("mydata export", {}, False),
        ("leaderboard view", {}, True),
        ("studychannel list", {}, True),
    ]
    for where in ("dm", "guild"):
        user = ld.create_user(f"new-{where}")
        if where == "guild":
            await ld.add_member(guild, user, permissions=P.MANAGE_GUILD)
        for command, options, server_only in calls:
            if server_only and where == "dm":
                continue
            it = await ld.slash(user, command, options, channel=ch if where == "guild" else None)
            replies = [m for m in (it.original, *it.followups) if m is not None]
            assert replies, command
            for reply in replies:
                for embed in reply.embeds:
                    assert embed.get("color") != RED, (where, command, embed)


async def test_typing_a_zone_and_a_time_in_forms(harness: Harness) -> None:
    ld = harness.ld
    dee = ld.create_user("dee")
    it = await ld.slash(dee, "start", {})
    msg = it.original
    assert msg is not None
    await ld.click(dee, msg, "Skip it")
    opened = await ld.click(dee, msg, "Type it…")
    assert opened.modal is not None and opened.modal["title"] == "Your time zone"
    sent = await ld.submit_modal(dee, opened, {"start:typed:tz": "EST"})
    refusal = sent.reply
    assert refusal is not None and refusal.ephemeral and refusal.embeds[0]["title"] == "Unknown time zone"
    assert "America/New_York" in refusal.embeds[0]["description"]
    assert msg.embeds[0]["title"].startswith("🌍 Your time zone")  # still on the same step
    opened = await ld.click(dee, msg, "Type it…")
    await ld.submit_modal(dee, opened, {"start:typed:tz": "new york"})
    assert "Time zone set to **America/New_York**" in msg.embeds[0]["description"]
    opened = await ld.click(dee, msg, "Type it…")
    await ld.submit_modal(dee, opened, {"start:typed:time": "7:30pm"})
    assert "set to **19:30**" in msg.embeds[0]["description"]
    assert msg.embeds[0]["title"].startswith("🔔 Daily reminders")
