"""The whole loop through real HTTP and websocket traffic: login, commands, slash, button, DM."""

from __future__ import annotations

from tests.helpers import Harness


async def test_login_register_slash_click_dm(harness: Harness) -> None:
    ld = harness.ld
    assert ld.gateway.identifies == 1 and any(s.heartbeats >= 0 and s.connected for s in ld.gateway.sessions.values())
    assert ld.count_requests("GET", "/users/@me") >= 1
    assert {"quiz", "roadmap", "resources", "settings", "reminders", "admin"} <= {c["name"] for c in ld.commands[None]}
    user = ld.create_user("zoe")
    it = await ld.slash(user, "roadmap", {"level": 0})
    assert it.original is not None and it.original.embeds[0]["title"].startswith("📘 Level 0")
    await ld.click(user, it.original, "Back to roadmap")
    assert it.original.embeds[0]["title"] == "🚀 AI Learning Roadmap"
    await ld.slash(user, "reminders", {"state": "on"})
    [dm] = ld.dms_to(user)
    assert dm.embeds[0]["title"] == "👋 Daily reviews are on"
    assert ld.requests and all(r.status < 500 for r in ld.requests)


async def test_gateway_resume_after_reconnect(harness: Harness) -> None:
    ld = harness.ld
    await ld.gateway.reconnect_all()
    for _ in range(50):
        if ld.gateway.resumes:
            break
        import asyncio

        await asyncio.sleep(0.05)
    assert ld.gateway.resumes == 1 and ld.gateway.identifies == 1
    user = ld.create_user("after-resume")
    it = await ld.slash(user, "roadmap", {})
    assert it.original is not None
