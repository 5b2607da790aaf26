"""Where an interaction happens and which installs authorise it, as Discord works it out.

Discord's rules (interactions/receiving-and-responding: "Interaction Context Types",
"Authorizing Integration Owners Object", the ``app_permissions`` footnote;
interactions/application-commands: "Contexts", "Permissions"; resources/application:
"Installation Context"; the change log of 2024-06-27, "User-Installed Apps General
Availability"):

- The context is the channel's: a server channel is GUILD (0), the user's DM with the bot
  BOT_DM (1), any other DM or group DM PRIVATE_CHANNEL (2).
- The client offers a command where its ``contexts`` include that context and one of its
  ``integration_types`` is installed there: the guild install in a server the app (its
  bot) is in, and in the DM with the bot; the user install anywhere once the user installed
  the app. In the bot DM the guild install counts without a mutual server (Discord wants
  one, or a user install; the tests run DM commands as users who are in no server).
- In a server the member must see the channel, hold Use Application Commands, and hold the
  command's ``default_member_permissions`` ("0": nobody but administrators; administrators
  and the owner always pass) unless the server's command permissions (Server Settings >
  Integrations: ``LocalDiscord.set_command_permission``) allow or deny them: a user's entry,
  else their roles' (allow wins), else @everyone's. In DMs none of this applies.
- ``authorizing_integration_owners`` has one key per install that authorised the
  interaction: "0" → the guild's id ("0" in the bot DM), "1" → the installing user's id.
  A component or modal keeps the owners of the interaction whose answer it belongs to.
- ``app_permissions``: the bot's permissions in the channel when it is in the server; for a
  user-installed app in a server without its bot, the invoking member's permissions there
  (the app "is forced to respect the user's permissions", resources/application;
  discord-api-docs#7251 reports the member's permissions in the value); in the bot DM,
  View Channel, Send Messages, Embed Links, Attach Files, Mention Everyone and Use External
  Emojis; in other DMs the same without Use External Emojis (the footnote names Attach
  Files, Embed Links and Mention Everyone, and Use External Emojis for the bot DM).
- An app that is not installed where it is used (a user install in a server without the
  bot, or in another DM) answers only ephemerally when the member lacks Use External Apps
  ("your app's responses will be ephemeral for the end user", change log) or Send Messages
  there ("won't be able to respond ... with a non-ephemeral message", resources/application),
  and may create at most 5 follow-ups (then 400, code 40094); Discord sets the ephemeral
  flag itself, whatever the app asked for.
"""

from __future__ import annotations

from typing import Any, Protocol

from localdiscord import permissions as P
from localdiscord.state import DM, PUBLIC_THREAD, Channel, Guild, Interaction, Message, User

# Interaction context types and application integration (installation) types.
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2
GUILD_INSTALL, USER_INSTALL = 0, 1


def contexts_of(cmd: dict[str, Any]) -> set[int]:
    """Where the Discord client offers ``cmd``: its ``contexts``, or the null default (see ``commands``)."""
    if cmd.get("guild_id"):
        return {GUILD}
    contexts = cmd.get("contexts")
    if contexts is not None:
        return {int(c) for c in contexts}
    return {GUILD} if cmd.get("dm_permission") is False else {GUILD, BOT_DM}


def installs_of(cmd: dict[str, Any]) -> set[int]:
    """The installation contexts ``cmd`` supports (guild commands: the guild install)."""
    if cmd.get("guild_id"):
        return {GUILD_INSTALL}
    return {int(t) for t in cmd.get("integration_types") or [GUILD_INSTALL]}


def required_permissions(cmd: dict[str, Any]) -> int | None:
    """``default_member_permissions`` as a bit set; None when anyone may use the command."""
    value = cmd.get("default_member_permissions")
    return None if value is None else int(value)


class App(Protocol):
    """What these rules read of the server (``LocalDiscord``)."""

    guilds: dict[int, Guild]
    bot_user: User
    application_id: int
    installation_contexts: tuple[int, ...]
    user_installs: set[int]
    command_overrides: dict[tuple[int, str], dict[int, bool]]


