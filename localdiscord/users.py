"""Acting as Discord users: slash commands, autocomplete, button clicks, selects."""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from typing import TYPE_CHECKING, Any

from localdiscord import permissions as P
from localdiscord.state import DM, Channel, Guild, Interaction, Message, User, snowflake

if TYPE_CHECKING:
    from localdiscord.gateway import Gateway

# Application command option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = range(1, 11)


class InteractionTimeout(AssertionError):
    pass


class InvalidOption(ValueError):
    """Discord's client would not send this option value (e.g. a non-finite number)."""


class UserActions:
    """Mixin for LocalDiscord: build interactions as Discord would and await the answer."""

    # Provided by LocalDiscord.
    commands: dict[int | None, list[dict[str, Any]]]
    guilds: dict[int, Guild]
    gateway: Gateway
    interactions: dict[int, Interaction]
    interactions_by_token: dict[str, Interaction]
    bot_user: User
    application_id: int

    def dm_channel(self, user: User) -> Channel:
        raise NotImplementedError

    async def slash(
        self,
        user: User,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        channel: Channel | None = None,
        timeout: float = 5.0,
    ) -> Interaction:
        """Run ``/command`` (``"group sub"`` for subcommands) with ``options`` as ``user``."""
        data = self._command_data(command, options or {}, channel)
        it = self._new_interaction(2, user, channel, data)
        await self._deliver(it)
        await self._wait(it, timeout, f"/{command}")
        return it

    async def autocomplete(
        self,
        user: User,
        command: str,
        options: dict[str, Any],
        focused: str,
        *,
        channel: Channel | None = None,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        data = self._command_data(command, options, channel, focused=focused)
        it = self._new_interaction(4, user, channel, data)
        await self._deliver(it)
        await self._wait(it, timeout, f"autocomplete /{command} {focused}")
        return it.autocomplete_choices or []

    async def click(self, user: User, message: Message, label_or_id: str, *, timeout: float = 5.0) -> Interaction:
        """Click the button whose label or custom_id is ``label_or_id``."""
        comp = self.find_component(message, label_or_id)
        if comp.get("type") != 2:
            raise AssertionError(f"{label_or_id!r} is not a button")
        if comp.get("disabled"):
            raise AssertionError(f"button {label_or_id!r} is disabled")
        data = {"custom_id": comp["custom_id"], "component_type": 2}
        it = self._new_interaction(3, user, message.channel, data, message=message)
        await self._deliver(it)
        await self._wait(it, timeout, f"click {label_or_id!r}")
        return it

    async def select(
        self,
        user: User,
        message: Message,
        custom_id_prefix: str,
        values: list[str],
        *,
        timeout: float = 5.0,
    ) -> Interaction:
        comp = self.find_component(message, custom_id_prefix, select=True)
        allowed = {o["value"] for o in comp.get("options") or []}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise AssertionError(f"values {bad} are not options of {comp['custom_id']!r}: {sorted(allowed)}")
        data = {"custom_id": comp["custom_id"], "component_type": 3, "values": values}
        it = self._new_interaction(3, user, message.channel, data, message=message)
        await self._deliver(it)
        await self._wait(it, timeout, f"select {values}")
        return it

    @staticmethod
    def components_of(message: Message) -> list[dict[str, Any]]:
        return [c for row in message.components for c in row.get("components") or []]

    def find_component(self, message: Message, key: str, *, select: bool = False) -> dict[str, Any]:
        comps = self.components_of(message)
        for c in comps:
            if select and c.get("type") != 3:
                continue
            if (
                c.get("label") == key
                or c.get("custom_id") == key
                or (select and str(c.get("custom_id", "")).startswith(key))
            ):
                return c
        labels = [c.get("label") or c.get("custom_id") for c in comps]
        raise AssertionError(f"no component {key!r} on message; has {labels}")

    # ------------------------------------------------------------ internals

    def _command_data(
        self, command: str, options: dict[str, Any], channel: Channel | None, focused: str | None = None
    ) -> dict[str, Any]:
        parts = command.split()
        guild_id = channel.guild_id if channel else None
        registered = list(self.commands.get(None, [])) + list(self.commands.get(guild_id, []) if guild_id else [])
        cmd = next((c for c in registered if c["name"] == parts[0]), None)
        if cmd is None:
            raise AssertionError(f"command /{parts[0]} is not registered; have {[c['name'] for c in registered]}")
        spec_opts = cmd.get("options") or []
        resolved: dict[str, Any] = {}
        leaf_opts = self._build_options(spec_opts, parts[1:], options, focused, resolved, command)
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": leaf_opts}
        if guild_id and cmd.get("guild_id"):
            data["guild_id"] = str(guild_id)
        if resolved:
            data["resolved"] = resolved
        return data

    def _build_options(
        self,
        spec: list[dict[str, Any]],
        path: list[str],
        values: dict[str, Any],
        focused: str | None,
        resolved: dict[str, Any],
        command: str,
    ) -> list[dict[str, Any]]:
        if path:
            sub = next(
                (o for o in spec if o["name"] == path[0] and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None
            )
            if sub is None:
                raise AssertionError(f"/{command}: no subcommand {path[0]!r}")
            inner = self._build_options(sub.get("options") or [], path[1:], values, focused, resolved, command)
            return [{"name": sub["name"], "type": sub["type"], "options": inner}]
        out = []
        known = {o["name"]: o for o in spec}
        for name, value in values.items():
            o = known.get(name)
            if o is None:
                raise AssertionError(f"/{command}: no option {name!r}; options are {sorted(known)}")
            entry: dict[str, Any] = {"name": name, "type": o["type"]}
            if o["type"] == CHANNEL:
                ch: Channel = value
                entry["value"] = str(ch.id)
                resolved.setdefault("channels", {})[str(ch.id)] = ch.to_json() | {"permissions": str(P.ALL)}
            elif o["type"] == USER:
                u: User = value
                entry["value"] = str(u.id)
                resolved.setdefault("users", {})[str(u.id)] = u.to_json()
            else:
                if (
                    o["type"] in (INTEGER, NUMBER)
                    and name != focused
                    and (not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value))
                ):
                    raise InvalidOption(f"/{command}: option {name!r} must be a finite number, not {value!r}")
                entry["value"] = value
            if name == focused:
                entry["focused"] = True
            out.append(entry)
        if focused is not None and focused not in values:
            out.append({"name": focused, "type": known[focused]["type"], "value": "", "focused": True})
        missing = [o["name"] for o in spec if o.get("required") and o["name"] not in values and focused is None]
        if missing:
            raise AssertionError(f"/{command}: missing required options {missing}")
        return out

    def _new_interaction(
        self,
        kind: int,
        user: User,
        channel: Channel | None,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        if channel is None:
            channel = self.dm_channel(user)
        guild: Guild | None = self.guilds.get(channel.guild_id) if channel.guild_id else None
        it = Interaction(
            id=snowflake(),
            token=f"tok{secrets.token_urlsafe(32)}",
            type=kind,
            user=user,
            channel=channel,
            guild=guild,
            data=data,
            message=message,
        )
        self.interactions[it.id] = it
        self.interactions_by_token[it.token] = it
        return it

    def interaction_payload(self, it: Interaction) -> dict[str, Any]:
        ch = it.channel
        payload: dict[str, Any] = {
            "id": str(it.id),
            "application_id": str(self.application_id),
            "type": it.type,
            "data": it.data,
            "channel_id": str(ch.id),
            "token": it.token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "authorizing_integration_owners": {"0": str(it.guild.id)} if it.guild else {"1": str(it.user.id)},
            "context": 0 if it.guild else 1,
        }
        if it.guild is not None:
            member = it.guild.members.get(it.user.id)
            if member is None:
                raise AssertionError(f"{it.user.username} is not a member of {it.guild.name}")
            payload["guild_id"] = str(it.guild.id)
            payload["guild"] = {"id": str(it.guild.id), "locale": "en-US", "features": []}
            payload["guild_locale"] = "en-US"
            payload["member"] = member.to_json() | {"permissions": str(it.guild.permissions_in(ch, it.user.id))}
            payload["app_permissions"] = str(it.guild.permissions_in(ch, self.bot_user.id))
            payload["channel"] = ch.to_json()
        else:
            payload["user"] = it.user.to_json()
            payload["app_permissions"] = str(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS | P.ATTACH_FILES)
            payload["channel"] = (
                ch.to_json()
                if ch.type != DM
                else {"id": str(ch.id), "type": DM, "recipients": [it.user.to_json()], "flags": 0}
            )
        if it.message is not None:
            payload["message"] = it.message.to_json()
        return payload

    async def _deliver(self, it: Interaction) -> None:
        sessions = [
            s
            for s in self.gateway.sessions.values()
            if s.connected and s.handles_guild(it.guild.id if it.guild else None)
        ]
        if not sessions:
            raise AssertionError("no connected gateway session to deliver the interaction to")
        await sessions[0].dispatch("INTERACTION_CREATE", self.interaction_payload(it))
        it.dispatched_at = time.monotonic()

    async def _wait(self, it: Interaction, timeout: float, what: str) -> None:
        try:
            await asyncio.wait_for(it.done.wait(), timeout)
        except TimeoutError:
            state = "deferred but never completed" if it.acknowledged else "never acknowledged"
            raise InteractionTimeout(f"{what}: the bot did not answer within {timeout}s ({state})") from None
