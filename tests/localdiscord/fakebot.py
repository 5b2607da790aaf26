"""A minimal bot for the local Discord's own tests: raw gateway and REST, no discord.py.

It logs in over the websocket, records every dispatch, and answers each interaction with
``answer`` (a coroutine the test sets; by default a public message "ok")."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from localdiscord import LocalDiscord

Answer = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class FakeBot:
    ld: LocalDiscord
    http: aiohttp.ClientSession
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    answer: Answer | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    handlers: set[asyncio.Task[None]] = field(default_factory=set)

    def names(self, event: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == event]

    async def event(self, name: str, test: Callable[[dict[str, Any]], bool], timeout: float = 5.0) -> dict[str, Any]:
        """The first ``name`` dispatch ``test`` accepts, waiting for it to arrive."""
        async with asyncio.timeout(timeout):
            while True:
                found = next((data for data in self.names(name) if test(data)), None)
                if found is not None:
                    return found
                await asyncio.sleep(0.01)

    async def idle(self) -> None:
        """Wait until every interaction handler has finished (answers can go on after the
        interaction is complete, e.g. more follow-ups)."""
        while self.handlers:
            await asyncio.gather(*self.handlers, return_exceptions=True)

    async def rest(self, method: str, path: str, body: Any = None, **params: str) -> tuple[int, Any]:
        async with self.http.request(method, self.ld.api_base + path, json=body, params=params or None) as r:
            return r.status, (await r.json(content_type=None) if r.status != 204 else None)

    async def callback(self, it: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        return await self.rest("POST", f"/interactions/{it['id']}/{it['token']}/callback", body, with_response="true")

    async def followup(self, it: dict[str, Any], body: dict[str, Any]) -> tuple[int, Any]:
        return await self.rest("POST", f"/webhooks/{it['application_id']}/{it['token']}", body, wait="true")

    async def reply(self, it: dict[str, Any], content: str = "ok", flags: int = 0) -> None:
        await self.callback(it, {"type": 4, "data": {"content": content, "flags": flags}})

    async def register(self, commands: list[dict[str, Any]], guild: int | None = None) -> list[dict[str, Any]]:
        scope = f"/guilds/{guild}" if guild else ""
        status, body = await self.rest("PUT", f"/applications/{self.ld.application_id}{scope}/commands", commands)
        assert status == 200, body
        return list(body)

    async def _on(self, it: dict[str, Any]) -> None:
        self.interactions.append(it)
        if self.answer is not None:
            await self.answer(it)
        elif it["type"] == 4:
            await self.callback(it, {"type": 8, "data": {"choices": []}})
        else:
            await self.reply(it)

    async def run(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            payload = msg.json()
            if payload.get("op") != 0:
                continue
            self.events.append((payload["t"], payload["d"]))
            if payload["t"] == "READY":
                self.ready.set()
            elif payload["t"] == "INTERACTION_CREATE":
                task = asyncio.create_task(self._on(payload["d"]))
                self.handlers.add(task)
                task.add_done_callback(self.handlers.discard)


@contextlib.asynccontextmanager
async def fake_bot(ld: LocalDiscord) -> AsyncIterator[FakeBot]:
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {ld.token}"}) as http:
        bot = FakeBot(ld, http)
        async with http.ws_connect(ld.gateway_url + "?v=10&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": ld.token, "intents": 1, "properties": {}}})
            runner = asyncio.create_task(bot.run(ws))
            await asyncio.wait_for(bot.ready.wait(), 5)
            try:
                yield bot
                await bot.idle()
            finally:
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
