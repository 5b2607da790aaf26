"""Acting as Discord users: slash commands, autocomplete, button clicks, selects, modals.

Each action is refused, as the Discord client would refuse it, before anything is sent:
a command the client does not offer there (``NotOffered``: see ``installs``), an option or
modal value it would not send (``InvalidOption``), a disabled or missing component."""

from __future__ import annotations

import asyncio
import math
import secrets
import time
from typing import TYPE_CHECKING, Any

from localdiscord import installs
from localdiscord import permissions as P
from localdiscord.state import Channel, Guild, Interaction, Message, User, snowflake

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
    installation_contexts: tuple[int, ...]
    user_installs: set[int]
    command_overrides: dict[tuple[int, str], dict[int, bool]]

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
        """Run ``/command`` (``"group sub"`` for subcommands) with ``options`` as ``user`` in
        ``channel`` (default: the user's DM with the bot). ``NotOffered`` when the client would
        not offer the command there (context, installs, default_member_permissions)."""
        channel = channel or self.dm_channel(user)
        context, owners = installs.command_authorization(self, self._registered(command, channel), user, channel)
        data = self._command_data(command, options or {}, channel)
        it = self._new_interaction(2, user, channel, data, context=context, owners=owners)
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
        channel = channel or self.dm_channel(user)
        context, owners = installs.command_authorization(self, self._registered(command, channel), user, channel)
        data = self._command_data(command, options, channel, focused=focused)
        it = self._new_interaction(4, user, channel, data, context=context, owners=owners)
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
        it = self._component_interaction(user, message, data)
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
        """Choose ``values`` (the whole selection, as the client sends it when the menu closes)."""
        comp = self.find_component(message, custom_id_prefix, select=True)
        if comp.get("disabled"):
            raise AssertionError(f"select {comp['custom_id']!r} is disabled")
        allowed = {o["value"] for o in comp.get("options") or []}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise AssertionError(f"values {bad} are not options of {comp['custom_id']!r}: {sorted(allowed)}")
        low = 1 if comp.get("min_values") is None else comp["min_values"]
        high = 1 if comp.get("max_values") is None else comp["max_values"]
        if len(set(values)) != len(values):
            raise InvalidOption(f"select {comp['custom_id']!r}: an option can be chosen once, not {values}")
        if not low <= len(values) <= high:
            raise InvalidOption(f"select {comp['custom_id']!r} takes {low} to {high} values, not {len(values)}")
        data = {"custom_id": comp["custom_id"], "component_type": 3, "values": values}
        it = self._component_interaction(user, message, data)
        await self._deliver(it)
        await self._wait(it, timeout, f"select {values}")
        return it

    def select_defaults(self, message: Message, custom_id_prefix: str) -> list[str]:
        """The options a select shows as chosen (``default: true``) before the user touches it."""
        comp = self.find_component(message, custom_id_prefix, select=True)
        return [o["value"] for o in comp.get("options") or [] if o.get("default")]

    async def submit_modal(
        self, user: User, opened_by: Interaction, values: dict[str, Any], *, timeout: float = 5.0
    ) -> Interaction:
        """Fill in and submit the modal the bot answered ``opened_by`` with: ``values`` maps
        text input custom_ids to what the user typed (an input left out keeps its pre-filled
        ``value``) and select custom_ids to the option values picked. ``InvalidOption`` for
        what the client would not send: a required input left
        empty, a value shorter than ``min_length`` or longer than ``max_length``, a line break
        in a short input."""
        from localdiscord.modals import submission

        modal = opened_by.modal
        if modal is None:
            raise AssertionError("the bot did not answer that interaction with a modal")
        if opened_by.modal_closed:
            raise AssertionError(f"modal {modal.get('custom_id')!r} was already submitted")
        if user.id != opened_by.user.id:
            raise AssertionError(f"only {opened_by.user.username} sees modal {modal.get('custom_id')!r}")
        data = submission(modal, values)
        message = opened_by.message if opened_by.type == 3 else None
        it = self._new_interaction(
            5, user, opened_by.channel, data, message=message, context=opened_by.context, owners=dict(opened_by.owners)
        )
        await self._deliver(it)
        await self._wait(it, timeout, f"submit modal {modal.get('custom_id')!r}")
        opened_by.modal_closed = it.acknowledged
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

    def _registered(self, command: str, channel: Channel | None) -> dict[str, Any]:
        name = command.split()[0]
        guild_id = channel.guild_id if channel else None
        registered = list(self.commands.get(None, [])) + list(self.commands.get(guild_id, []) if guild_id else [])
        cmd = next((c for c in registered if c["name"] == name), None)
        if cmd is None:
            raise AssertionError(f"command /{name} is not registered; have {[c['name'] for c in registered]}")
        return cmd

    def _command_data(
        self, command: str, options: dict[str, Any], channel: Channel | None, focused: str | None = None
    ) -> dict[str, Any]:
        parts = command.split()
        guild_id = channel.guild_id if channel else None
        cmd = self._registered(command, channel)
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
        *,
        context: int | None = None,
        owners: dict[str, str] | None = None,
    ) -> Interaction:
        if channel is None:
            channel = self.dm_channel(user)
        if context is None:
            context = installs.context_of(user, channel)
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
            context=context,
            owners=installs.default_owners(context, user, channel) if owners is None else owners,
        )
        it.forced_ephemeral = installs.forces_ephemeral(self, it)
        self.interactions[it.id] = it
        self.interactions_by_token[it.token] = it
        return it

    def _component_interaction(self, user: User, message: Message, data: dict[str, Any]) -> Interaction:
        context, owners = installs.component_authorization(user, message)
        return self._new_interaction(3, user, message.channel, data, message=message, context=context, owners=owners)

    def interaction_payload(self, it: Interaction) -> dict[str, Any]:
        return installs.payload(self, it)

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