WHERE = {GUILD: "servers", BOT_DM: "DMs", PRIVATE_CHANNEL: "group DMs and DMs with other users"}
BOT_DM_PERMISSIONS = (
    P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE | P.USE_EXTERNAL_EMOJIS
)
PRIVATE_CHANNEL_PERMISSIONS = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE
MAX_USER_APP_FOLLOWUPS = 5


class NotOffered(AssertionError):
    """The Discord client would not offer this command here; the message says why."""


def context_of(user: User, channel: Channel) -> int:
    """The interaction context of ``channel`` for ``user`` (who must be able to be there)."""
    if channel.guild_id is not None:
        return GUILD
    if channel.recipients:
        if all(other.id != user.id for other in channel.recipients):
            raise AssertionError(f"{user.username} is not in that private channel")
        return PRIVATE_CHANNEL
    if channel.recipient is not None and channel.recipient.id != user.id:
        raise AssertionError(f"{user.username} cannot see the DM between the bot and {channel.recipient.username}")
    return BOT_DM


def bot_in(ld: App, guild: Guild | None) -> bool:
    return guild is not None and ld.bot_user.id in guild.members


def command_authorization(ld: App, cmd: dict[str, Any], user: User, channel: Channel) -> tuple[int, dict[str, str]]:
    """The context and the authorising installs for ``user`` running ``cmd`` in ``channel``;
    ``NotOffered`` when the Discord client would not offer it there."""
    name = f"/{cmd['name']}"
    context = context_of(user, channel)
    if context not in contexts_of(cmd):
        raise NotOffered(f"{name} is not available in {WHERE[context]}")
    guild = ld.guilds.get(channel.guild_id) if channel.guild_id is not None else None
    types = installs_of(cmd)
    owners: dict[str, str] = {}
    if GUILD_INSTALL in types and GUILD_INSTALL in ld.installation_contexts:
        if context == GUILD and guild is not None and bot_in(ld, guild):
            owners["0"] = str(guild.id)
        elif context == BOT_DM:
            owners["0"] = "0"
    if USER_INSTALL in types and user.id in ld.user_installs:
        owners["1"] = str(user.id)
    if not owners:
        raise NotOffered(f"{name} is not installed here ({_why_not(cmd, user, context)})")
    if guild is not None:
        _check_member(guild, channel, user, cmd, ld.command_overrides.get((guild.id, cmd["name"]), {}))
    return context, owners


def _why_not(cmd: dict[str, Any], user: User, context: int) -> str:
    types = installs_of(cmd)
    reasons = []
    if GUILD_INSTALL not in types:
        reasons.append("the command is not for guild installs")
    elif context == GUILD:
        reasons.append("the app is not in this server")
    else:
        reasons.append("a guild install does not reach other people's DMs")
    if USER_INSTALL in types and not cmd.get("guild_id"):
        reasons.append(f"{user.username} has not installed the app")
    else:
        reasons.append("the command is not for user installs")
    return "; ".join(reasons)


def _override(guild: Guild, user: User, overrides: dict[int, bool]) -> bool | None:
    """A server's command permission for ``user``: their own entry, else any of their roles'
    (an allowing role wins), else @everyone's (the guild id); None when none is set."""
    if user.id in overrides:
        return overrides[user.id]
    roles = [overrides[role] for role in guild.members[user.id].roles if role in overrides]
    if roles:
        return any(roles)
    return overrides.get(guild.id)


