"""Application commands: the registration routes, the fields Discord keeps, and its defaults.

What Discord echoes when a field is left out (and what the local server does):

- ``integration_types``: "Defaults to your app's configured contexts" (application-commands,
  Application Command Structure). The app here supports both installs unless
  ``LocalDiscord(installation_contexts=...)`` says otherwise: new apps have "both 'User
  Install' and 'Guild Install'" since 2024-06-27 (change log, "User-Installed Apps General
  Availability"). A command may only name installs the app supports.
- ``contexts``: echoed as ``null``; such a command works in servers and in DMs with the bot
  but not in other private channels (discord-api-docs#6744, whose fix #6765 made the field
  nullable in the docs; #7583), and only in servers when the deprecated ``dm_permission`` is
  false (discord.py's ``guild_only`` sends exactly that).
- ``dm_permission``: true; ``default_member_permissions``: null, else a bit set echoed as a
  string ("0": administrators only); ``nsfw``: false.
- Guild commands work in their guild only ("Guild commands are not available in DMs";
  "Guild commands don't support the BOT_DM interaction context").
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord import limits
from localdiscord.installs import BOT_DM, GUILD, GUILD_INSTALL, PRIVATE_CHANNEL, USER_INSTALL
from localdiscord.rest import BODY, DiscordError, json_response
from localdiscord.state import snowflake

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

__all__ = ["BOT_DM", "GUILD", "GUILD_INSTALL", "PRIVATE_CHANNEL", "USER_INSTALL", "CommandRoutes", "stored"]


def stored(
    cmd: dict[str, Any], guild: str | None, app_installs: tuple[int, ...], application_id: int
) -> dict[str, Any]:
    """The command as Discord keeps and echoes it."""
    out = dict(cmd)
    out.update(id=str(snowflake()), application_id=str(application_id), version=str(snowflake()))
    out.setdefault("type", 1)
    out.setdefault("nsfw", False)
    perms = cmd.get("default_member_permissions")
    out["default_member_permissions"] = None if perms is None else str(int(perms))
    if guild:
        out["guild_id"] = guild
    out["dm_permission"] = cmd.get("dm_permission") is not False
    out["contexts"] = None if cmd.get("contexts") is None else [int(c) for c in cmd["contexts"]]
    types = cmd.get("integration_types")
    out["integration_types"] = list(app_installs) if types is None else [int(t) for t in types]
    return out


class CommandRoutes:
    """GET, PUT (bulk overwrite) and POST (create or replace by name) for global and guild commands."""

    def __init__(self, ld: LocalDiscord) -> None:
        self.ld = ld

    def routes(self) -> list[web.RouteDef]:
        base = "/api/v10/applications/{app}"
        return [
            web.get(f"{base}/commands", self.get_commands),
            web.put(f"{base}/commands", self.put_commands),
            web.post(f"{base}/commands", self.post_command),
            web.get(f"{base}/guilds/{{guild}}/commands", self.get_commands),
            web.put(f"{base}/guilds/{{guild}}/commands", self.put_commands),
            web.post(f"{base}/guilds/{{guild}}/commands", self.post_command),
        ]

    def _scope(self, request: web.Request) -> int | None:
        if request.match_info["app"] != str(self.ld.application_id):
            raise DiscordError(403, 50001, "Missing Access")
        guild = request.match_info.get("guild")
        if guild is None:
            return None
        found = self.ld.guilds.get(int(guild))
        if found is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        if self.ld.bot_user.id not in found.members:
            raise DiscordError(403, 50001, "Missing Access")
        return found.id

    def _check(self, commands: list[dict[str, Any]]) -> None:
        problems = limits.check_commands(commands, self.ld.installation_contexts)
        if problems:
            raise DiscordError(400, 50035, "Invalid Form Body", limits.form_errors(problems))

    def _stored(self, cmd: dict[str, Any], scope: int | None) -> dict[str, Any]:
        ld = self.ld
        return stored(cmd, None if scope is None else str(scope), ld.installation_contexts, ld.application_id)

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.ld.commands.get(self._scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        body = request[BODY]
        self._check(body)
        out = [self._stored(cmd, scope) for cmd in body]
        self.ld.commands[scope] = out
        self.ld.command_syncs.append((scope, time.time()))
        return json_response(out)

    async def post_command(self, request: web.Request) -> web.Response:
        """Discord treats a create with a used name (and type) as an update: 200, else 201."""
        scope = self._scope(request)
        body = request[BODY]
        self._check([body])
        cmd = self._stored(body, scope)
        existing = self.ld.commands.setdefault(scope, [])
        same = next((i for i, c in enumerate(existing) if (c["name"], c["type"]) == (cmd["name"], cmd["type"])), None)
        if same is None:
            existing.append(cmd)
            return json_response(cmd, status=201)
        cmd["id"] = existing[same]["id"]
        existing[same] = cmd
        return json_response(cmd)
