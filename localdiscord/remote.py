"""The local Discord in its own process, driven through its control API: for benchmarks and
load tests, so that the bot's figures (and CPU) are the bot's alone."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RemoteDiscord:
    info: dict[str, Any]
    http: aiohttp.ClientSession
    pid: int = 0  # the server process (benchmarks read its CPU time)

    @property
    def token(self) -> str:
        return str(self.info["token"])

    @property
    def api_base(self) -> str:
        return str(self.info["api_base"])

    @property
    def gateway_url(self) -> str:
        return str(self.info["gateway"])

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, path, json=body) as r:
            r.raise_for_status()
            return await r.json(content_type=None)

    async def users(self, n: int, **kw: Any) -> list[int]:
        return [int(i) for i in (await self.call("POST", "/_control/users", {"count": n, **kw}))["ids"]]

    async def dm_channels(self, users: list[int]) -> dict[int, int]:
        r = await self.call("POST", "/_control/dm-channels", {"users": [str(u) for u in users]})
        return {int(k): int(v) for k, v in r.items()}

    async def guild(self, members: list[int], channels: int = 0, *, bot_member: bool = True) -> tuple[int, int]:
        """A guild with ``members`` (``bot_member=False``: the app is not installed there);
        returns (guild id, its first channel id)."""
        body = {"members": [str(m) for m in members], "bot_member": bot_member}
        r = await self.call("POST", "/_control/guild", body)
        return int(r["guild"]), int(r["channel"])

    async def install(self, users: list[int], *, installed: bool = True) -> None:
        """``users`` add the app to their account (or, ``installed=False``, remove it)."""
        await self.call("POST", "/_control/installs", {"users": [str(u) for u in users], "installed": installed})

    async def channels(self, guild: int, n: int) -> list[int]:
        r = await self.call("POST", "/_control/channels", {"guild": str(guild), "count": n})
        return [int(c) for c in r["ids"]]

    async def interact(self, actions: list[dict[str, Any]]) -> dict[str, Any]:
        """Run ``actions`` at once: slash, click, select and modal (see ``Control.interact``)."""
        return dict(await self.call("POST", "/_control/interact", {"actions": actions}))

    async def submit_modal(self, user: int, interaction: str, values: dict[str, str]) -> dict[str, Any]:
        """Submit the modal the bot answered ``interaction`` (an id from ``interact``'s results) with."""
        action = {"user": str(user), "kind": "modal", "interaction": interaction, "values": values}
        return dict((await self.interact([action]))["results"][0])

    async def stats(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/_control/stats"))

    async def reset_counters(self) -> None:
        await self.call("POST", "/_control/reset-counters", {})


@contextlib.asynccontextmanager
async def remote_discord(rate: int = 50, spec: bool = False) -> AsyncIterator[RemoteDiscord]:
    """The server process; OpenAPI validation is off by default (tests cover it), so the
    server's own cost stays out of the bot's figures. Discord's limits are still enforced."""
    args = ["--rate", str(rate)] + ([] if spec else ["--no-spec"])
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "localdiscord", "serve", *args, cwd=str(ROOT), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        info = json.loads(line)
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{info['port']}", timeout=aiohttp.ClientTimeout(total=600)
        ) as http:
            yield RemoteDiscord(info, http, proc.pid)
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
