"""The CLI in a subprocess, as a user runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=e,
        cwd=cwd,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_help_explains_each_command() -> None:
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("run", "migrate", "content", "sync-commands", "console"):
        assert cmd in r.stdout


def test_migrate_creates_database(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "bot.sqlite3"
    r = run("migrate", env={"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "revision" in r.stdout
    tables = {row[0] for row in sqlite3.connect(db).execute("select name from sqlite_master where type='table'")}
    assert {"learners", "cards", "review_logs", "deliveries", "alembic_version"} <= tables
    again = run("migrate", env={"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_run_without_token_exits_with_help(tmp_path: Path) -> None:
    r = run("run", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"}, cwd=tmp_path)
    assert r.returncode == 2
    assert "DISCORD_TOKEN" in r.stderr and "console" in r.stderr
    assert "Traceback" not in r.stderr


def test_malformed_database_url_is_one_clear_line(tmp_path: Path) -> None:
    r = run("migrate", env={"DATABASE_URL": "postgres//oops"}, cwd=tmp_path)
    assert r.returncode == 2
    assert "DATABASE_URL" in r.stderr and "Traceback" not in r.stderr


def test_content_check_validates_the_shipped_content() -> None:
    r = run("content", "check")  # its exit code is the lint's, asserted by tests/content/test_shipped.py
    assert "91 topics" in r.stdout and "71 links" in r.stdout
    assert "True/false cue words" in r.stdout and "Lint:" in r.stdout


def test_content_check_ok_and_failing_on_a_lint_error(tmp_path: Path) -> None:
    from tests.content.test_errors import make

    clean = make(tmp_path / "clean", algebra=LINT_FIXTURE.replace("QUESTION", "What is 2 + 2?"))
    r = run("content", "check", str(clean))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Content OK:" in r.stdout and "Lint: clean" in r.stdout
    assert "absolute    0 True /    0 False  ok" in r.stdout

    broken = make(tmp_path / "broken", algebra=LINT_FIXTURE.replace("QUESTION", "What is 2 + 2? And 3 + 3?"))
    r = run("content", "check", str(broken))
    assert r.returncode == 1
    assert "broken/questions/level-0/algebra.yaml:3:1: error: algebra-card: flashcard prompt asks two" in r.stdout
    assert "1 lint error in" in r.stderr


LINT_FIXTURE = """\
topic: algebra
questions:
  - id: algebra-card
    type: flashcard
    prompt: "QUESTION"
    answer: "4"
    explanation: Counting on.
    see: Any arithmetic book
"""


def test_run_refuses_invalid_content_and_prints_every_error(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    (content / "roadmap.yaml").write_text("title: x\nlevels: [\n")
    r = run(
        "run",
        env={
            "DISCORD_TOKEN": "local.token",
            "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/",
            "CONTENT_DIR": str(content),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        },
        cwd=tmp_path,
    )
    assert r.returncode == 1
    assert "roadmap.yaml:" in r.stderr and "invalid YAML" in r.stderr and "Traceback" not in r.stderr


async def test_a_rejected_token_is_one_line_naming_the_fix(discord_server: object, tmp_path: Path) -> None:
    import asyncio

    ld = discord_server
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    env.update(
        DISCORD_TOKEN="local.not-the-right-token",
        DISCORD_API_BASE=ld.api_base,  # type: ignore[attr-defined]
        DISCORD_GATEWAY_URL=ld.gateway_url,  # type: ignore[attr-defined]
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        BACKUP_DAILY="false",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert proc.returncode == 2, text
    assert "Traceback" not in text
    [line] = [x for x in text.splitlines() if "Discord rejected the token" in x]
    assert "Reset Token" in line and "DISCORD_TOKEN" in line


def test_the_no_token_hint_names_a_command_that_works_as_typed(tmp_path: Path) -> None:
    r = run("run", env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"}, cwd=tmp_path)
    assert "`make console`" in r.stderr


def test_log_levels_keep_chatty_libraries_quiet_unless_named() -> None:
    import logging

    import pytest

    from bot.logs import parse_levels, setup_logging

    root, aiosqlite = logging.getLogger(), logging.getLogger("aiosqlite")
    saved = root.level, list(root.handlers), aiosqlite.level
    try:
        setup_logging("DEBUG")
        assert root.level == logging.DEBUG and aiosqlite.level == logging.INFO
        setup_logging("DEBUG", levels=parse_levels("aiosqlite=DEBUG, bot.scheduler = warning"))
        assert aiosqlite.level == logging.DEBUG and logging.getLogger("bot.scheduler").level == logging.WARNING
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        aiosqlite.setLevel(saved[2])
    with pytest.raises(ValueError, match="logger=LEVEL"):
        parse_levels("aiosqlite:DEBUG")
    bad = run("migrate", env={"LOG_LEVELS": "aiosqlite=LOUD", "DATABASE_URL": "sqlite+aiosqlite:///x.db"})
    assert bad.returncode == 2 and "LOG_LEVELS" in bad.stderr and "Traceback" not in bad.stderr
