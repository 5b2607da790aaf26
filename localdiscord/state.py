"""In-memory Discord state and its JSON shapes."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from localdiscord import permissions as P

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count()


def snowflake() -> int:
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    dms_open: bool = True
    # The language the user's client is set to; sent as the interaction's ``locale``.
    locale: str = "en-US"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.username,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user.to_json(),
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
        }


# Channel types
GUILD_TEXT = 0
DM = 1
GROUP_DM = 3
PUBLIC_THREAD = 11


@dataclass
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    recipient: User | None = None  # DMs with the bot: the user
    # DMs and group DMs between users (the bot is never in them): everyone in it.
    recipients: list[User] = field(default_factory=list)
    # role or member id -> (allow, deny)
    overwrites: dict[int, tuple[int, int]] = field(default_factory=dict)
    parent_id: int | None = None
    owner_id: int | None = None  # threads: who started it
    position: int = 0
    deleted: bool = False
    messages: dict[int, Message] = field(default_factory=dict)
    # Per-channel message rate limit window: timestamps of recent sends.
    recent_sends: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "flags": 0}
        if self.type == DM and self.recipient is not None:
            data["recipients"] = [self.recipient.to_json()]
            data["last_message_id"] = None
            return data
        if self.type in (DM, GROUP_DM):
            data["recipients"] = [u.to_json() for u in self.recipients]
            data["last_message_id"] = None
            if self.type == GROUP_DM:
                data.update(name=self.name, icon=None, owner_id=str(self.owner_id or self.recipients[0].id))
            return data
        data.update(
            name=self.name,
            guild_id=str(self.guild_id),
            position=self.position,
            permission_overwrites=[
                {"id": str(k), "type": 0 if k in _role_ids else 1, "allow": str(a), "deny": str(d)}
                for k, (a, d) in self.overwrites.items()
            ],
            nsfw=False,
            topic=None,
            last_message_id=None,
            rate_limit_per_user=0,
            parent_id=str(self.parent_id) if self.parent_id else None,
        )
        if self.type == PUBLIC_THREAD:
            data.update(
                owner_id=str(self.owner_id or 0),
                message_count=len(self.messages),
                member_count=1,
                total_message_sent=len(self.messages),
            )
            data["thread_metadata"] = {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso_now(),
                "locked": False,
            }
        return data


# Role ids are remembered globally so overwrites can say whether an id is a role.
_role_ids: set[int] = set()


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    locale: str = "en-US"

    def add_role(self, role: Role) -> Role:
        self.roles[role.id] = role
        _role_ids.add(role.id)
        return role

    def permissions_in(self, channel: Channel, user_id: int) -> int:
        return P.channel_permissions(self, channel, user_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_json() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": self.locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "joined_at": iso_now(),
            "members": [m.to_json() for m in self.members.values()],
            "channels": [c.to_json() for c in self.channels.values() if c.type != PUBLIC_THREAD and not c.deleted],
            "threads": [c.to_json() for c in self.channels.values() if c.type == PUBLIC_THREAD and not c.deleted],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class Message:
    id: int
    channel: Channel
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    # Only this user sees it (ephemeral interaction responses).
    visible_to: int | None = None
    interaction_user: User | None = None
    # The authorizing_integration_owners of the interaction this message answers.
    interaction_owners: dict[str, str] | None = None
    nonce: str | None = None
    edited: str | None = None
    created: str = field(default_factory=iso_now)
    created_mono: float = field(default_factory=time.monotonic)
    files: dict[str, bytes] = field(default_factory=dict)
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel.id),
            "author": self.author.to_json(),
            "content": self.content,
            "timestamp": self.created,
            "edited_timestamp": self.edited,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": False,
            "type": 0 if self.interaction_user is None else 20,
            "flags": self.flags,
        }
        if self.channel.guild_id is not None:
            data["guild_id"] = str(self.channel.guild_id)
        if self.nonce is not None:
            data["nonce"] = self.nonce
        if self.interaction_user is not None:
            data["interaction_metadata"] = {
                "id": str(snowflake()),
                "type": 2,
                "user": self.interaction_user.to_json(),
                "authorizing_integration_owners": dict(self.interaction_owners or {}),
            }
        return data


@dataclass
class Interaction:
    id: int
    token: str
    type: int
    user: User
    channel: Channel
    guild: Guild | None
    data: dict[str, Any]
    message: Message | None = None
    # Interaction context type (0 GUILD, 1 BOT_DM, 2 PRIVATE_CHANNEL) and the installs
    # that authorised it ("0" guild install, "1" user install), as Discord sends them.
    context: int = 1
    owners: dict[str, str] = field(default_factory=dict)
    # Discord makes every answer ephemeral (see ``installs.forces_ephemeral``).
    forced_ephemeral: bool = False
    created: float = field(default_factory=time.monotonic)
    acknowledged: bool = False
    callback_type: int | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    autocomplete_choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    modal_closed: bool = False  # submitted and acknowledged: the client closed it
    followup_posts: int = 0  # requests to the Create Followup Message endpoint
    # Set when the bot's answer is complete (a non-deferred callback, or the edit or
    # followup that completes a deferred one).
    done: asyncio.Event = field(default_factory=asyncio.Event)
    acked_at: float | None = None
    dispatched_at: float | None = None  # the INTERACTION_CREATE left the server
    callback_arrived_at: float | None = None  # the bot's callback request arrived

    @property
    def user_install_only(self) -> bool:
        """Authorised by the user's install alone: the app is not installed where it is used."""
        return "0" not in self.owners

    @property
    def deferred(self) -> bool:
        return self.callback_type in (5, 6)

    @property
    def reply(self) -> Message | None:
        """The latest message the bot sent in answer (a followup, or the original response)."""
        if self.followups:
            return self.followups[-1]
        if self.original is not None and self.original is not self.message:
            return self.original
        return None


def new_text_channel(guild_id: int, name: str, position: int = 0) -> Channel:
    return Channel(id=snowflake(), type=GUILD_TEXT, name=name, guild_id=guild_id, position=position)
