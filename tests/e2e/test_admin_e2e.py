"""Owner tools: content reload without restart; gateway discovery."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.endpoint import apply_endpoints, reset_endpoints
from localdiscord import LocalDiscord, NotOffered
from localdiscord import permissions as P
from tests.helpers import CONTENT, running_bot, settings_for


async def test_reload_content_keeps_running_content_on_error(
    discord_server: LocalDiscord, db_url: str, tmp_path: Path
) -> None:
    ld = discord_server
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    async with running_bot(ld, db_url, content_dir=folder) as h:
        owner, stranger, member = ld.owner, ld.create_user("stranger"), ld.create_user("member")
        guild = await ld.create_guild("g", owner)
        ch = next(iter(guild.channels.values()))
        await ld.add_member(guild, stranger, permissions=P.ADMINISTRATOR)
        await ld.add_member(guild, member)
        before = len(h.services.content.questions)
        # Discord offers /admin to server administrators only, and only in servers.
        with pytest.raises(NotOffered, match="default_member_permissions"):
            await ld.slash(member, "admin reload-content", {}, channel=ch)
        with pytest.raises(NotOffered, match="not available in DMs"):
            await ld.slash(owner, "admin reload-content", {})
        # A server admin who does not own the bot is refused by the bot itself.
        it = await ld.slash(stranger, "admin reload-content", {}, channel=ch)
        assert it.reply is not None and "Only the bot's owner" in it.reply.embeds[0]["description"]

        target = folder / "questions" / "level-0" / "numpy.yaml"
        target.write_text(target.read_text().replace("type: true_false", "type: essay", 1))
        it = await ld.slash(owner, "admin reload-content", {}, channel=ch)
        embed = it.reply.embeds[0]  # type: ignore[union-attr]
        assert embed["title"].startswith("Content NOT reloaded: 1 error")
        assert "numpy.yaml" in embed["description"] and "unknown question type 'essay'" in embed["description"]
        assert len(h.services.content.questions) == before

        target.write_text(target.read_text().replace("type: essay", "type: true_false", 1))
        extra = folder / "questions" / "level-0" / "numpy.yaml"
        extra.write_text(
            extra.read_text()
            + """
  - id: numpy-reload-probe
    type: true_false
    prompt: NumPy arrays have a fixed element type (dtype).
    answer: true
    explanation: Every element of an ndarray shares one dtype, which is what makes vectorised operations fast.
"""
        )
        it = await ld.slash(owner, "admin reload-content", {}, channel=ch)
        assert it.reply is not None and it.reply.embeds[0]["title"] == "Content reloaded"
        assert "numpy-reload-probe" in h.services.content.questions


async def test_gateway_is_discovered_from_the_api(discord_server: LocalDiscord, db_url: str) -> None:
    from discord.gateway import DiscordWebSocket

    settings = settings_for(discord_server, db_url, discord_gateway_url=None)
    try:
        await apply_endpoints(settings, discord_server.token)
        assert str(DiscordWebSocket.DEFAULT_GATEWAY) == discord_server.gateway_url
    finally:
        reset_endpoints()
