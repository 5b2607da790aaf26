"""An HTTP endpoint for operators: /healthz and /metrics (Prometheus text format).

Off unless HEALTH_PORT is set; binds to HEALTH_HOST (default 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import text

from bot.metrics import CONTENT_TYPE
from scheduler.claims import due_backlog

if TYPE_CHECKING:
    from bot.client import StudyBot

log = logging.getLogger(__name__)


class HealthServer:
    """/healthz (gateway, database, scheduler) and /metrics for one bot."""

    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def checks(self) -> dict[str, bool]:
        bot = self.bot
        gateway = bool(bot.is_ready() and not bot.is_closed() and bot.ws is not None and bot.ws.open)
        try:
            async with bot.services.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)
            database = True
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            database = False
        scheduler = bool(bot.scheduler is not None and bot.scheduler.running)
        return {"gateway": gateway, "database": database, "scheduler": scheduler}

    async def healthz(self, request: web.Request) -> web.Response:
        checks = await self.checks()
        ok = all(checks.values())
        body = json.dumps({"status": "ok" if ok else "unhealthy", "checks": checks})
        return web.Response(text=body, status=200 if ok else 503, content_type="application/json")

    async def metrics(self, request: web.Request) -> web.Response:
        services = self.bot.services
        try:
            async with services.read() as session:
                services.metrics.due_backlog.set(await due_backlog(session, services.clock.now()))
        except Exception as exc:  # noqa: BLE001 - metrics must render even with the database down
            log.warning("metrics: due backlog unavailable: %s", type(exc).__name__)
        return web.Response(
            body=services.metrics.render(),
            headers={"Content-Type": CONTENT_TYPE, "X-Content-Type-Options": "nosniff"},
        )

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = port
        for sock in getattr(site._server, "sockets", None) or ():
            self.port = sock.getsockname()[1]
        log.info("health endpoint on http://%s:%s/healthz and /metrics", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
