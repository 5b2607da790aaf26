"""The offline console, driven by piped input as a newcomer would script it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.content import MultipleChoice
from bot.study import quiz
from tests.study.test_quiz import right_choice

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


async def test_console_help_numbered_messages_and_follow_ups(harness: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.console import Console

    console = Console(harness.ld, harness.bot, harness.clock)
    await console.setup()
    await console.handle("help")
    out = capsys.readouterr().out
    assert "/quiz [topic] [level] [count] [mode]" in out and "/settings timezone <name>" in out
    assert "/start [timezone]" in out and "#4 2" in out

    await console.handle("/quiz topic:numpy count:2")
    quiz_msg = console.shown[-1]
    [sid] = {c["custom_id"].split(":")[2] for c in harness.ld.components_of(quiz_msg) if "quiz:ans:" in c["custom_id"]}
    async with harness.services.read() as s:
        step = await quiz.current(s, harness.services.content, int(sid), console.user.id)
    choice = right_choice(step.question)
    labels = [c.get("label") for c in console.components[quiz_msg.id]]
    wanted = "ABCDE"[step.order.index(choice)] if isinstance(step.question, MultipleChoice) else str(bool(choice))
    await console.handle(str(labels.index(wanted) + 1))
    assert "Correct!" in capsys.readouterr().out
    felt_easy = [c.get("label") for c in console.components[quiz_msg.id]].index("Felt easy") + 1
    await console.handle(str(felt_easy))
    out = capsys.readouterr().out
    assert "Got it — rated Easy" in out and "── #2 " in out
    await console.handle("1")  # still the quiz message's Next, not the follow-up's (it has no buttons)
    assert "Quiz · 2/2" in capsys.readouterr().out
    await console.handle("/roadmap level:0")
    await console.handle("#1 5")  # Stop, on the quiz message numbered 1
    out = capsys.readouterr().out
    assert "── #1 " in out and "Session" in out
    await console.handle("#9 1")
    assert "there is no message #9" in capsys.readouterr().out


def test_console_fills_in_the_report_form(tmp_path: Path) -> None:
    """A form with a choice and a text: the choice typed as its number, the parts split by |."""
    script = '/quiz topic:"Activation functions" count:1\n1\n2\n9 | x\n2\n3 | Typo in line two\n2\ntypo\nquit\n'
    r = run_console(script, tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    assert "[2] Report a problem" in out  # the first question is multiple choice: [1] answers A
    assert "📝 Form: Report a problem with this question" in out
    assert "What is wrong? — pick one: 1. Wrong answer, 2. Unclear, 3. Typo, 4. Something else" in out
    assert "'9' is not one of the choices: 1. Wrong answer" in out
    assert "🙏 Thank you!" in out
    assert "You have already reported this question" in out
