"""The operator endpoint: /healthz reflects a database outage; /metrics shows activity."""

from __future__ import annotations

import aiohttp

from bot.db.session import Database, create_engine
from localdiscord import LocalDiscord
from tests.helpers import running_bot


async def test_healthz_and_metrics(discord_server: LocalDiscord, db_url: str) -> None:
    ld = discord_server
    async with running_bot(ld, db_url, health_port=0) as h:
        port = h.bot.health.port
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as r:
                body = await r.json()
                assert r.status == 200 and body == {
                    "status": "ok",
                    "checks": {"gateway": True, "database": True, "scheduler": True},
                }
            user = ld.create_user("op")
            it = await ld.slash(user, "roadmap", {})
            await ld.select(user, it.original, "rm:sel:", ["1"])  # type: ignore[arg-type]
            async with http.get(f"{base}/metrics") as r:
                text = await r.text()
                assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
            assert 'studybot_commands_total{name="roadmap",result="ok"} 1.0' in text
            assert 'studybot_commands_total{name="rm:sel",result="ok"} 1.0' in text
            assert "studybot_interaction_ack_seconds_count 2" in text
            assert "studybot_due_backlog 0" in text and "studybot_event_loop_lag_seconds" in text

            real = h.services.db
            h.services.db = Database(create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
            try:
                async with http.get(f"{base}/healthz") as r:
                    body = await r.json()
                    assert r.status == 503 and body["checks"]["database"] is False
                    assert body["checks"]["gateway"] is True
            finally:
                await h.services.db.dispose()
                h.services.db = real
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
