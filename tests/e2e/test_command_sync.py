"""Commands are registered when their payload changed, never on every start."""

from __future__ import annotations

import pytest

import bot.client
from localdiscord import LocalDiscord
from tests import probe_state
from tests.helpers import running_bot


async def test_sync_only_when_changed(
    discord_server: LocalDiscord, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ld = discord_server
    monkeypatch.setattr(bot.client, "EXTENSIONS", (*bot.client.EXTENSIONS, "tests.e2e.probe_ext"))
    async with running_bot(ld, db_url):
        pass
    assert len(ld.command_syncs) == 1
    names = {c["name"] for c in ld.commands[None]}
    assert {"quiz", "admin"} <= names

    async with running_bot(ld, db_url):
        pass
    assert len(ld.command_syncs) == 1, "an unchanged restart must not register commands"

    monkeypatch.setattr(probe_state, "DESCRIPTION", "A changed description")
    async with running_bot(ld, db_url):
        pass
    assert len(ld.command_syncs) == 2
    assert next(c for c in ld.commands[None] if c["name"] == "probe")["description"] == "A changed description"

    async with running_bot(ld, db_url):
        pass
    assert len(ld.command_syncs) == 2


async def test_sync_commands_cli_path(discord_server: LocalDiscord, db_url: str) -> None:
    """`python -m bot sync-commands --guild ID` registers to one guild explicitly."""
    from bot.client import create_bot
    from bot.endpoint import apply_endpoints, reset_endpoints
    from bot.runner import build_services
    from tests.helpers import settings_for

    ld = discord_server
    guild = await ld.create_guild("g")
    settings = settings_for(ld, db_url)
    services = await build_services(settings)
    try:
        await apply_endpoints(settings, ld.token)
        bot = create_bot(services, mode="sync")
        async with bot:
            await bot.login(ld.token)
            n = await bot.sync_commands(guild.id)
        assert n >= 2 and {c["name"] for c in ld.commands[guild.id]} >= {"quiz", "admin"}
    finally:
        await services.engine.dispose()
        reset_endpoints()