def _check_member(guild: Guild, channel: Channel, user: User, cmd: dict[str, Any], overrides: dict[int, bool]) -> None:
    name = f"/{cmd['name']}"
    if user.id not in guild.members:
        raise AssertionError(f"{user.username} is not a member of {guild.name}")
    perms = guild.permissions_in(channel, user.id)
    where = f"#{channel.name}"
    if not perms & P.VIEW_CHANNEL:
        raise NotOffered(f"{user.username} cannot see {where}, so cannot run {name} there")
    if not perms & P.USE_APPLICATION_COMMANDS:
        raise NotOffered(f"{user.username} lacks Use Application Commands in {where}")
    if P.base_permissions(guild, user.id) == P.ALL:
        return  # "Members with the Administrator permission can use all commands"
    allowed = _override(guild, user, overrides)
    if allowed is False:
        raise NotOffered(f"{name} is turned off for {user.username} in {guild.name} (command permissions)")
    needed = required_permissions(cmd)
    if allowed or needed is None:
        return
    if needed == 0 or perms & needed != needed:
        raise NotOffered(f"{name} needs default_member_permissions {needed} and {user.username} lacks them in {where}")


def component_authorization(user: User, message: Message) -> tuple[int, dict[str, str]]:
    """A click or select on ``message``: its channel's context, and the owners of the
    interaction it answers (a message the bot sent itself: the guild install)."""
    context = context_of(user, message.channel)
    if message.interaction_owners is not None:
        return context, dict(message.interaction_owners)
    if context == GUILD:
        return context, {"0": str(message.channel.guild_id)}
    return context, {"0": "0"}


def default_owners(context: int, user: User, channel: Channel) -> dict[str, str]:
    if context == GUILD:
        return {"0": str(channel.guild_id)}
    return {"0": "0"} if context == BOT_DM else {"1": str(user.id)}


def installed_where_used(ld: App, it: Interaction) -> bool:
    """The app is installed where the interaction happens: in the server (its bot is a
    member) or in its DM; not when only a user install reaches a server or another DM."""
    if it.context == GUILD:
        return bot_in(ld, it.guild)
    return it.context == BOT_DM


def forces_ephemeral(ld: App, it: Interaction) -> bool:
    if it.context != GUILD or it.guild is None or installed_where_used(ld, it):
        return False
    perms = it.guild.permissions_in(it.channel, it.user.id)
    send = P.SEND_MESSAGES_IN_THREADS if it.channel.type == PUBLIC_THREAD else P.SEND_MESSAGES
    return not (perms & P.USE_EXTERNAL_APPS and perms & send)


def app_permissions(ld: App, it: Interaction) -> int:
    if it.context == GUILD and it.guild is not None:
        who = ld.bot_user.id if bot_in(ld, it.guild) else it.user.id
        return it.guild.permissions_in(it.channel, who)
    return BOT_DM_PERMISSIONS if it.context == BOT_DM else PRIVATE_CHANNEL_PERMISSIONS


def payload(ld: App, it: Interaction) -> dict[str, Any]:
    """The INTERACTION_CREATE payload, as Discord sends it for ``it``'s context."""
    ch = it.channel
    data: dict[str, Any] = {
        "id": str(it.id),
        "application_id": str(ld.application_id),
        "type": it.type,
        "data": it.data,
        "channel_id": str(ch.id),
        "token": it.token,
        "version": 1,
        "locale": it.user.locale,
        "entitlements": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": dict(it.owners),
        "context": it.context,
        "app_permissions": str(app_permissions(ld, it)),
    }
    if it.guild is not None:
        guild = it.guild
        member = guild.members.get(it.user.id)
        if member is None:
            raise AssertionError(f"{it.user.username} is not a member of {guild.name}")
        perms = str(guild.permissions_in(ch, it.user.id))
        data["guild_id"] = str(guild.id)
        data["guild"] = {"id": str(guild.id), "locale": guild.locale, "features": []}
        data["guild_locale"] = guild.locale
        data["member"] = member.to_json() | {"permissions": perms}
        data["channel"] = ch.to_json() | {"permissions": perms}
    else:
        data["user"] = it.user.to_json()
        if ch.type == DM and not ch.recipients:
            data["channel"] = {"id": str(ch.id), "type": DM, "recipients": [it.user.to_json()], "flags": 0}
        else:
            data["channel"] = ch.to_json()
    if it.message is not None:
        data["message"] = it.message.to_json()
    return data
