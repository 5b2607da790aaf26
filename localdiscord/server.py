"""LocalDiscord: the server, its state, and helpers to act as Discord users.

``LocalDiscord`` is the one object tests talk to: start and stop, the middleware that
applies Discord's limits, faults, and the messages it keeps. The world it models (users,
servers, installs: ``world``), the user actions (``users``), the gateway, the REST routes
(``rest``, ``commands``) and spec validation live in their own modules."""

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

from localdiscord.commands import CommandRoutes
from localdiscord.gateway import Gateway
from localdiscord.installs import GUILD_INSTALL, USER_INSTALL
from localdiscord.limits import form_errors
from localdiscord.ratelimit import RateLimiter
from localdiscord.rest import ARRIVED, BODY, FILES, DiscordError, Rest, json_response
from localdiscord.spec import DEFAULT_SPEC, SpecValidator, load_validator
from localdiscord.state import DM, Channel, Guild, Interaction, Message, User, iso_now, snowflake
from localdiscord.users import UserActions
from localdiscord.world import BOT_PERMISSIONS, World

__all__ = ["BOT_PERMISSIONS", "Fault", "LocalDiscord", "RequestRecord"]

log = logging.getLogger(__name__)


# Discord de-duplicates `enforce_nonce` sends for "a few minutes" (not documented exactly).
NONCE_WINDOW = 180.0


MAX_FILES = 10  # attachments per message
MAX_FILE_BYTES = 10 * 1024 * 1024  # Discord's upload limit without server boosts (10 MiB)


def check_files(files: dict[str, bytes]) -> None:
    """Discord's attachment limits: at most 10 files a message (400, 50035), none over the
    upload limit (413, 40005)."""
    if len(files) > MAX_FILES:
        problem = (("files",), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_FILES} or fewer in length.")
        raise DiscordError(400, 50035, "Invalid Form Body", form_errors([problem]))
    if any(len(data) > MAX_FILE_BYTES for data in files.values()):
        raise DiscordError(413, 40005, "Request entity too large")


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


class LocalDiscord(World, UserActions):
    """A Discord-compatible server on 127.0.0.1 with in-memory state.

    ``strict`` makes unknown routes, 5xx answers, spec violations and rejected bodies
    *violations*: tests assert there are none (see ``assert_clean``).

    ``installation_contexts`` are the installs the app supports (its portal's "Installation
    Contexts"): both, as new apps have since 2024-06-27; a command registered without
    ``integration_types`` gets these.
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
        installation_contexts: tuple[int, ...] = (GUILD_INSTALL, USER_INSTALL),
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
        self.installation_contexts = installation_contexts
        self.user_installs: set[int] = set()  # users who added the app to their account
        # (guild id, command name) -> {user, role or guild (@everyone) id: allowed}
        self.command_overrides: dict[tuple[int, str], dict[int, bool]] = {}
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
        app.router.add_routes(CommandRoutes(self).routes())
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
            check_files(files)
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
        interaction_owners: dict[str, str] | None = None,
    ) -> Message:
        msg = Message(id=snowflake(), channel=channel, author=author)
        msg.visible_to, msg.interaction_user = visible_to, interaction_user
        msg.interaction_owners = interaction_owners
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
