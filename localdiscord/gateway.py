"""The websocket gateway: HELLO, IDENTIFY/READY, heartbeats, RESUME, dispatch."""

from __future__ import annotations

import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from localdiscord.server import LocalDiscord

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)
HEARTBEAT_INTERVAL_MS = 41250
BUFFER = 1000


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    compressor: Any = None
    buffer: list[dict[str, Any]] = field(default_factory=list)
    heartbeats: int = 0

    @property
    def connected(self) -> bool:
        return self.ws is not None and not self.ws.closed

    def handles_guild(self, guild_id: int | None) -> bool:
        if guild_id is None:
            return self.shard_id == 0  # DMs arrive on shard 0
        return (guild_id >> 22) % self.shard_count == self.shard_id

    async def send(self, payload: dict[str, Any]) -> None:
        # Discord never sends NaN or Infinity (they are not JSON): refuse to, like it.
        await self.send_raw(json.dumps(payload, separators=(",", ":"), allow_nan=False))

    async def send_raw(self, raw: str) -> None:
        """Send a frame as given (tests use it for malformed payloads)."""
        if not self.connected:
            return
        assert self.ws is not None
        if self.compressor is not None:
            data = self.compressor.compress(raw.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(raw)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        del self.buffer[:-BUFFER]
        await self.send(payload)


class Gateway:
    def __init__(self, server: LocalDiscord) -> None:
        self.server = server
        self.sessions: dict[str, GatewaySession] = {}
        self.identifies = 0
        self.resumes = 0

    async def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        for session in list(self.sessions.values()):
            if session.handles_guild(guild_id):
                await session.dispatch(event, data)

    async def reconnect_all(self) -> None:
        """Ask every connected client to reconnect (it should RESUME)."""
        for s in self.sessions.values():
            await s.send({"op": RECONNECT, "d": None})

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            await ws.close(code=4000, message=f"unsupported compression {compress}".encode())
            self.server.violation(f"gateway: unsupported compression {compress!r}")
            return ws
        compressor = zlib.compressobj() if compress == "zlib-stream" else None
        hello = GatewaySession("", 0, 1, ws=ws, compressor=compressor)
        await hello.send({"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        session: GatewaySession | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.BINARY:
                    self.server.violation("gateway: client sent a binary frame")
                continue
            payload = json.loads(msg.data)
            op, d = payload.get("op"), payload.get("d")
            if op == HEARTBEAT:
                if session is not None:
                    session.heartbeats += 1
                await (session or hello).send({"op": HEARTBEAT_ACK})
            elif op == IDENTIFY:
                if d.get("token") != self.server.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                shard = d.get("shard") or [0, 1]
                session = GatewaySession(
                    secrets.token_hex(16), int(shard[0]), int(shard[1]), ws=ws, compressor=compressor
                )
                self.sessions[session.session_id] = session
                self.identifies += 1
                await self._ready(session, request)
            elif op == RESUME:
                old = self.sessions.get(d.get("session_id", ""))
                if old is None or d.get("token") != self.server.token:
                    await hello.send({"op": INVALID_SESSION, "d": False})
                    continue
                old.ws, old.compressor = ws, compressor
                session = old
                self.resumes += 1
                missed = [p for p in old.buffer if p["s"] > int(d.get("seq") or 0)]
                for p in missed:
                    await old.send(p)
                await old.dispatch("RESUMED", {})
            elif op in (3, 4, 8):  # presence, voice state, request members: accepted, ignored
                continue
            else:
                self.server.violation(f"gateway: unknown opcode {op}")
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _ready(self, session: GatewaySession, request: web.Request) -> None:
        srv = self.server
        guilds = [g for g in srv.guilds.values() if srv.bot_user.id in g.members]
        mine = [g for g in guilds if session.handles_guild(g.id)]
        host = request.host
        await session.dispatch(
            "READY",
            {
                "v": 10,
                "user": srv.bot_user.to_json() | {"verified": True, "mfa_enabled": False, "flags": 0},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
                "session_id": session.session_id,
                "resume_gateway_url": f"ws://{host}/gateway",
                "application": {"id": str(srv.application_id), "flags": 0},
                "shard": [session.shard_id, session.shard_count],
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
                "guild_join_requests": [],
                "user_settings": {},
                "session_type": "normal",
                "auth_session_id_hash": "",
            },
        )
        for g in mine:
            await session.dispatch("GUILD_CREATE", g.to_json())
