"""A control API for driving the local Discord from another process (benchmarks, console).

Only mounted by ``python -m localdiscord serve``; it listens on loopback like the rest.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localdiscord.rest import json_response

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord


class Control:
    def __init__(self, ld: LocalDiscord) -> None:
        self.ld = ld

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/_control/info", self.info),
            web.post("/_control/users", self.users),
            web.post("/_control/guild", self.guild),
            web.post("/_control/installs", self.installs),
            web.post("/_control/channels", self.channels),
            web.post("/_control/dm-channels", self.dm_channels),
            web.post("/_control/interact", self.interact),
            web.get("/_control/stats", self.stats),
            web.post("/_control/reset-counters", self.reset),
        ]

    async def info(self, request: web.Request) -> web.Response:
        ld = self.ld
        return json_response(
            {
                "token": ld.token,
                "api_base": ld.api_base,
                "gateway": ld.gateway_url,
                "connected": any(s.connected for s in ld.gateway.sessions.values()),
            }
        )

    async def users(self, request: web.Request) -> web.Response:
        body = await request.json()
        n, closed_every = int(body.get("count", 1)), int(body.get("closed_every", 0))
        ids = []
        for i in range(n):
            u = self.ld.create_user(
                f"{body.get('prefix', 'user')}{i}", dms_open=not (closed_every and i % closed_every == 0)
            )
            ids.append(str(u.id))
        return json_response({"ids": ids})

    async def dm_channels(self, request: web.Request) -> web.Response:
        """DM channels for users, as if the bot had opened them before (e.g. a welcome DM)."""
        ids = (await request.json())["users"]
        return json_response({str(u): str(self.ld.dm_channel(self.ld.users[int(u)]).id) for u in ids})

    async def guild(self, request: web.Request) -> web.Response:
        body = await request.json()
        g = await self.ld.create_guild(body.get("name", "guild"), bot_member=bool(body.get("bot_member", True)))
        for uid in body.get("members", []):
            await self.ld.add_member(g, self.ld.users[int(uid)])
        ch = next(iter(g.channels.values()))
        return json_response({"guild": str(g.id), "channel": str(ch.id)})

    async def installs(self, request: web.Request) -> web.Response:
        """Users add the app to their account (``installed``: true, the default) or remove it."""
        body = await request.json()
        for uid in body["users"]:
            user = self.ld.users[int(uid)]
            if body.get("installed", True):
                self.ld.install_for_user(user)
            else:
                self.ld.uninstall_for_user(user)
        return json_response({"installed": sorted(str(u) for u in self.ld.user_installs)})

    async def channels(self, request: web.Request) -> web.Response:
        """More text channels in a guild (the bot sees them at once, as CHANNEL_CREATE)."""
        body = await request.json()
        guild = self.ld.guilds[int(body["guild"])]
        made = [await self.ld.create_channel(guild, f"c{i}") for i in range(int(body.get("count", 1)))]
        return json_response({"ids": [str(c.id) for c in made]})

    async def interact(self, request: web.Request) -> web.Response:
        """Run interactions at once; each: {user, kind: slash|select|click|modal, ...}: slash
        takes command, options, channel; select and click take channel, message, custom_id
        (select: values); modal takes interaction (the id of the one the bot answered with a
        modal, as results give it) and values ({text input custom_id: text}). Any action may
        carry a ``delay`` (seconds) to arrive later than the others."""
        ld = self.ld
        actions = (await request.json())["actions"]

        async def one(a: dict[str, Any]) -> dict[str, Any]:
            if a.get("delay"):  # arrivals spread over time (load tests): seconds after the request
                await asyncio.sleep(float(a["delay"]))
            user = ld.users[int(a["user"])]
            channel = ld.channels.get(int(a["channel"])) if a.get("channel") else None
            t0 = time.monotonic()
            if a["kind"] == "slash":
                it = await ld.slash(user, a["command"], a.get("options") or {}, channel=channel, timeout=60)
            elif a["kind"] == "modal":
                it = await ld.submit_modal(user, ld.interactions[int(a["interaction"])], a["values"], timeout=60)
            else:
                msg = ld.channels[int(a["channel"])].messages[int(a["message"])]
                if a["kind"] == "select":
                    it = await ld.select(user, msg, a["custom_id"], a["values"], timeout=60)
                else:
                    it = await ld.click(user, msg, a["custom_id"], timeout=60)
            reply = it.reply or it.original
            bot_ack = None
            if it.callback_arrived_at is not None and it.dispatched_at is not None:
                bot_ack = (it.callback_arrived_at - it.dispatched_at) * 1000
            return {
                "interaction": str(it.id),
                "modal": it.modal,
                "ack_ms": None if it.acked_at is None else (it.acked_at - it.created) * 1000,
                "bot_ack_ms": bot_ack,
                "done_ms": (time.monotonic() - t0) * 1000,
                "message": str(reply.id) if reply else None,
                "channel": str(reply.channel.id) if reply else None,
                "titles": [e.get("title") for e in reply.embeds] if reply else [],
                "content": reply.content if reply else None,
                "custom_ids": [c["custom_id"] for c in ld.components_of(reply) if "custom_id" in c] if reply else [],
            }

        results = await asyncio.gather(*(one(a) for a in actions))
        return json_response({"results": results, "expired": ld.expired_interactions})

    async def stats(self, request: web.Request) -> web.Response:
        ld = self.ld
        dm_counts = [len([m for m in ch.messages.values() if not m.deleted]) for ch in ld.dm_channels.values()]
        posts = {str(ch.id): len(ld.messages_in(ch)) for g in ld.guilds.values() for ch in g.channels.values()}
        return json_response(
            {
                "requests": len(ld.requests),
                "requests_by_route": _by_route(ld),
                "count_429": ld.ratelimits.count_429,
                "count_429_global": ld.ratelimits.count_429_global,
                "invalid_requests": ld.invalid_requests,
                "violations": ld.violations[:20],
                "dm_messages": sum(dm_counts),
                "dm_users_with_messages": sum(1 for c in dm_counts if c),
                "dm_users_with_duplicates": sum(1 for c in dm_counts if c > 1),
                "channel_posts": posts,
                "first_dm_at": ld.first_dm_at,
                "last_dm_at": ld.last_dm_at,
            }
        )

    async def reset(self, request: web.Request) -> web.Response:
        ld = self.ld
        ld.requests.clear()
        ld.ratelimits.count_429 = ld.ratelimits.count_429_global = 0
        ld.invalid_requests = 0
        ld.first_dm_at = ld.last_dm_at = None
        return json_response({"ok": True})


def _by_route(ld: LocalDiscord) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in ld.requests:
        parts = ["{id}" if p.isdigit() else p for p in r.path.split("/")]
        key = f"{r.method} {'/'.join(parts[:6])}"
        out[key] = out.get(key, 0) + 1
    return out
