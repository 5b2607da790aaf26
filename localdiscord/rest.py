"""REST routes under /api/v10: the surface the bot uses, with Discord's errors.

Over 400 lines on purpose: one class holds the channel, message and interaction routes so
that the route table, the shared checks (access, permissions, rate-limit buckets, body
limits) and Discord's error shapes read in one place; the application command routes live
in ``commands``, the rules of installs and contexts in ``installs``.

Where the app is not installed (a server without its bot, other people's DMs), every bot
request on those channels answers 403 Missing Access (50001), as do guild routes; the
interaction endpoints (callback, follow-ups and their messages) work whatever the bot's
membership, with Discord's limits for user-installed apps (see ``installs``)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord import installs, limits
from localdiscord import permissions as P
from localdiscord.state import DM, PUBLIC_THREAD, Channel, Interaction, Message

BODY: web.RequestKey[Any] = web.RequestKey("body", object)
ARRIVED: web.RequestKey[float] = web.RequestKey("arrived", float)
FILES: web.RequestKey[dict[str, bytes]] = web.RequestKey("files", dict)

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60
# The callback types each interaction type may answer with (receiving-and-responding,
# "Interaction Callback Type": 6 and 7 for components, and modal submits from one; no
# modal for a modal submit; 8 only for autocomplete).
CALLBACKS: dict[int, tuple[int, ...]] = {1: (1,), 2: (4, 5, 9), 3: (4, 5, 6, 7, 9), 4: (8,), 5: (4, 5, 6, 7)}


class DiscordError(Exception):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.extra, self.headers = extra or {}, headers or {}

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, **self.extra}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py requires exactly "application/json" (no charset).
    h = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=h)


def no_content() -> web.Response:
    return web.Response(status=204)


def check_body(body: dict[str, Any], at: tuple[str, ...] = ()) -> None:
    """Discord's limits; ``at`` is where the body sits in the request (an interaction
    callback's message is its ``data``, and Discord's errors say so)."""
    invalid(limits.check_message(body), at)


def invalid(problems: list[limits.Problem], at: tuple[str, ...] = ()) -> None:
    if problems:
        placed = [((*at, *path), code, text) for path, code, text in problems]
        raise DiscordError(400, 50035, "Invalid Form Body", limits.form_errors(placed))


class Rest:
    def __init__(self, ld: LocalDiscord) -> None:
        self.ld = ld

    def routes(self) -> list[web.RouteDef]:
        r = "/api/v10"
        return [
            web.get(f"{r}/users/@me", self.me),
            web.get(f"{r}/oauth2/applications/@me", self.application),
            web.get(f"{r}/applications/@me", self.application),
            web.get(f"{r}/gateway", self.gateway),
            web.get(f"{r}/gateway/bot", self.gateway_bot),
            web.post(f"{r}/users/@me/channels", self.create_dm),
            web.get(f"{r}/channels/{{channel}}", self.get_channel),
            web.post(f"{r}/channels/{{channel}}/messages", self.create_message),
            web.get(f"{r}/channels/{{channel}}/messages/{{message}}", self.get_message),
            web.patch(f"{r}/channels/{{channel}}/messages/{{message}}", self.edit_message),
            web.delete(f"{r}/channels/{{channel}}/messages/{{message}}", self.delete_message),
            web.get(f"{r}/guilds/{{guild}}/members/{{user}}", self.get_member),
            web.post(f"{r}/interactions/{{id}}/{{token}}/callback", self.callback),
            web.post(f"{r}/webhooks/{{app}}/{{token}}", self.followup),
            web.get(f"{r}/webhooks/{{app}}/{{token}}/messages/{{message}}", self.get_webhook_message),
            web.patch(f"{r}/webhooks/{{app}}/{{token}}/messages/{{message}}", self.edit_webhook_message),
            web.delete(f"{r}/webhooks/{{app}}/{{token}}/messages/{{message}}", self.delete_webhook_message),
        ]

    # ------------------------------------------------------------ identity

    async def me(self, request: web.Request) -> web.Response:
        return json_response(self.ld.bot_user.to_json() | {"verified": True, "mfa_enabled": False, "flags": 0})

    async def application(self, request: web.Request) -> web.Response:
        ld = self.ld
        return json_response(
            {
                "id": str(ld.application_id),
                "name": ld.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": ld.owner.to_json(),
                "team": None,
                "rpc_origins": [],
                "bot": ld.bot_user.to_json(),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "integration_types_config": {
                    str(kind): {
                        "oauth2_install_params": {
                            "scopes": ["applications.commands", "bot"] if kind == 0 else ["applications.commands"],
                            "permissions": "0",
                        }
                    }
                    for kind in ld.installation_contexts
                },
            }
        )

    async def gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": f"ws://{request.host}/gateway"})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": f"ws://{request.host}/gateway",
                "shards": self.ld.recommended_shards,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    # ------------------------------------------------------------ channels & messages

    async def create_dm(self, request: web.Request) -> web.Response:
        uid = int(request[BODY]["recipient_id"])
        user = self.ld.users.get(uid)
        if user is None:
            raise DiscordError(400, 50033, "Invalid Recipient(s)")
        return json_response(self.ld.dm_channel(user).to_json())

    def _channel(self, request: web.Request) -> Channel:
        ch = self.ld.channels.get(int(request.match_info["channel"]))
        if ch is None or ch.deleted:
            raise DiscordError(404, 10003, "Unknown Channel")
        if ch.recipients:  # a DM or group DM between users: the bot is not in it
            raise DiscordError(403, 50001, "Missing Access")
        if ch.guild_id is not None:
            guild = self.ld.guilds.get(ch.guild_id)
            if guild is None or self.ld.bot_user.id not in guild.members:
                raise DiscordError(403, 50001, "Missing Access")
            if not guild.permissions_in(ch, self.ld.bot_user.id) & P.VIEW_CHANNEL:
                raise DiscordError(403, 50001, "Missing Access")
        return ch

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).to_json())

    def _channel_bucket(self, ch: Channel) -> dict[str, str]:
        bucket = self.ld.ratelimits.bucket(f"messages:{ch.id}")
        wait = bucket.try_take()
        if wait:
            self.ld.ratelimits.count_429 += 1
            raise DiscordError(
                429,
                0,
                "You are being rate limited.",
                {"retry_after": round(wait, 3), "global": False},
                headers={
                    "Retry-After": str(max(1, round(wait))),
                    "Via": "1.1 google",
                    "X-RateLimit-Scope": "user",
                    **self._bucket_headers(ch),
                },
            )
        return self._bucket_headers(ch)

    def _bucket_headers(self, ch: Channel) -> dict[str, str]:
        b = self.ld.ratelimits.bucket(f"messages:{ch.id}")
        reset_after = b.reset_after()
        return {
            "X-RateLimit-Limit": str(b.limit),
            "X-RateLimit-Remaining": str(b.remaining()),
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Bucket": "channel-messages",
        }

    async def create_message(self, request: web.Request) -> web.Response:
        ld = self.ld
        ch = self._channel(request)
        body = request[BODY]
        if ch.type == DM:
            assert ch.recipient is not None
            if not ch.recipient.dms_open:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        else:
            guild = ld.guilds[ch.guild_id]  # type: ignore[index]
            perms = guild.permissions_in(ch, ld.bot_user.id)
            need = P.SEND_MESSAGES_IN_THREADS if ch.type == PUBLIC_THREAD else P.SEND_MESSAGES
            if not perms & need or (body.get("embeds") and not perms & P.EMBED_LINKS):
                raise DiscordError(403, 50013, "Missing Permissions")
        check_body(body)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord remembers a nonce for a few minutes only: a later repeat is a new message.
            remembered = time.monotonic() - ld.nonce_window
            for m in ch.messages.values():
                if m.nonce == str(nonce) and m.author.id == ld.bot_user.id and m.created_mono >= remembered:
                    return json_response(m.to_json())
        headers = self._channel_bucket(ch)
        msg = ld.add_message(ch, ld.bot_user, body, request.get(FILES) or {})
        return json_response(msg.to_json(), headers=headers)

    def _message(self, ch: Channel, request: web.Request) -> Message:
        m = ch.messages.get(int(request.match_info["message"]))
        if m is None or m.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return m

    async def get_message(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        return json_response(self._message(ch, request).to_json())

    async def edit_message(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        m = self._message(ch, request)
        if m.author.id != self.ld.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self.ld.edit_message(m, request[BODY], request.get(FILES) or {})
        return json_response(m.to_json())

    async def delete_message(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        self._message(ch, request).deleted = True
        return no_content()

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.ld.guilds.get(int(request.match_info["guild"]))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        if self.ld.bot_user.id not in guild.members:
            raise DiscordError(403, 50001, "Missing Access")
        member = guild.members.get(int(request.match_info["user"]))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(member.to_json())

    # ------------------------------------------------------------ interactions

    def _interaction(self, request: web.Request) -> Interaction:
        it = self.ld.interactions.get(int(request.match_info["id"]))
        if it is None or it.token != request.match_info["token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        return it

    async def callback(self, request: web.Request) -> web.Response:
        it = self._interaction(request)
        it.callback_arrived_at = it.callback_arrived_at or request.get(ARRIVED)
        body = request[BODY]
        if it.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - it.created > INTERACTION_DEADLINE:
            self.ld.expired_interactions += 1
            raise DiscordError(404, 10062, "Unknown interaction")
        kind, data = body.get("type"), body.get("data") or {}
        ld = self.ld
        message: Message | None = None
        allowed = CALLBACKS.get(it.type, ())
        if kind in (1, 4, 5, 6, 7, 8, 9) and kind not in allowed:
            valid = ", ".join(str(k) for k in allowed)
            invalid([(("type",), "BASE_TYPE_CHOICES", f"Value must be one of ({valid}).")])
        if kind == 4:
            check_body(data, ("data",))
            message = self._answer(it, data, request.get(FILES) or {})
            it.original = message
        elif kind == 5:
            message = self._answer(it, {"content": "", "flags": (data.get("flags") or 0) | 128}, {})
            it.original = message
        elif kind in (6, 7):
            if it.message is None:
                raise DiscordError(400, 40004, "Interaction has no message to update")
            if kind == 7:
                check_body(data, ("data",))
                ld.edit_message(it.message, data, request.get(FILES) or {})
            message = it.message
            it.original = message
        elif kind == 8:
            choices = data.get("choices") or []
            invalid(limits.check_autocomplete(choices), ("data",))
            it.autocomplete_choices = choices
        elif kind == 9:
            invalid(limits.check_modal(data), ("data",))
            it.modal = data
        elif kind != 1:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                limits.form_errors([(("type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 4, 5, 6, 7, 8, 9).")]),
            )
        it.acknowledged, it.callback_type, it.acked_at = True, kind, time.monotonic()
        if kind not in (5, 6):
            it.done.set()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            resource["message"] = message.to_json()
        inter = {
            "id": str(it.id),
            "type": it.type,
            "activity_instance_id": None,
            "response_message_id": str(message.id) if message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message.ephemeral),
        }
        return json_response({"interaction": inter, "resource": resource})

    def _answer(self, it: Interaction, body: dict[str, Any], files: dict[str, bytes]) -> Message:
        """A new message answering ``it``: ephemeral when asked, or when Discord forces it."""
        flags = body.get("flags") or 0
        if it.forced_ephemeral:
            flags |= 64
        return self.ld.add_message(
            it.channel,
            self.ld.bot_user,
            body | {"flags": flags},
            files,
            visible_to=it.user.id if flags & 64 else None,
            interaction_user=it.user,
            interaction_owners=dict(it.owners),
        )

    def _webhook_interaction(self, request: web.Request) -> Interaction:
        if request.match_info["app"] != str(self.ld.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        it = self.ld.interactions_by_token.get(request.match_info["token"])
        if it is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if time.monotonic() - it.created > TOKEN_LIFETIME:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        if not it.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return it

    async def followup(self, request: web.Request) -> web.Response:
        it = self._webhook_interaction(request)
        body = request[BODY]
        check_body(body)
        if it.followup_posts >= installs.MAX_USER_APP_FOLLOWUPS and not installs.installed_where_used(self.ld, it):
            raise DiscordError(400, 40094, "This interaction has hit the maximum number of follow up messages")
        it.followup_posts += 1
        if it.original is not None and it.original.flags & 128 and it.callback_type == 5:
            # The first followup after a deferred response replaces the "thinking" message.
            self.ld.edit_message(it.original, body | {"flags": it.original.flags & ~128}, request.get(FILES) or {})
            msg = it.original
        else:
            msg = self._answer(it, body, request.get(FILES) or {})
            it.followups.append(msg)
        it.done.set()
        if request.query.get("wait") in ("true", "1", "True"):
            return json_response(msg.to_json())
        return no_content()

    def _webhook_message(self, it: Interaction, request: web.Request) -> Message:
        mid = request.match_info["message"]
        if mid == "@original":
            if it.original is None:
                raise DiscordError(404, 10008, "Unknown Message")
            return it.original
        for m in [it.original, *it.followups]:
            if m is not None and str(m.id) == mid:
                return m
        raise DiscordError(404, 10008, "Unknown Message")

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        it = self._webhook_interaction(request)
        return json_response(self._webhook_message(it, request).to_json())

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        it = self._webhook_interaction(request)
        msg = self._webhook_message(it, request)
        body = dict(request[BODY])
        check_body(body)
        if msg.flags & 128:
            body["flags"] = (msg.flags & ~128) | (body.get("flags") or 0)
        self.ld.edit_message(msg, body, request.get(FILES) or {})
        it.done.set()
        return json_response(msg.to_json())

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        it = self._webhook_interaction(request)
        self._webhook_message(it, request).deleted = True
        return no_content()
