"""/roadmap and /resources end to end, including oversize content within Discord's limits."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from localdiscord import LocalDiscord, Message
from tests.helpers import Harness, running_bot


def field(msg: Message, name_start: str) -> dict[str, str]:
    return next(f for f in msg.embeds[0]["fields"] if f["name"].startswith(name_start))


async def test_browse_mark_done_and_back(harness: Harness) -> None:
    ld = harness.ld
    ann = ld.create_user("ann")
    guild = await ld.create_guild("g")
    await ld.add_member(guild, ann)
    ch = next(iter(guild.channels.values()))

    it = await ld.slash(ann, "roadmap", {}, channel=ch)
    msg = it.original
    assert msg is not None and msg.ephemeral
    assert len(msg.embeds[0]["fields"]) == 8
    assert "0% · 0/12 topics" in field(msg, "📗 Level 2")["value"]

    await ld.select(ann, msg, "rm:sel:", ["2"])
    assert msg.embeds[0]["title"].startswith("📗 Level 2 – Neural Network Basics")
    await ld.select(ann, msg, "rm:sel:", ["perceptron"])
    assert "Perceptron" in msg.embeds[0]["title"]
    assert "Pending" in field(msg, "Your status")["value"]
    await ld.click(ann, msg, "Done")
    assert "Done" in field(msg, "Your status")["value"] and msg.embeds[0]["title"].startswith("✅")
    await ld.click(ann, msg, "Back to Level 2")
    assert "✅ Perceptron" in msg.embeds[0]["description"] + "".join(f["value"] for f in msg.embeds[0]["fields"])
    assert "1/12 topics" in msg.embeds[0]["description"]
    await ld.click(ann, msg, "Back to roadmap")
    assert "8% · 1/12 topics" in field(msg, "📗 Level 2")["value"]


async def test_topic_actions_quiz_enroll_share_and_strangers(harness: Harness) -> None:
    ld = harness.ld
    ben, sue = ld.create_user("ben"), ld.create_user("sue")
    guild = await ld.create_guild("g")
    await ld.add_member(guild, ben)
    await ld.add_member(guild, sue)
    ch = next(iter(guild.channels.values()))
    it = await ld.slash(ben, "roadmap", {"topic": "lstm"}, channel=ch)
    msg = it.original
    assert msg is not None and msg.embeds[0]["title"].endswith("LSTM")
    assert "Understanding LSTM Networks" in field(msg, "Resources")["value"]
    assert "Recurrent neural networks" in field(msg, "Builds on")["value"]

    await ld.click(ben, msg, "Add to my daily reviews")
    assert "in your daily reviews" in field(msg, "Your status")["value"]
    assert ld.find_component(msg, "Remove from my reviews")

    click = await ld.click(ben, msg, "Quiz me on this")
    await ld.settle()
    quiz_msg = click.reply
    assert quiz_msg is not None
    assert quiz_msg.embeds[0]["title"].startswith("Quiz · 1/") and quiz_msg.ephemeral

    click = await ld.click(sue, msg, "Done")
    reply = click.reply
    assert reply is not None and reply.ephemeral and "belongs to someone else" in reply.embeds[0]["description"]

    click = await ld.click(ben, msg, "Share")
    shared = click.reply
    assert shared is not None and not shared.ephemeral and shared.embeds[0]["author"]["name"] == "Shared by ben"
    assert shared.components == []


async def test_roadmap_buttons_work_after_restart(harness: Harness) -> None:
    ld = harness.ld
    cat = ld.create_user("cat")
    it = await ld.slash(cat, "roadmap", {"level": 5})
    msg = it.original
    assert msg is not None
    await harness.restart()
    await ld.select(cat, msg, "rm:sel:", ["bert"])
    assert msg.embeds[0]["title"].endswith("BERT")


async def test_resources_filters(harness: Harness) -> None:
    ld = harness.ld
    dee = ld.create_user("dee")
    it = await ld.slash(dee, "resources", {})
    msg = it.original
    assert msg is not None
    text = "".join(f["value"] for f in msg.embeds[0]["fields"])
    pages = msg.embeds[0].get("footer", {}).get("text", "")
    if pages:  # paginated: walk the pages and collect every link
        while not ld.find_component(msg, "Next ▶").get("disabled"):
            await ld.click(dee, msg, "Next ▶")
            text += "".join(f["value"] for f in msg.embeds[0]["fields"])
    urls = [r.url for r in harness.services.content.resources.values()]
    listed = re.findall(r"\]\((https?://[^)]+)\)", text)
    assert sorted(listed) == sorted(urls)  # every link once, however many levels it spans
    count_line = msg.embeds[0]["description"]
    assert count_line == f"{len(urls)} links."

    it = await ld.slash(dee, "resources", {"level": 6})
    assert "Sutton & Barto" in "".join(f["value"] for f in it.original.embeds[0]["fields"])  # type: ignore[union-attr]
    it = await ld.slash(dee, "resources", {"topic": "gradient-boosting"})
    vals = "".join(f["value"] for f in it.original.embeds[0]["fields"])  # type: ignore[union-attr]
    assert "XGBoost" in vals and "LightGBM" in vals and "CatBoost" in vals
    it = await ld.slash(dee, "resources", {"type": "paper"})
    vals = "".join(f["value"] for f in it.original.embeds[0]["fields"])  # type: ignore[union-attr]
    assert "arxiv.org/abs/1706.03762" in vals and "course" not in vals
    it = await ld.slash(dee, "resources", {"topic": "bert", "type": "video"})
    desc = it.original.embeds[0]["description"]  # type: ignore[union-attr]
    assert "No video links here" in desc and "paper" in desc
    it = await ld.slash(dee, "resources", {"level": 7, "type": "community"})
    vals = "".join(f["value"] for f in it.original.embeds[0]["fields"])  # type: ignore[union-attr]
    assert "Papers With Code" in vals and "closed in 2025" in vals and "Hugging Face's papers pages" in vals


async def test_autocomplete_is_relevant_and_bounded(harness: Harness) -> None:
    ld = harness.ld
    eli = ld.create_user("eli")
    choices = await ld.autocomplete(eli, "roadmap", {"topic": "gan"}, "topic")
    values = [c["value"] for c in choices]
    assert 0 < len(values) <= 25 and values[0] == "gans" and "dcgan" in values
    assert len(await ld.autocomplete(eli, "resources", {"topic": "e"}, "topic")) <= 25
    levels = await ld.autocomplete(eli, "roadmap", {"level": 0}, "level")
    assert len(levels) == 8


def oversize_content(folder: Path) -> Path:
    long = "x" * 90
    levels = []
    for n in range(30):
        topics = [
            {"id": f"t{n}-{i}", "name": f"Topic {n}.{i} {long}"[:100], "description": "d" * 1000}
            for i in range(60 if n == 0 else 1)
        ]
        sections = (
            [{"name": f"Section {k} " + "s" * 190, "topics": topics[k::3]} for k in range(3)]
            if n == 0
            else [{"topics": topics}]
        )
        levels.append(
            {"number": n, "name": f"Level name {n} " + "n" * 185, "description": "L" * 1000, "sections": sections}
        )
    resources = [
        {
            "id": f"r{i}",
            "title": f"Resource {i} " + "r" * 240,
            "url": f"https://example.org/{i}",
            "type": "docs",
            "group": "G",
            "levels": [0],
            "topics": [f"t0-{j}" for j in range(60)],
        }
        for i in range(80)
    ]
    folder.mkdir(parents=True)
    (folder / "roadmap.yaml").write_text(
        yaml.safe_dump({"title": "T" * 256, "description": "D" * 2000, "levels": levels, "resources": resources})
    )
    qdir = folder / "questions" / "level-0"
    qdir.mkdir(parents=True)
    q = {
        "id": "t0-0-q",
        "type": "multiple_choice",
        "prompt": "p" * 1000,
        "explanation": "e" * 1500,
        "options": [{"text": f"{k} " + "o" * 290, "correct": k == 0} for k in range(5)],
        "resource": "r0",
    }
    (qdir / "t0-0.yaml").write_text(yaml.safe_dump({"topic": "t0-0", "questions": [q]}))
    return folder


async def test_oversize_content_stays_within_limits(discord_server: LocalDiscord, db_url: str, tmp_path: Path) -> None:
    """Strict local Discord rejects any over-limit body, failing the test."""
    ld = discord_server
    folder = oversize_content(tmp_path / "big")
    async with running_bot(ld, db_url, content_dir=folder):
        u = ld.create_user("u")
        it = await ld.slash(u, "roadmap", {})
        msg = it.original
        assert msg is not None
        await ld.select(u, msg, "rm:sel:", ["0"])
        await ld.click(u, msg, "▶")
        await ld.click(u, msg, "▶")
        assert ld.find_component(msg, "▶")["disabled"]
        await ld.select(u, msg, "rm:sel:", [ld.find_component(msg, "rm:sel:", select=True)["options"][0]["value"]])
        assert msg.embeds[0]["title"].startswith("⬜ Topic 0.")
        await ld.click(u, msg, "Back to Level 0")
        await ld.select(u, msg, "rm:sel:", ["t0-0"])
        it = await ld.slash(u, "roadmap", {"topic": "t0-0"})
        q = await ld.click(u, it.original, "Quiz me on this")  # type: ignore[arg-type]
        await ld.settle()
        qmsg = q.reply
        assert qmsg is not None
        await ld.click(u, qmsg, "A")
        it = await ld.slash(u, "resources", {})
        msg = it.original
        assert msg is not None
        for _ in range(30):
            nxt = ld.find_component(msg, "Next ▶")
            if nxt.get("disabled"):
                break
            await ld.click(u, msg, "Next ▶")
    ld.assert_clean()
