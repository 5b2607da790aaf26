"""REST routes under /api/v10: the surface the bot uses, with Discord's errors.

Over 400 lines on purpose: one class holds every route so that the route table, the
shared checks (permissions, rate-limit buckets, body limits) and Discord's error shapes
read in one place; splitting it by resource would scatter those across files."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord import limits
from localdiscord import permissions as P
from localdiscord.state import DM, PUBLIC_THREAD, Channel, Interaction, Message, snowflake

BODY: web.RequestKey[Any] = web.RequestKey("body", object)
ARRIVED: web.RequestKey[float] = web.RequestKey("arrived", float)
FILES: web.RequestKey[dict[str, bytes]] = web.RequestKey("files", dict)

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60


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


def check_body(body: dict[str, Any]) -> None:
    problems = limits.check_message(body)
    if problems:
        raise DiscordError(400, 50035, "Invalid Form Body", limits.form_errors(problems))


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
            web.get(f"{r}/applications/{{app}}/commands", self.get_commands),
            web.put(f"{r}/applications/{{app}}/commands", self.put_commands),
            web.get(f"{r}/applications/{{app}}/guilds/{{guild}}/commands", self.get_commands),
            web.put(f"{r}/applications/{{app}}/guilds/{{guild}}/commands", self.put_commands),
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

    # ------------------------------------------------------------ commands

    def _check_app(self, request: web.Request) -> None:
        if request.match_info["app"] != str(self.ld.application_id):
            raise DiscordError(403, 50001, "Missing Access")

    async def get_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        guild = request.match_info.get("guild")
        return json_response(self.ld.commands.get(int(guild) if guild else None, []))

    async def put_commands(self, request: web.Request) -> web.Response:
        self._check_app(request)
        body = request[BODY]
        problems = limits.check_commands(body)
        if problems:
            raise DiscordError(400, 50035, "Invalid Form Body", limits.form_errors(problems))
        guild = request.match_info.get("guild")
        out = []
        for cmd in body:
            cmd = dict(cmd)
            cmd.update(id=str(snowflake()), application_id=str(self.ld.application_id), version=str(snowflake()))
            if guild:
                cmd["guild_id"] = guild
            cmd.setdefault("type", 1)
            out.append(cmd)
        self.ld.commands[int(guild) if guild else None] = out
        self.ld.command_syncs.append((int(guild) if guild else None, time.time()))
        return json_response(out)

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
        if kind == 4:
            check_body(data)
            message = ld.add_message(
                it.channel,
                ld.bot_user,
                data,
                request.get(FILES) or {},
                visible_to=it.user.id if data.get("flags", 0) & 64 else None,
                interaction_user=it.user,
            )
            it.original = message
        elif kind == 5:
            flags = data.get("flags", 0)
            message = ld.add_message(
                it.channel,
                ld.bot_user,
                {"content": "", "flags": flags | 128},
                {},
                visible_to=it.user.id if flags & 64 else None,
                interaction_user=it.user,
            )
            it.original = message
        elif kind in (6, 7):
            if it.message is None:
                raise DiscordError(400, 40004, "Interaction has no message to update")
            if kind == 7:
                check_body(data)
                ld.edit_message(it.message, data, request.get(FILES) or {})
            message = it.message
            it.original = message
        elif kind == 8:
            choices = data.get("choices") or []
            problems = limits.check_autocomplete(choices)
            if problems:
                raise DiscordError(400, 50035, "Invalid Form Body", limits.form_errors(problems))
            it.autocomplete_choices = choices
        elif kind == 9:
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
        flags = body.get("flags", 0)
        if it.original is not None and it.original.flags & 128 and it.callback_type == 5:
            # The first followup after a deferred response replaces the "thinking" message.
            self.ld.edit_message(it.original, body | {"flags": it.original.flags & ~128}, request.get(FILES) or {})
            msg = it.original
        else:
            msg = self.ld.add_message(
                it.channel,
                self.ld.bot_user,
                body,
                request.get(FILES) or {},
                visible_to=it.user.id if flags & 64 else None,
                interaction_user=it.user,
            )
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
