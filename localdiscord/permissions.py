"""Discord permission bits and the channel permission computation."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localdiscord.state import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
# Lets members' user-installed apps answer in public; "enabled for servers by default"
# (change log, "User-Installed Apps General Availability", 2024-06-27).
USE_EXTERNAL_APPS = 1 << 50

ALL = (1 << 51) - 1
# What @everyone gets in a new server, roughly.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
    | USE_EXTERNAL_APPS
)


def base_permissions(guild: Guild, user_id: int) -> int:
    if user_id == guild.owner_id:
        return ALL
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.roles[guild.id].permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    return ALL if perms & ADMINISTRATOR else perms


def channel_permissions(guild: Guild, channel: Channel, user_id: int) -> int:
    """Discord's algorithm: base, then @everyone, role and member overwrites."""
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR or perms == ALL:
        return ALL
    member = guild.members.get(user_id)
    if member is None:
        return 0
    ow = channel.overwrites
    if guild.id in ow:
        allow, deny = ow[guild.id]
        perms = (perms & ~deny) | allow
    allow_sum = deny_sum = 0
    for role_id in member.roles:
        if role_id in ow:
            allow_sum |= ow[role_id][0]
            deny_sum |= ow[role_id][1]
    perms = (perms & ~deny_sum) | allow_sum
    if user_id in ow:
        allow, deny = ow[user_id]
        perms = (perms & ~deny) | allow
    if not perms & VIEW_CHANNEL:
        return 0
    return perms
