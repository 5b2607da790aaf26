"""Cloze cards, numeric variants and diagrams end to end, on fixture content (a small content
folder written for each test), against the local Discord on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.models import ReviewLog
from localdiscord import Channel, LocalDiscord, Message, User
from tests.cards_fixture import write_cards_content
from tests.helpers import Harness, running_bot


@pytest.fixture
def cards_content(tmp_path: Path) -> Path:
    return write_cards_content(tmp_path / "content")


@pytest.fixture
async def cards(discord_server: LocalDiscord, db_url: str, cards_content: Path) -> AsyncIterator[Harness]:
    async with running_bot(discord_server, db_url, content_dir=cards_content) as h:
        yield h


async def start_quiz(h: Harness, topic: str) -> tuple[Message, User, Channel]:
    user = h.ld.create_user("learner")
    guild = await h.ld.create_guild("Study Hall")
    await h.ld.add_member(guild, user)
    channel = next(iter(guild.channels.values()))
    it = await h.ld.slash(user, "quiz", {"topic": topic, "count": 1}, channel=channel)
    assert it.original is not None
    return it.original, user, channel


def labels(h: Harness, msg: Message) -> list[str]:
    return [c.get("label", "") for c in h.ld.components_of(msg)]


async def test_cloze_card_shown_revealed_and_self_rated(cards: Harness) -> None:
    h = cards
    msg, user, _ = await start_quiz(h, "sigmoid")
    description = msg.embeds[0]["description"]
    assert description.startswith("The logistic sigmoid is σ(x) = […], with outputs in (0, 1).")
    assert "1 / (1 + e^(−x))" not in description
    assert labels(h, msg) == ["Show answer", "Stop"]

    await h.ld.click(user, msg, "Show answer")
    assert msg.embeds[0]["description"].startswith("The logistic sigmoid is σ(x) = **1 / (1 + e^(−x))**, with")
    assert labels(h, msg) == ["Again", "Hard", "Good", "Easy"]

    await h.ld.click(user, msg, "Hard")
    assert msg.embeds[0]["title"] == "Rated Hard"
    assert "Answer: 1 / (1 + e^(−x))" in msg.embeds[0]["description"]
    async with h.services.read() as session:
        logs = list(await session.scalars(select(ReviewLog)))
    assert [(log.rating, log.correct) for log in logs] == [(2, None)]


def numbers(text: str) -> tuple[int, int]:
    found = re.search(r"f\(x\) = (\d+)x² \+ (\d+)x", text)
    assert found is not None, text
    return int(found.group(1)), int(found.group(2))


async def test_numeric_variant_is_stable_per_presentation_and_new_per_review(cards: Harness) -> None:
    h = cards
    msg, user, channel = await start_quiz(h, "derivatives")
    a, b = numbers(msg.embeds[0]["description"])
    assert f"{2 * a + b}" in msg.embeds[0]["description"] and f"{2 * a * b}" in msg.embeds[0]["description"]

    await h.restart()  # the same presentation after a restart: the same numbers
    it = await h.ld.slash(user, "quiz", {}, channel=channel)
    offer = it.original
    assert offer is not None and offer.embeds[0]["title"] == "📚 Pick up where you left off?"
    await h.ld.click(user, offer, h.ld.components_of(offer)[0]["custom_id"])
    assert numbers(offer.embeds[0]["description"]) == (a, b)

    answers = [c["custom_id"] for c in h.ld.components_of(msg) if c.get("custom_id", "").startswith("quiz:ans:")]
    right = next(cid for cid in answers if cid.endswith(":0"))  # the key is the first option as written
    await h.ld.click(user, msg, right)  # a second presentation's click on the first message, after the restart
    feedback = msg.embeds[0]["description"]
    assert msg.embeds[0]["title"] == "✅ Correct!"
    assert numbers(feedback) == (a, b) and f"{2 * a + b}**" in feedback
    await h.ld.click(user, msg, "Finish")

    h.clock.advance(timedelta(days=400))  # due again: the card's next review draws new numbers
    it = await h.ld.slash(user, "quiz", {"topic": "derivatives", "count": 1}, channel=channel)
    assert it.original is not None
    assert numbers(it.original.embeds[0]["description"]) != (a, b)


async def test_a_question_with_a_diagram_arrives_with_its_attachment(cards: Harness) -> None:
    h = cards
    msg, user, _ = await start_quiz(h, "convolution")
    assert [a["filename"] for a in msg.attachments] == ["conv-3x3.png"]
    assert msg.files["conv-3x3.png"] == (Path(h.settings.content_dir) / "images" / "conv-3x3.png").read_bytes()
    assert msg.embeds[0]["image"]["url"] == "attachment://conv-3x3.png"

    await h.ld.click(user, msg, "True")
    assert msg.embeds[0]["title"] == "✅ Correct!"
    assert [a["filename"] for a in msg.attachments] == ["conv-3x3.png"]  # sent once, kept by the edit
    await h.ld.click(user, msg, "Finish")
    assert msg.attachments == []


async def test_study_channel_posts_carry_the_diagram_and_one_draw_per_post(cards: Harness) -> None:
    h, ld = cards, cards.ld
    admin = ld.owner
    guild = await ld.create_guild("Study Hall", admin)
    maths = next(iter(guild.channels.values()))
    pictures = await ld.create_channel(guild, "pictures")
    member = ld.create_user("member")
    await ld.add_member(guild, member)
    h.clock.set(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    await ld.slash(
        admin, "studychannel add", {"channel": maths, "time": "12:00", "topics": "derivatives"}, channel=maths
    )
    # a cloze is self-rated, so never posted: only the diagram question is in this scope
    options = {"channel": pictures, "time": "12:00", "topics": "convolution, sigmoid"}
    await ld.slash(admin, "studychannel add", options, channel=maths)
    h.clock.set(datetime(2026, 6, 1, 12, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()

    [diagram] = [m for m in ld.messages_in(pictures) if m.interaction_user is None]
    assert diagram.embeds[0]["title"] == "🧠 Study question · Convolution"
    assert [a["filename"] for a in diagram.attachments] == ["conv-3x3.png"]
    assert diagram.embeds[0]["image"]["url"] == "attachment://conv-3x3.png"
    [variant] = [m for m in ld.messages_in(maths) if m.interaction_user is None]
    assert variant.attachments == []
    a, b = numbers(variant.embeds[0]["description"])
    key = next(c["custom_id"] for c in ld.components_of(variant) if c["custom_id"].endswith(":0"))
    it = await ld.click(member, variant, key)
    assert it.reply is not None and it.reply.content.startswith(f"✅ Correct! Answer: **A. {2 * a + b}**")

    await h.restart()
    h.clock.set(datetime(2026, 6, 2, 12, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    first, second = [m for m in ld.messages_in(maths) if m.interaction_user is None]
    assert first.id == variant.id and first.components == []  # revealed, with the numbers it was asked with
    assert numbers(first.embeds[0]["description"]) == (a, b)
    assert f"Answer: A. {2 * a + b}" in first.embeds[0]["description"]
    assert numbers(second.embeds[0]["description"]) != (a, b)  # the same question, a new post: new numbers
    [revealed] = [m for m in ld.messages_in(pictures) if m.interaction_user is None and m.components == []]
    assert [a["filename"] for a in revealed.attachments] == ["conv-3x3.png"]  # the reveal keeps the diagram


async def test_digest_dm_carries_the_diagram(cards: Harness) -> None:
    h, ld = cards, cards.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    user = ld.create_user("reader")
    it = await ld.slash(user, "quiz", {"topic": "convolution", "count": 1})  # enrols: a new card
    assert it.original is not None
    await ld.click(user, it.original, "Stop")
    await ld.slash(user, "settings timezone", {"name": "UTC"})
    await ld.slash(user, "settings digest-time", {"time": "09:00"})
    await ld.slash(user, "reminders", {"state": "on"})
    h.clock.set(datetime(2026, 6, 1, 9, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    digest = ld.dms_to(user)[-1]
    assert digest.content.startswith("📬 **Your daily review**")
    assert [a["filename"] for a in digest.attachments] == ["conv-3x3.png"]
    assert digest.embeds[0]["image"]["url"] == "attachment://conv-3x3.png"
    await ld.click(user, digest, "True")
    assert digest.embeds[0]["title"] == "✅ Correct!" and len(digest.attachments) == 1
