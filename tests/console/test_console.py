"""The offline console, driven by piped input as a newcomer would script it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_console(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_console_shows_a_commands_answer_and_buttons_work(tmp_path: Path) -> None:
    r = run_console("/roadmap level:5\n1 6\n/quiz topic:bert count:1\n1\nquit\n", tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    assert "OFFLINE CONSOLE" in out and "not the real one" in out
    assert "Level 5 – Transformers & Attention" in out
    assert "BERT" in out  # picked from the topic menu
    assert "Quiz · 1/1 · BERT" in out
    assert ("Correct!" in out) or ("Not quite" in out) or ("Show answer" in out)


def test_console_digest_by_advancing_the_clock(tmp_path: Path) -> None:
    script = "/quiz topic:numpy count:1\n/reminders state:on\nadvance 1d\nquit\n"
    r = run_console(script, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "👋 Daily reviews are on" in r.stdout
    assert "📬 Your daily review" in r.stdout and "Snooze 1 h" in r.stdout


def test_console_explains_bad_input(tmp_path: Path) -> None:
    r = run_console("/nope\n5\n/quiz colour:blue\nquit\n", tmp_path)
    assert r.returncode == 0
    assert "no command /nope" in r.stdout and "nothing to press yet" in r.stdout
    assert "has no option 'colour'" in r.stdout


def test_console_study_channel_post_appears_when_time_advances(tmp_path: Path) -> None:
    script = "/studychannel add channel:#general time:09:30 levels:1\nadvance 1d\n1\n/quiz count:abc\nquit\n"
    r = run_console(script, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "✅ Study channel saved" in r.stdout and "📣 New post in #general" in r.stdout
    assert "Recorded in your own reviews." in r.stdout
    assert "count must be a whole number" in r.stdout
