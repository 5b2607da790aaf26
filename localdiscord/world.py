"""The world the bot lives in: users, servers, channels, installs, and what tests ask of it.

Every change sends the gateway events Discord would send the bot, and only those: nothing
about a server the bot is not in (``create_guild(..., bot_member=False)``), nothing about
private channels between users, nothing about user installs (Discord sends no event when
a user adds an app to their account)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localdiscord import permissions as P
from localdiscord.installs import USER_INSTALL
from localdiscord.state import (
    DM,
    GROUP_DM,
    PUBLIC_THREAD,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    new_text_channel,
    snowflake,
)

if TYPE_CHECKING:
    from localdiscord.gateway import Gateway
    from localdiscord.server import RequestRecord

# What the bot's own role gets unless a test says otherwise.
BOT_PERMISSIONS = (
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.SEND_MESSAGES_IN_THREADS
    | P.USE_APPLICATION_COMMANDS
)
BOT_ROLE = "StudyBot"


class World:
    """Mixin for LocalDiscord: state changes that emit gateway events, and queries for tests."""

    # Provided by LocalDiscord.
    owner: User
    bot_user: User
    users: dict[int, User]
    guilds: dict[int, Guild]
    channels: dict[int, Channel]
    dm_channels: dict[int, Channel]
    installation_contexts: tuple[int, ...]
    user_installs: set[int]
    command_overrides: dict[tuple[int, str], dict[int, bool]]
    requests: list[RequestRecord]
    gateway: Gateway

    def create_user(self, name: str, *, dms_open: bool = True, locale: str = "en-US") -> User:
        """A Discord user; ``locale`` is their client's language (sent as the interaction's ``locale``)."""
        user = User(snowflake(), name, dms_open=dms_open, locale=locale)
        self.users[user.id] = user
        return user

    def dm_channel(self, user: User) -> Channel:
        """The DM between ``user`` and the bot."""
        ch = self.dm_channels.get(user.id)
        if ch is None:
            ch = Channel(id=snowflake(), type=DM, recipient=user)
            self.dm_channels[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    def private_channel(self, *users: User, name: str | None = None) -> Channel:
        """A DM between two users, or a group DM of three or more: the bot is not in it, so
        only a user install reaches it (interaction context PRIVATE_CHANNEL)."""
        if len(users) < 2:
            raise ValueError("a private channel needs at least two users")
        kind = DM if len(users) == 2 else GROUP_DM
        ch = Channel(id=snowflake(), type=kind, name=name, recipients=list(users), owner_id=users[0].id)
        self.channels[ch.id] = ch
        return ch

    def install_for_user(self, user: User) -> None:
        """``user`` adds the app to their account ("my apps"): its user-install commands
        follow them into servers without the bot and into other DMs."""
        if USER_INSTALL not in self.installation_contexts:
            raise AssertionError("the app does not support user installs (installation_contexts)")
        self.user_installs.add(user.id)

    def uninstall_for_user(self, user: User) -> None:
        self.user_installs.discard(user.id)

    def set_command_permission(self, guild: Guild, command: str, target_id: int, allowed: bool | None) -> None:
        """What a server admin sets in Server Settings > Integrations for ``/command``: allow
        or deny a user, a role, or everyone (``guild.id``); ``None`` removes the entry. An
        allow lets a member use a command whose ``default_member_permissions`` they lack."""
        entries = self.command_overrides.setdefault((guild.id, command), {})
        if allowed is None:
            entries.pop(target_id, None)
        else:
            entries[target_id] = allowed

    async def create_guild(
        self,
        name: str,
        owner: User | None = None,
        *,
        bot_permissions: int = BOT_PERMISSIONS,
        channels: tuple[str, ...] = ("general",),
        bot_member: bool = True,
    ) -> Guild:
        """A server; with ``bot_member=False`` the app is not installed there: the bot gets no
        GUILD_CREATE and its requests on the server answer 403 Missing Access."""
        owner = owner or self.owner
        guild = Guild(id=snowflake(), name=name, owner_id=owner.id)
        guild.add_role(Role(guild.id, "@everyone", P.DEFAULT_EVERYONE))
        guild.members[owner.id] = Member(owner)
        for i, cname in enumerate(channels):
            ch = new_text_channel(guild.id, cname, i)
            guild.channels[ch.id] = ch
            self.channels[ch.id] = ch
        self.guilds[guild.id] = guild
        if bot_member:
            await self.add_bot(guild, permissions=bot_permissions)
        return guild

    async def add_bot(self, guild: Guild, *, permissions: int = BOT_PERMISSIONS) -> None:
        """Install the app to ``guild`` (the bot joins): GUILD_CREATE."""
        role = next((r for r in guild.roles.values() if r.name == BOT_ROLE), None)
        if role is None:
            role = guild.add_role(Role(snowflake(), BOT_ROLE, permissions, position=1))
        guild.members[self.bot_user.id] = Member(self.bot_user, roles=[role.id])
        await self.gateway.dispatch("GUILD_CREATE", guild.to_json(), guild.id)

    def bot_role(self, guild: Guild) -> Role:
        role = next((r for r in guild.roles.values() if r.name == BOT_ROLE), None)
        if role is None:
            raise AssertionError(f"the bot was never in {guild.name}")
        return role

    async def _guild_event(self, event: str, data: dict[str, Any], guild: Guild | None) -> None:
        """Only servers the bot is in send it events."""
        if guild is not None and self.bot_user.id in guild.members:
            await self.gateway.dispatch(event, data, guild.id)

    async def add_member(self, guild: Guild, user: User, *, permissions: int = 0) -> Member:
        roles = []
        if permissions:
            roles.append(guild.add_role(Role(snowflake(), f"role-{user.username}", permissions)).id)
        member = Member(user, roles=roles)
        guild.members[user.id] = member
        await self._guild_event("GUILD_MEMBER_ADD", member.to_json() | {"guild_id": str(guild.id)}, guild)
        return member

    async def create_channel(self, guild: Guild, name: str, *, thread_of: Channel | None = None) -> Channel:
        ch = new_text_channel(guild.id, name, len(guild.channels))
        if thread_of is not None:
            ch.type, ch.parent_id, ch.owner_id = PUBLIC_THREAD, thread_of.id, guild.owner_id
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        event = "THREAD_CREATE" if thread_of else "CHANNEL_CREATE"
        await self._guild_event(event, ch.to_json(), guild)
        return ch

    async def set_overwrite(self, channel: Channel, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        channel.overwrites[target_id] = (allow, deny)
        await self._guild_event("CHANNEL_UPDATE", channel.to_json(), self._guild_of(channel))

    async def delete_channel(self, channel: Channel) -> None:
        channel.deleted = True
        await self._guild_event("CHANNEL_DELETE", channel.to_json(), self._guild_of(channel))

    def _guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    async def remove_bot(self, guild: Guild) -> None:
        guild.members.pop(self.bot_user.id, None)
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id)

    async def set_bot_permissions(self, guild: Guild, permissions: int) -> None:
        role = self.bot_role(guild)
        role.permissions = permissions
        await self._guild_event("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.to_json()}, guild)

    # ------------------------------------------------------------ queries for tests

    def messages_in(self, channel: Channel, *, viewer: User | None = None) -> list[Message]:
        return [
            m
            for m in channel.messages.values()
            if not m.deleted and (m.visible_to is None or (viewer is not None and m.visible_to == viewer.id))
        ]

    def dms_to(self, user: User, *, with_interactions: bool = False) -> list[Message]:
        """Messages the bot sent to ``user``'s DM channel; by default not the answers to the
        user's own commands there."""
        ch = self.dm_channels.get(user.id)
        if ch is None:
            return []
        return [m for m in ch.messages.values() if not m.deleted and (with_interactions or m.interaction_user is None)]

    def count_requests(self, method: str | None = None, contains: str = "") -> int:
        return sum(1 for r in self.requests if (method is None or r.method == method) and contains in r.path)

    def channel_requests(self, channel: Channel, method: str | None = None) -> list[RequestRecord]:
        """Every bot request on ``/channels/{channel.id}`` and below (its messages), recorded
        whatever the answer (a 403 too); the interaction endpoints are not channel requests."""
        prefix = f"/api/v10/channels/{channel.id}"
        return [
            r
            for r in self.requests
            if (r.path == prefix or r.path.startswith(prefix + "/")) and (method is None or r.method == method)
        ]
