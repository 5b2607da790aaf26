"""Features stand alone: unloading any one extension leaves the others' buttons working.

The buttons that more than one feature sends (quiz answers in digests and in /quiz, the
digest's Snooze, study-channel answers) are registered by the client, not by a cog."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.client import EXTENSIONS
from bot.db.models import StudyChannel
from tests.e2e.test_digest_e2e import opt_in, tick
from tests.helpers import Harness

FEATURES = [name for name in EXTENSIONS if name != "bot.exts.errors"]
ERRORS = ("Something went wrong", "Nothing to do", "Not allowed")


def _titles(message: object) -> list[str]:
    return [str(embed.get("title")) for embed in getattr(message, "embeds", [])]


@pytest.mark.parametrize("extension", FEATURES)
async def test_unloading_one_extension_leaves_shared_buttons_working(harness: Harness, extension: str) -> None:
    h, ld = harness, harness.ld
    h.clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    ann = ld.create_user("ann")
    await ld.slash(ann, "quiz", {"topic": "pandas", "count": 1})  # enrols a topic
    await opt_in(h, ann)
    guild = await ld.create_guild("Hall", ld.owner)
    channel = next(iter(guild.channels.values()))
    await ld.add_member(guild, ann)
    async with h.services.unit() as session:
        session.add(
            StudyChannel(
                guild_id=guild.id,
                channel_id=channel.id,
                created_by=ld.owner.id,
                levels=[],
                topics=["pca"],
                created_at=h.clock.now(),
                used_questions=[],
                next_post_at=datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
            )
        )
    await ld.settle()

    await h.bot.unload_extension(extension)
    h.clock.set(datetime(2026, 6, 1, 7, 1, tzinfo=UTC))
    await tick(h)

    digest = ld.dms_to(ann)[-1]
    assert digest.content.startswith("📬")
    answers = [c["custom_id"] for c in ld.components_of(digest) if c.get("custom_id", "").startswith("quiz:")]
    it = await ld.click(ann, digest, answers[0])  # an answer (or Show answer)
    assert it.reply is None or not any(t in ERRORS for t in _titles(it.reply))
    assert not any(t in ERRORS for t in _titles(digest))

    [post] = [m for m in ld.messages_in(channel) if m.interaction_user is None]
    it = await ld.click(ann, post, ld.components_of(post)[0]["custom_id"])
    assert it.reply is not None and it.reply.content.startswith(("✅ Correct!", "❌ Not quite."))

    await h.bot.load_extension(extension)  # and it comes back cleanly
