"""LocalDiscord: the server, its state, and helpers to act as Discord users.

Over 400 lines on purpose: ``LocalDiscord`` is the one object tests talk to (start and
stop, the middleware that applies Discord's limits, faults, state changes that emit
gateway events); the user actions, gateway, REST and spec validation already live in
their own modules."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from localdiscord import permissions as P
from localdiscord.gateway import Gateway
from localdiscord.ratelimit import RateLimiter
from localdiscord.rest import ARRIVED, BODY, FILES, DiscordError, Rest, json_response
from localdiscord.spec import DEFAULT_SPEC, SpecValidator, load_validator
from localdiscord.state import (
    DM,
    PUBLIC_THREAD,
    Channel,
    Guild,
    Interaction,
    Member,
    Message,
    Role,
    User,
    iso_now,
    new_text_channel,
    snowflake,
)
from localdiscord.users import UserActions

log = logging.getLogger(__name__)

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


# Discord de-duplicates `enforce_nonce` sends for "a few minutes" (not documented exactly).
NONCE_WINDOW = 180.0


@dataclass
class Fault:
    """An injected failure: the next ``count`` requests matching ``method`` and ``path``
    (a substring) get ``status`` with Discord's JSON error ``code``, before any handling, or,
    with ``stall``, are handled normally but answered only once ``stall`` is set (a response
    lost in flight, as when the sender dies mid-request)."""

    method: str
    path: str
    count: int = 1
    status: int = 500
    code: int = 0
    message: str = "500: Internal Server Error"
    stall: asyncio.Event | None = None
    hits: int = 0

    def matches(self, request: web.Request) -> bool:
        return self.count > 0 and request.method == self.method and self.path in request.path


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    at: float
    body: Any = None


class LocalDiscord(UserActions):
    """A Discord-compatible server on 127.0.0.1 with in-memory state.

    ``strict`` makes unknown routes, 5xx answers, spec violations and rejected bodies
    *violations*: tests assert there are none (see ``assert_clean``).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        spec_path: Path | str | None = DEFAULT_SPEC,
        global_rate: int = 50,
        strict: bool = True,
        recommended_shards: int = 1,
        nonce_window: float = NONCE_WINDOW,
    ) -> None:
        self.token = token or f"local.{secrets.token_urlsafe(24)}"
        self.strict = strict
        self.nonce_window = nonce_window
        self.faults: list[Fault] = []
        self.recommended_shards = recommended_shards
        self.validator: SpecValidator | None = load_validator(str(spec_path)) if spec_path else None
        self.ratelimits = RateLimiter(global_per_second=global_rate)
        self.owner = User(snowflake(), "owner")
        self.bot_user = User(snowflake(), "StudyBot", bot=True)
        self.application_id = self.bot_user.id
        self.users: dict[int, User] = {self.owner.id: self.owner, self.bot_user.id: self.bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.command_syncs: list[tuple[int | None, float]] = []
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        self.requests: list[RequestRecord] = []
        self.violations: list[str] = []
        self.invalid_requests = 0
        self.expired_interactions = 0
        self.gateway = Gateway(self)
        self.rest = Rest(self)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._inflight = 0
        self.first_dm_at: float | None = None
        self.last_dm_at: float | None = None

    # ------------------------------------------------------------ lifecycle

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0, *, control: bool = False) -> LocalDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=26 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_routes(self.rest.routes())
        if control:
            from localdiscord.control import Control

            app.router.add_routes(Control(self).routes())
        app.router.add_route("*", "/{tail:.*}", self._unknown, name="unknown")
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        for s in self.gateway.sessions.values():
            if s.ws is not None:
                with contextlib.suppress(Exception):
                    await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def inject(self, method: str, path: str, **kw: Any) -> Fault:
        """Make matching requests fail (see ``Fault``); returns it, to count its hits."""
        fault = Fault(method, path, **kw)
        self.faults.append(fault)
        return fault

    def violation(self, text: str) -> None:
        log.warning("local discord violation: %s", text)
        self.violations.append(text)

    def assert_clean(self) -> None:
        if self.violations:
            raise AssertionError("Discord API violations:\n  " + "\n  ".join(self.violations))

    async def settle(self, quiet: float = 0.05, timeout: float = 5.0) -> None:
        """Wait until no request has been in flight for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        last = len(self.requests)
        while time.monotonic() < deadline:
            await asyncio.sleep(quiet)
            if self._inflight == 0 and len(self.requests) == last:
                return
            last = len(self.requests)

    # ------------------------------------------------------------ middleware

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway" or request.path.startswith("/_control/"):
            return await handler(request)
        self._inflight += 1
        request[ARRIVED] = time.monotonic()
        status = 500
        body: Any = None
        try:
            try:
                body = await self._read_body(request)
                request[BODY] = body
                self._authorize(request)
                self._global_limit(request)
                if request.match_info.route.name != "unknown":
                    self._validate(request, body)
                fault = next((f for f in self.faults if f.matches(request)), None)
                if fault is not None:
                    fault.count, fault.hits = fault.count - 1, fault.hits + 1
                    if fault.stall is None:
                        status = fault.status
                        return json_response({"message": fault.message, "code": fault.code}, status=fault.status)
                response = await handler(request)
                if fault is not None and fault.stall is not None:
                    await fault.stall.wait()
            except DiscordError as exc:
                if exc.status in (401, 403, 429):
                    self.invalid_requests += 1
                if exc.status == 400 and self.strict:
                    self.violation(f"{request.method} {request.path}: rejected: {json.dumps(exc.body())[:500]}")
                response = json_response(exc.body(), status=exc.status, headers=exc.headers)
            status = response.status
            return response
        except web.HTTPException:
            raise
        except Exception as exc:
            log.exception("local discord handler failed")
            self.violation(f"{request.method} {request.path}: server error {exc!r}")
            return json_response({"message": "500: Internal Server Error", "code": 0}, status=500)
        finally:
            self._inflight -= 1
            self.requests.append(RequestRecord(request.method, request.path, status, time.monotonic(), body))

    async def _read_body(self, request: web.Request) -> Any:
        if request.method in ("GET", "DELETE") or not request.body_exists:
            return None
        if request.content_type == "multipart/form-data":
            files: dict[str, bytes] = {}
            payload: Any = {}
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read()  # type: ignore[union-attr]
                    files[part.filename or part.name or "file"] = bytes(data)  # type: ignore[union-attr]
            request[FILES] = files
            return payload
        text = await request.text()
        if request.content_type != "application/json":
            raise DiscordError(400, 50109, "The request body contains invalid JSON.")
        try:
            return json.loads(text)
        except ValueError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None

    def _exempt(self, request: web.Request) -> bool:
        p = request.path
        return p.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))

    def _authorize(self, request: web.Request) -> None:
        if self._exempt(request) or request.path in ("/api/v10/gateway",):
            return
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise DiscordError(401, 0, "401: Unauthorized")

    def _global_limit(self, request: web.Request) -> None:
        if self._exempt(request):
            return
        wait = self.ratelimits.global_window.try_take()
        if wait:
            self.ratelimits.count_429 += 1
            self.ratelimits.count_429_global += 1
            raise DiscordError(
                429,
                0,
                "You are being rate limited.",
                {"retry_after": round(wait, 3), "global": True},
                headers={
                    "Retry-After": str(max(1, round(wait))),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                    "Via": "1.1 google",
                },
            )

    def _validate(self, request: web.Request, body: Any) -> None:
        if self.validator is None:
            return
        problems = self.validator.validate(request.method, request.path.removeprefix("/api/v10"), body)
        for p in problems:
            self.violation(f"spec: {p}")
        if problems:
            raise DiscordError(400, 50035, "Invalid Form Body", {"errors": {"_spec": [str(p) for p in problems]}})

    async def _unknown(self, request: web.Request) -> web.Response:
        self.violation(f"unknown route {request.method} {request.path}")
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    # ------------------------------------------------------------ state changes

    def add_message(
        self,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        files: dict[str, bytes],
        *,
        visible_to: int | None = None,
        interaction_user: User | None = None,
    ) -> Message:
        msg = Message(id=snowflake(), channel=channel, author=author)
        msg.visible_to, msg.interaction_user = visible_to, interaction_user
        msg.nonce = None if body.get("nonce") is None else str(body["nonce"])
        self._apply(msg, body, files)
        msg.edited = None
        channel.messages[msg.id] = msg
        if channel.type == DM and interaction_user is None:
            now = time.monotonic()
            self.first_dm_at = self.first_dm_at or now
            self.last_dm_at = now
        return msg

    def edit_message(self, msg: Message, body: dict[str, Any], files: dict[str, bytes]) -> None:
        self._apply(msg, body, files)

    def _apply(self, msg: Message, body: dict[str, Any], files: dict[str, bytes]) -> None:
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = body["embeds"] or []
        if "components" in body:
            msg.components = body["components"] or []
        if "flags" in body and body["flags"] is not None:
            msg.flags = (msg.flags & 64) | int(body["flags"])
        if files or "attachments" in body:
            kept = {a.get("id") for a in body.get("attachments") or [] if "filename" not in a}
            atts = [a for a in msg.attachments if a["id"] in kept]
            for i, (name, data) in enumerate(files.items()):
                aid = str(snowflake())
                atts.append(
                    {
                        "id": aid,
                        "filename": name,
                        "size": len(data),
                        "url": f"http://127.0.0.1:{self.port}/attachments/{aid}/{name}",
                        "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{aid}/{name}",
                        "content_type": "image/png" if name.endswith(".png") else "application/octet-stream",
                    }
                )
                msg.files[name] = data
                _ = i
            msg.attachments = atts
        msg.edited = iso_now()

    def create_user(self, name: str, *, dms_open: bool = True) -> User:
        user = User(snowflake(), name, dms_open=dms_open)
        self.users[user.id] = user
        return user

    def dm_channel(self, user: User) -> Channel:
        ch = self.dm_channels.get(user.id)
        if ch is None:
            ch = Channel(id=snowflake(), type=DM, recipient=user)
            self.dm_channels[user.id] = ch
            self.channels[ch.id] = ch
        return ch

    async def create_guild(
        self,
        name: str,
        owner: User | None = None,
        *,
        bot_permissions: int = BOT_PERMISSIONS,
        channels: tuple[str, ...] = ("general",),
    ) -> Guild:
        owner = owner or self.owner
        guild = Guild(id=snowflake(), name=name, owner_id=owner.id)
        guild.add_role(Role(guild.id, "@everyone", P.DEFAULT_EVERYONE))
        bot_role = guild.add_role(Role(snowflake(), "StudyBot", bot_permissions, position=1))
        guild.members[owner.id] = Member(owner)
        guild.members[self.bot_user.id] = Member(self.bot_user, roles=[bot_role.id])
        for i, cname in enumerate(channels):
            ch = new_text_channel(guild.id, cname, i)
            guild.channels[ch.id] = ch
            self.channels[ch.id] = ch
        self.guilds[guild.id] = guild
        await self.gateway.dispatch("GUILD_CREATE", guild.to_json(), guild.id)
        return guild

    def bot_role(self, guild: Guild) -> Role:
        return next(r for r in guild.roles.values() if r.name == "StudyBot")

    async def add_member(self, guild: Guild, user: User, *, permissions: int = 0) -> Member:
        roles = []
        if permissions:
            roles.append(guild.add_role(Role(snowflake(), f"role-{user.username}", permissions)).id)
        member = Member(user, roles=roles)
        guild.members[user.id] = member
        await self.gateway.dispatch("GUILD_MEMBER_ADD", member.to_json() | {"guild_id": str(guild.id)}, guild.id)
        return member

    async def create_channel(self, guild: Guild, name: str, *, thread_of: Channel | None = None) -> Channel:
        ch = new_text_channel(guild.id, name, len(guild.channels))
        if thread_of is not None:
            ch.type, ch.parent_id, ch.owner_id = PUBLIC_THREAD, thread_of.id, guild.owner_id
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        event = "THREAD_CREATE" if thread_of else "CHANNEL_CREATE"
        await self.gateway.dispatch(event, ch.to_json(), guild.id)
        return ch

    async def set_overwrite(self, channel: Channel, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        channel.overwrites[target_id] = (allow, deny)
        await self.gateway.dispatch("CHANNEL_UPDATE", channel.to_json(), channel.guild_id)

    async def delete_channel(self, channel: Channel) -> None:
        channel.deleted = True
        await self.gateway.dispatch("CHANNEL_DELETE", channel.to_json(), channel.guild_id)

    async def remove_bot(self, guild: Guild) -> None:
        guild.members.pop(self.bot_user.id, None)
        await self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild.id)

    async def set_bot_permissions(self, guild: Guild, permissions: int) -> None:
        role = self.bot_role(guild)
        role.permissions = permissions
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.to_json()}, guild.id)

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
