"""An HTTP endpoint for operators: /healthz and /metrics (Prometheus text format).

Off unless HEALTH_PORT is set; binds to HEALTH_HOST (default 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text

from scheduler.dispatch import due_backlog

log = logging.getLogger(__name__)


class HealthServer:
    def __init__(self, bot: Any) -> None:
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
            async with services.read() as s:
                services.metrics.due_backlog.set(await due_backlog(s, services.clock.now()))
        except Exception as exc:  # noqa: BLE001 - metrics must render even with the database down
            log.warning("metrics: due backlog unavailable: %s", type(exc).__name__)
        return web.Response(
            text=services.metrics.render(),
            content_type="text/plain",
            headers={"X-Content-Type-Options": "nosniff"},
            charset="utf-8",
        )

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        self.port = server.sockets[0].getsockname()[1] if server else port  # type: ignore[attr-defined]
        log.info("health endpoint on http://%s:%s/healthz and /metrics", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
