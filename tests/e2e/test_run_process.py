"""`python -m bot run` as an operator runs it: JSON logs without the token, clean stop on a signal."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from localdiscord import LocalDiscord
from tests.helpers import CONTENT, ROOT


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_run_logs_json_without_token_and_stops_cleanly(
    discord_server: LocalDiscord, tmp_path: Path, sig: signal.Signals
) -> None:
    ld = discord_server
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(
        DISCORD_TOKEN=ld.token,
        DISCORD_API_BASE=ld.api_base,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/b.db",
        LOG_JSON="true",
        LOG_LEVEL="DEBUG",
        CONTENT_DIR=str(CONTENT),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        for _ in range(300):  # the gateway was discovered (no DISCORD_GATEWAY_URL) and identified
            if any(s.connected for s in ld.gateway.sessions.values()) and ld.commands.get(None):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the bot did not connect")
        user = ld.create_user("ops")
        it = await ld.slash(user, "roadmap", {})
        assert it.original is not None
        proc.send_signal(signal.SIGHUP)  # reload content without a restart
        assert proc.stdout is not None
        seen = b""
        while b"content reloaded:" not in seen:  # the reload is logged once it is done
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line, "the bot exited before reloading: " + seen.decode()[-3000:]
            seen += line
        proc.send_signal(sig)
        rest, _ = await asyncio.wait_for(proc.communicate(), 30)
        out = seen + rest
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text = out.decode()
    assert proc.returncode == 0, text[-3000:]
    assert ld.token not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and all(json.loads(line)["level"] for line in lines)
    assert any(json.loads(line)["msg"] == "stopped" for line in lines)
    assert any(json.loads(line)["msg"].startswith("content reloaded:") for line in lines)
