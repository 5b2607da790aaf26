"""The control API (for benchmarks and the console in another process): modals and installs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localdiscord import LocalDiscord
from localdiscord.remote import RemoteDiscord
from tests.localdiscord.fakebot import fake_bot


@pytest.fixture
async def ld() -> AsyncIterator[LocalDiscord]:
    server = await LocalDiscord().start(control=True)
    try:
        yield server
    finally:
        await server.stop()
    server.assert_clean()


async def test_remote_modals_and_installs(ld: LocalDiscord) -> None:
    form = {
        "custom_id": "tz",
        "title": "Your time zone",
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "zone", "style": 1, "label": "Zone"}]}],
    }
    async with fake_bot(ld) as bot, aiohttp.ClientSession(base_url=f"http://127.0.0.1:{ld.port}") as http:
        await bot.register([{"name": "settings", "description": "d", "contexts": [0, 1, 2]}])

        async def answer(it: dict[str, Any]) -> None:
            if it["type"] == 5:
                await bot.reply(it, it["data"]["components"][0]["components"][0]["value"])
            else:
                await bot.callback(it, {"type": 9, "data": form})

        bot.answer = answer
        async with http.get("/_control/info") as r:
            rd = RemoteDiscord(await r.json(), http)
        [ann] = await rd.users(1)
        guild, channel = await rd.guild([ann], bot_member=False)
        await rd.install([ann])
        result = await rd.interact(
            [{"user": str(ann), "kind": "slash", "command": "settings", "channel": str(channel)}]
        )
        [opened] = result["results"]
        assert opened["modal"] == form and opened["interaction"]
        assert bot.interactions[-1]["authorizing_integration_owners"] == {"1": str(ann)}
        done = await rd.submit_modal(ann, opened["interaction"], {"zone": "Asia/Tokyo"})
        assert done["content"] == "Asia/Tokyo" and done["channel"] == str(channel)
        assert bot.interactions[-1]["guild_id"] == str(guild) and bot.interactions[-1]["type"] == 5
        await rd.install([ann], installed=False)
        assert ld.user_installs == set()
