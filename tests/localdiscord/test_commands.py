"""Application command registration: what Discord keeps, echoes and defaults, and its errors."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from localdiscord import LocalDiscord
from localdiscord.spec import DEFAULT_SPEC

pytestmark = pytest.mark.lax


async def call(http: aiohttp.ClientSession, ld: LocalDiscord, method: str, path: str, body: Any = None) -> Any:
    async with http.request(method, ld.api_base + path, json=body) as r:
        return r.status, await r.json(content_type=None)


def cmds(ld: LocalDiscord, guild: int | None = None) -> str:
    scope = f"/guilds/{guild}" if guild else ""
    return f"/applications/{ld.application_id}{scope}/commands"


async def test_defaults_are_echoed_as_discord_does(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, [bare, full, guild_only] = await call(
        http,
        ld,
        "PUT",
        cmds(ld),
        [
            {"name": "bare", "description": "d"},
            {
                "name": "full",
                "description": "d",
                "contexts": [0, 1, 2],
                "integration_types": [1],
                "default_member_permissions": "32",
            },
            # what discord.py sends for guild_only with default_permissions
            {"name": "guildonly", "description": "d", "dm_permission": False, "default_member_permissions": 8},
        ],
    )
    assert status == 200
    # contexts stay null (discord-api-docs#6744); integration_types get the app's installs.
    assert bare["contexts"] is None and bare["integration_types"] == [0, 1]
    assert bare["default_member_permissions"] is None and bare["dm_permission"] is True and bare["type"] == 1
    assert bare["nsfw"] is False and bare["id"] and bare["version"] and bare["application_id"] == str(ld.application_id)
    assert full["contexts"] == [0, 1, 2] and full["integration_types"] == [1]
    assert full["default_member_permissions"] == "32"
    assert guild_only["default_member_permissions"] == "8" and guild_only["dm_permission"] is False
    status, listed = await call(http, ld, "GET", cmds(ld))
    assert status == 200 and [c["name"] for c in listed] == ["bare", "full", "guildonly"]


def session(ld: LocalDiscord) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(headers={"Authorization": f"Bot {ld.token}"})


@pytest.mark.ld(installation_contexts=(0,))
async def test_an_app_with_only_guild_installs(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, [cmd] = await call(http, ld, "PUT", cmds(ld), [{"name": "bare", "description": "d"}])
    assert status == 200 and cmd["integration_types"] == [0]
    ld.validator = None
    status, err = await call(
        http, ld, "PUT", cmds(ld), [{"name": "x", "description": "d", "integration_types": [0, 1]}]
    )
    assert status == 400 and err["code"] == 50035 and "1" in err["errors"]["0"]["integration_types"]
    with pytest.raises(AssertionError, match="does not support user installs"):
        ld.install_for_user(ld.create_user("u"))
    async with http.get(ld.api_base + "/applications/@me") as r:
        assert list((await r.json())["integration_types_config"]) == ["0"]


async def test_post_creates_then_replaces_by_name(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    status, first = await call(http, ld, "POST", cmds(ld), {"name": "ping", "description": "one"})
    assert status == 201 and first["contexts"] is None and first["integration_types"] == [0, 1]
    status, second = await call(
        http, ld, "POST", cmds(ld), {"name": "ping", "description": "two", "contexts": [1], "integration_types": [0]}
    )
    assert status == 200 and second["id"] == first["id"] and second["contexts"] == [1]
    status, other = await call(http, ld, "POST", cmds(ld), {"name": "pong", "description": "d"})
    assert status == 201 and other["id"] != first["id"]
    assert [(c["name"], c["description"]) for c in ld.commands[None]] == [("ping", "two"), ("pong", "d")]


async def test_guild_commands_need_the_app_in_the_guild(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    home = await ld.create_guild("home")
    away = await ld.create_guild("away", bot_member=False)
    status, [cmd] = await call(http, ld, "PUT", cmds(ld, home.id), [{"name": "local", "description": "d"}])
    assert status == 200 and cmd["guild_id"] == str(home.id)
    status, created = await call(http, ld, "POST", cmds(ld, home.id), {"name": "other", "description": "d"})
    assert status == 201 and created["guild_id"] == str(home.id)
    for method, body in (("PUT", []), ("POST", {"name": "x", "description": "d"}), ("GET", None)):
        status, err = await call(http, ld, method, cmds(ld, away.id), body)
        assert (status, err) == (403, {"message": "Missing Access", "code": 50001}), method
    status, err = await call(http, ld, "GET", cmds(ld, 12345))
    assert status == 404 and err["code"] == 10004


@pytest.mark.parametrize(
    ("field", "value", "path", "code"),
    [
        ("contexts", [0, 5], ["0", "contexts", "1"], "ENUM_TYPE_COERCE"),
        ("contexts", [], ["0", "contexts"], "BASE_TYPE_MIN_LENGTH"),
        ("integration_types", [2], ["0", "integration_types", "0"], "ENUM_TYPE_COERCE"),
        ("default_member_permissions", "admins", ["0", "default_member_permissions"], "NUMBER_TYPE_COERCE"),
        ("default_member_permissions", str(1 << 60), ["0", "default_member_permissions"], "NUMBER_TYPE_MAX"),
    ],
)
async def test_invalid_fields_get_discords_error_shape(
    ld: LocalDiscord, http: aiohttp.ClientSession, field: str, value: Any, path: list[str], code: str
) -> None:
    ld.validator = None  # the server's own checks, without the spec
    status, err = await call(http, ld, "PUT", cmds(ld), [{"name": "x", "description": "d", field: value}])
    assert status == 400 and err["code"] == 50035 and err["message"] == "Invalid Form Body"
    node = err["errors"]
    for part in path:
        node = node[part]
    assert node["_errors"][0]["code"] == code
    if code == "ENUM_TYPE_COERCE":
        assert node["_errors"][0]["message"] == f'Value "{value[-1]}" is not a valid enum value.'
    status, _ = await call(http, ld, "POST", cmds(ld), {"name": "x", "description": "d", field: value})
    assert status == 400
    assert ld.commands.get(None) is None


@pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason="Discord's OpenAPI spec is not at ../shared/discord-openapi.json"
)
@pytest.mark.ld(strict=True)
async def test_the_spec_accepts_what_discord_documents(ld: LocalDiscord, http: aiohttp.ClientSession) -> None:
    """default_member_permissions as a string (the docs) or an integer (the spec): no violation."""
    body = [
        {"name": "a", "description": "d", "default_member_permissions": "8", "contexts": [0, 1, 2]},
        {"name": "b", "description": "d", "default_member_permissions": 32, "integration_types": [0, 1]},
    ]
    status, out = await call(http, ld, "PUT", cmds(ld), body)
    assert status == 200 and [c["default_member_permissions"] for c in out] == ["8", "32"]
    ld.assert_clean()
    status, _ = await call(http, ld, "PUT", cmds(ld), [{"name": "c", "description": "d", "contexts": [7]}])
    assert status == 400 and len(ld.violations) == 2  # refused, and recorded as the bot's fault
    ld.violations.clear()
