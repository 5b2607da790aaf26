"""What the Docker image runs: an installed (non-editable) copy, from a folder laid out like /app."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_copy_migrates_and_checks_content_from_app_layout(tmp_path: Path) -> None:
    wheel_dir, site, app = tmp_path / "wheel", tmp_path / "site", tmp_path / "app"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    [wheel] = list(wheel_dir.glob("*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    app.mkdir()
    shutil.copy(ROOT / "alembic.ini", app)
    shutil.copytree(ROOT / "migrations", app / "migrations")
    shutil.copytree(ROOT / "content", app / "content")
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN",)}
    env.update(
        PYTHONPATH=str(site),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}",
        CONTENT_DIR=str(app / "content"),
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=app, env=env, capture_output=True, text=True, timeout=120)

    where = run("-c", "import bot, scheduler; print(bot.__file__, scheduler.__file__)")
    assert str(site) in where.stdout, where.stdout + where.stderr
    r = run("-m", "bot", "migrate")
    assert r.returncode == 0, r.stderr
    tables = {
        t
        for (t,) in sqlite3.connect(tmp_path / "data" / "bot.sqlite3").execute(
            "select name from sqlite_master where type='table'"
        )
    }
    assert {"learners", "deliveries", "alembic_version"} <= tables
    r = run("-m", "bot", "content", "check")  # found and valid; its lint is tests/content/test_shipped.py's
    assert "Content OK:" in r.stdout and "91 topics" in r.stdout, r.stderr
    assert r.returncode == 0 or " lint errors in " in r.stderr, r.stderr
    r = run("-m", "bot", "run")
    assert r.returncode == 2 and "DISCORD_TOKEN" in r.stderr


def test_dockerfile_runs_what_we_test() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "python -m bot migrate && exec python -m bot run" in text
    assert "HEALTHCHECK" in text and "/healthz" in text and "USER 10001" in text
    assert "COPY content ./content" in text and 'VOLUME ["/data"]' in text
