"""The local Discord server's own behaviour: limits, errors and spec validation."""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

import aiohttp
import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from localdiscord import LocalDiscord
from localdiscord.spec import DEFAULT_SPEC, SpecValidator

pytestmark = pytest.mark.lax


async def post(http: aiohttp.ClientSession, ld: LocalDiscord, path: str, body: Any) -> tuple[int, Any, Any]:
    async with http.post(ld.api_base + path, json=body) as r:
        return r.status, await r.json(content_type=None), r.headers


def test_discord_py_attributes_we_patch_still_exist() -> None:
    """An upgrade of discord.py that moves these must fail loudly."""
    assert isinstance(Route.BASE, str) and Route.BASE.startswith("https://discord.com/api/v")
    assert str(DiscordWebSocket.DEFAULT_GATEWAY).startswith("wss://")


async def test_json_content_type_is_exact(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    async with http.get(ld.api_base + "/users/@me") as r:
        assert r.headers["Content-Type"] == "application/json"


async def test_unauthorized(ld: LocalDiscord) -> None:
    async with aiohttp.ClientSession() as s, s.get(ld.api_base + "/users/@me") as r:
        assert r.status == 401
    assert ld.invalid_requests == 1


async def test_global_rate_limit_answers_429_with_via(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    statuses = []
    for _ in range(60):
        async with http.get(ld.api_base + "/users/@me") as r:
            statuses.append(r.status)
            if r.status == 429:
                body = await r.json()
                assert body["global"] is True and body["retry_after"] > 0
                assert r.headers["Via"] and r.headers["X-RateLimit-Global"] == "true"
    assert statuses.count(200) == 50 and statuses.count(429) == 10
    assert ld.ratelimits.count_429_global == 10


async def test_per_channel_message_limit(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    guild = await ld.create_guild("g")
    ch = next(iter(guild.channels.values()))
    results = [await post(http, ld, f"/channels/{ch.id}/messages", {"content": f"m{i}"}) for i in range(6)]
    assert [r[0] for r in results] == [200] * 5 + [429]
    _, body, headers = results[-1]
    assert body["global"] is False and 0 < body["retry_after"] <= 5
    assert headers["Via"] and headers["X-RateLimit-Remaining"] == "0"
    assert results[0][2]["X-RateLimit-Limit"] == "5"


async def test_closed_dms_answer_50007(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    user = ld.create_user("closed", dms_open=False)
    status, ch, _ = await post(http, ld, "/users/@me/channels", {"recipient_id": str(user.id)})
    assert status == 200 and ch["type"] == 1
    status, body, _ = await post(http, ld, f"/channels/{ch['id']}/messages", {"content": "hi"})
    assert status == 403 and body["code"] == 50007
    assert ld.invalid_requests == 1


async def test_body_limits_rejected_with_discords_shape(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    ld.validator = None  # the limits are enforced without the spec too
    guild = await ld.create_guild("g")
    ch = next(iter(guild.channels.values()))
    cases = [
        ({"content": "x" * 2001}, ["content"]),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds", "0", "title"]),
        ({"embeds": [{"description": "d" * 4097}]}, ["embeds", "0", "description"]),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ["embeds", "0", "fields"]),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ["embeds"]),
        (
            {"components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "L" * 81, "custom_id": "a"}]}]},
            ["components", "0", "components", "0", "label"],
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": "c" * 101}]}
                ]
            },
            ["components", "0", "components", "0", "custom_id"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [{"type": 2, "style": 1, "label": str(i), "custom_id": str(i)} for i in range(6)],
                    }
                ]
            },
            ["components", "0", "components"],
        ),
        (
            {
                "components": [
                    {"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": f"r{i}"}]}
                    for i in range(6)
                ]
            },
            ["components"],
        ),
        (
            {
                "components": [
                    {
                        "type": 1,
                        "components": [
                            {
                                "type": 3,
                                "custom_id": "s",
                                "options": [{"label": str(i), "value": str(i)} for i in range(26)],
                            }
                        ],
                    }
                ]
            },
            ["components", "0", "components", "0", "options"],
        ),
    ]
    for body, path in cases:
        status, err, _ = await post(http, ld, f"/channels/{ch.id}/messages", body)
        assert status == 400 and err["code"] == 50035 and err["message"] == "Invalid Form Body", body
        node = err["errors"]
        for part in path:
            node = node[part]
        assert node["_errors"][0]["code"], path


@pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason="Discord's OpenAPI spec is not at ../shared/discord-openapi.json"
)
def test_spec_validation_catches_overlong_embed_title() -> None:
    v = SpecValidator(DEFAULT_SPEC)
    bad = v.validate("POST", "/channels/1/messages", {"embeds": [{"title": "x" * 300}]})
    assert bad and "embeds/0/title" in str(bad[0])
    assert v.validate("POST", "/channels/1/messages", {"embeds": [{"title": "ok"}]}) == []
    assert v.validate("POST", "/no/such/route", {}) and "no such route" in str(v.validate("POST", "/nope", {})[0])


@pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason="Discord's OpenAPI spec is not at ../shared/discord-openapi.json"
)
async def test_spec_violation_is_recorded(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    guild = await ld.create_guild("g")
    ch = next(iter(guild.channels.values()))
    status, _, _ = await post(http, ld, f"/channels/{ch.id}/messages", {"embeds": [{"title": "x" * 300}]})
    assert status == 400
    assert any("spec:" in v and "title" in v for v in ld.violations)


async def test_unknown_route_is_a_violation(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    async with http.get(ld.api_base + "/guilds/1/audit-logs-nope") as r:
        assert r.status == 404
    assert any("unknown route" in v for v in ld.violations)
    with pytest.raises(AssertionError, match="unknown route"):
        ld.assert_clean()


async def _gateway_events(ld: LocalDiscord, session: aiohttp.ClientSession, n: int) -> list[dict[str, Any]]:
    async with session.ws_connect(ld.gateway_url + "?v=10&encoding=json&compress=zlib-stream") as ws:
        inflator = zlib.decompressobj()
        events = []

        async def recv() -> dict[str, Any]:
            msg = await ws.receive()
            return json.loads(inflator.decompress(msg.data))

        hello = await recv()
        assert hello["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": ld.token, "intents": 1, "properties": {}}})
        while len(events) < n:
            events.append(await recv())
        await ws.send_json({"op": 1, "d": events[-1].get("s")})
        events.append(await recv())
        return events


async def test_gateway_ready_guild_create_and_heartbeat_ack(ld: LocalDiscord) -> None:
    await ld.create_guild("g")
    async with aiohttp.ClientSession() as s:
        ready, guild_create, ack = await _gateway_events(ld, s, 2)
    assert ready["t"] == "READY"
    d = ready["d"]
    for key in ("user", "guilds", "session_id", "resume_gateway_url", "application"):
        assert key in d
    assert guild_create["t"] == "GUILD_CREATE" and ack["op"] == 11


async def test_interaction_deadline_and_double_ack(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    user = ld.create_user("u")
    ld.commands[None] = [{"id": "1", "name": "ping", "description": "p", "type": 1}]
    it = ld._new_interaction(2, user, None, ld._command_data("ping", {}, None))
    url = f"{ld.api_base}/interactions/{it.id}/{it.token}/callback?with_response=true"
    async with http.post(url, json={"type": 4, "data": {"content": "pong"}}) as r:
        assert r.status == 200
        body = await r.json()
        assert body["resource"]["message"]["content"] == "pong" and body["interaction"]["id"] == str(it.id)
    async with http.post(url, json={"type": 4, "data": {"content": "again"}}) as r:
        assert r.status == 400 and (await r.json())["code"] == 40060
    late = ld._new_interaction(2, user, None, ld._command_data("ping", {}, None))
    late.created -= 3.5
    async with http.post(
        f"{ld.api_base}/interactions/{late.id}/{late.token}/callback", json={"type": 4, "data": {"content": "late"}}
    ) as r:
        assert r.status == 404 and (await r.json())["code"] == 10062


async def test_discord_py_honours_a_429(ld: LocalDiscord) -> None:
    """discord.py retries a 429 that carries Via; the bot's message still arrives once."""
    guild = await ld.create_guild("g")
    ch = next(iter(guild.channels.values()))
    from discord.http import HTTPClient

    Route.BASE = ld.api_base
    try:
        client = HTTPClient(asyncio.get_running_loop())
        await client.static_login(ld.token)
        for i in range(7):
            await client.send_message(ch.id, params=discord.http.handle_message_parameters(content=f"m{i}"))
        await client.close()
    finally:
        Route.BASE = "https://discord.com/api/v10"
    assert len(ld.messages_in(ch)) == 7
