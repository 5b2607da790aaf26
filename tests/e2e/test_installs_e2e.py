"""The personal app ("Add to my apps") next to the server bot: what is offered where, and
that where the bot is not a member it answers privately and never touches the channel."""

from __future__ import annotations

import pytest

from localdiscord import NotOffered
from tests.e2e.test_quiz_e2e import answer
from tests.helpers import Harness

PERSONAL = {"start", "help", "quiz", "roadmap", "resources", "stats", "progress", "settings", "reminders", "mydata"}
SERVER_ONLY = {"studychannel", "leaderboard", "admin"}


def test_commands_declare_their_installs_and_contexts(harness: Harness) -> None:
    registered = {c["name"]: c for c in harness.ld.commands[None]}
    assert set(registered) == PERSONAL | SERVER_ONLY
    for name in PERSONAL:
        assert sorted(registered[name]["integration_types"]) == [0, 1], name
        assert sorted(registered[name]["contexts"]) == [0, 1, 2], name
    for name in SERVER_ONLY:
        assert registered[name]["integration_types"] == [0] and registered[name]["contexts"] == [0], name
    assert registered["studychannel"]["default_member_permissions"] == "32"  # Manage Server
    assert registered["admin"]["default_member_permissions"] == "8"  # Administrator


async def test_the_personal_app_in_a_server_without_the_bot(harness: Harness) -> None:
    h, ld = harness, harness.ld
    una = ld.create_user("una")
    ld.install_for_user(una)
    guild = await ld.create_guild("Somewhere else", bot_member=False)
    await ld.add_member(guild, una)
    ch = next(iter(guild.channels.values()))

    it = await ld.slash(una, "quiz", {"topic": "numpy", "count": 1}, channel=ch)
    msg = it.original
    assert it.context == 0 and it.user_install_only
    assert msg is not None and msg.ephemeral and msg.embeds[0]["title"].startswith("Quiz · 1/1 · Numpy")
    await answer(h, una, msg, correct=True)
    assert msg.embeds[0]["title"] in ("✅ Correct!", "Rated Good")

    it = await ld.slash(una, "stats", {}, channel=ch)
    assert it.reply is not None and it.reply.ephemeral and it.reply.attachments  # the chart

    it = await ld.slash(una, "roadmap", {"topic": "numpy"}, channel=ch)
    assert it.original is not None and it.original.ephemeral
    assert "Share" not in [c.get("label") for c in ld.components_of(it.original)]  # it would post here

    it = await ld.slash(una, "help", {}, channel=ch)
    assert it.original is not None and it.original.ephemeral
    assert "🏫 Servers" not in [f["name"] for f in it.original.embeds[0]["fields"]]

    assert ld.channel_requests(ch) == []  # only the interaction endpoints were used

    for command in ("studychannel list", "leaderboard view"):
        with pytest.raises(NotOffered):
            await ld.slash(una, command, {}, channel=ch)
        with pytest.raises(NotOffered, match="not available in DMs"):
            await ld.slash(una, command, {})


async def test_the_personal_app_in_a_group_dm(harness: Harness) -> None:
    ld = harness.ld
    vic, wes = ld.create_user("vic"), ld.create_user("wes")
    ld.install_for_user(vic)
    group = ld.private_channel(vic, wes)
    it = await ld.slash(vic, "quiz", {"topic": "pandas", "count": 1}, channel=group)
    assert it.context == 2 and it.original is not None and it.original.ephemeral
    with pytest.raises(NotOffered):
        await ld.slash(wes, "quiz", {}, channel=group)  # wes has not installed the app
    assert ld.channel_requests(group) == []
