"""Item analysis and problem reports on a seeded database whose numbers are known."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.content import Flashcard, MultipleChoice, TrueFalse
from bot.db import queries
from bot.db.models import ProblemReport, ReviewLog
from bot.errors import InvalidInput, StaleInteraction
from bot.services import Services
from bot.study import item_analysis, mydata, reports
from bot.study.reviews import card_for
from scheduler.srs import Rating, State
from tests.helpers import ROOT


def _questions(svc: Services) -> tuple[MultipleChoice, MultipleChoice, TrueFalse, Flashcard, str]:
    qs = list(svc.content.questions.values())
    mcs = [q for q in qs if isinstance(q, MultipleChoice) and len(q.options) == 4]
    tf = next(q for q in qs if isinstance(q, TrueFalse))
    fc = next(q for q in qs if isinstance(q, Flashcard))
    return mcs[0], mcs[1], tf, fc, mcs[2].id


async def _log(
    svc: Services,
    uid: int,
    qid: str,
    at: datetime,
    *,
    correct: bool | None,
    choice: int | None = None,
    rating: Rating = Rating.GOOD,
    first: bool = True,
    duration: int | None = None,
) -> None:
    async with svc.unit() as s:
        await queries.ensure_learner(s, uid, at)
        question = svc.content.questions[qid]
        card = await card_for(s, uid, qid, question.topic, at)
        state = State.LEARNING if first else State.REVIEW
        s.add(
            ReviewLog(
                card_id=card.id,
                learner_id=uid,
                question_id=qid,
                rating=int(rating if correct is None else (Rating.GOOD if correct else Rating.AGAIN)),
                correct=correct,
                reviewed_at=at,
                duration_ms=duration,
                source="quiz",
                state_before=int(state),
                state_after=int(State.REVIEW),
                due_before=at,
                due_after=at + timedelta(days=1),
                was_new=first,
                choice=choice,
            )
        )


async def seed(svc: Services) -> tuple[MultipleChoice, MultipleChoice, TrueFalse, Flashcard, str]:
    """Known numbers: see each block's comment."""
    mis, dead, tf, fc, reported = _questions(svc)
    now = svc.clock.now()
    wrong = [i for i in range(4) if i != mis.correct_index]
    # ``mis``: 20 first tries: 8 pick the key, 11 the first distractor, 1 the second.
    picks = [mis.correct_index] * 8 + [wrong[0]] * 11 + [wrong[1]]
    for n, choice in enumerate(picks):
        await _log(svc, 1000 + n, mis.id, now, correct=choice == mis.correct_index, choice=choice, duration=4000)
    # ``dead``: 40 first tries, 39 right and 1 on one distractor (the other two never picked);
    # then 10 reviews of cards in review, 3 of them lapses. 5 more from 40 days ago (outside --since 30).
    for n in range(40):
        choice = dead.correct_index if n else next(i for i in range(4) if i != dead.correct_index)
        await _log(svc, 2000 + n, dead.id, now, correct=bool(n), choice=choice)
    for n in range(10):
        await _log(svc, 2000 + n, dead.id, now, correct=n >= 3, choice=dead.correct_index, first=False)
    for n in range(5):
        await _log(svc, 2500 + n, dead.id, now - timedelta(days=40), correct=True, choice=dead.correct_index)
    # ``tf``: 12 first tries, 2 right.
    for n in range(12):
        choice = int(tf.answer) if n < 2 else int(not tf.answer)
        await _log(svc, 3000 + n, tf.id, now, correct=n < 2, choice=choice)
    # ``fc``: 11 self-rated first tries, all remembered; answer times 1 s … 11 s (median 6 s).
    for n in range(11):
        await _log(svc, 4000 + n, fc.id, now, correct=None, rating=Rating.GOOD, duration=1000 * (n + 1))
    async with svc.unit() as s:
        assert await reports.submit(s, svc.content, 5000, reported, "wrong_answer", "  B is also right  ", now)
    return mis, dead, tf, fc, reported


async def test_content_report_on_known_numbers(services: Services) -> None:
    mis, dead, tf, fc, reported = await seed(services)
    async with services.read() as s:
        items = await item_analysis.analyse(s, services.content)
    by_id = {i.question_id: i for i in items}
    assert len(items) == 5
    # Most urgent first: reported, then the mis-keyed ones, too hard, dead distractor, too easy.
    assert [i.question_id for i in items] == [reported, mis.id, tf.id, dead.id, fc.id]

    first = by_id[mis.id]
    key = "ABCD"[mis.correct_index]
    assert (first.attempts, first.first_tries, first.first_try_successes) == (20, 20, 8)
    assert first.key == key and first.picks[key] == 8 and sorted(first.picks.values()) == [0, 1, 8, 11]
    assert first.flags == ["mis-keyed?"]  # 40% is not "too hard"; 20 answers are too few for "dead"
    assert first.median_ms == 4000

    second = by_id[dead.id]
    assert (second.attempts, second.first_tries, second.first_try_successes) == (55, 45, 44)
    assert (second.in_review, second.lapses, second.lapse_rate) == (10, 3, 0.3)
    assert second.flags == ["dead distractor"]  # 44/45 = 97.8%: not above 98%

    third = by_id[tf.id]
    assert third.first_try_rate == pytest.approx(2 / 12)
    assert third.picks == {"True": 2 if tf.answer else 10, "False": 10 if tf.answer else 2}
    assert third.flags == ["mis-keyed?", "too hard"]

    fourth = by_id[fc.id]
    assert fourth.first_try_rate == 1.0 and fourth.median_ms == 6000 and fourth.picks == {}
    assert fourth.flags == ["too easy"]

    fifth = by_id[reported]
    assert fifth.attempts == 0 and fifth.flags == ["reported"]
    assert [(r.reason, r.text, r.content_version) for r in fifth.reports] == [
        ("wrong_answer", "B is also right", services.content.version)
    ]

    # Only the last 30 days: the 5 old reviews drop out, and 39/40 is still not above 98%.
    async with services.read() as s:
        recent = await item_analysis.analyse(s, services.content, services.clock.now() - timedelta(days=30))
    assert {i.question_id: i.attempts for i in recent}[dead.id] == 50

    text = item_analysis.render_text(items, since_days=None, version=services.content.version, limit=2)
    assert "5 questions with reviews or reports, 98 reviews; 5 flagged." in text
    assert f"⚑ {mis.id}  (multiple choice, {mis.topic})  — mis-keyed?" in text
    assert f"picks: A{'*' if key == 'A' else ''} " in text and "… and 3 more (raise --limit to see them)." in text


async def test_one_report_per_learner_and_question(services: Services) -> None:
    qid = next(iter(services.content.questions))
    now = services.clock.now()
    async with services.unit() as s:
        assert await reports.submit(s, services.content, 7, qid, "typo", "", now) is True
    async with services.unit() as s:
        assert await reports.submit(s, services.content, 7, qid, "unclear", "again", now) is False
        assert await reports.submit(s, services.content, 8, qid, "unclear", "x" * 500, now) is True
        with pytest.raises(InvalidInput, match="500 characters"):
            await reports.submit(s, services.content, 9, qid, "other", "x" * 501, now)
        with pytest.raises(InvalidInput, match="Pick one of"):
            await reports.submit(s, services.content, 9, qid, "spam", "", now)
        with pytest.raises(StaleInteraction, match="no longer in the course"):
            await reports.submit(s, services.content, 9, "no-such-question", "typo", "", now)
    async with services.read() as s:
        rows = (await s.scalars(select(ProblemReport).order_by(ProblemReport.id))).all()
        assert [(r.learner_id, r.reason) for r in rows] == [(7, "typo"), (8, "unclear")]
        exported = await mydata.export(s, 7)
    assert [r["reason"] for r in exported["problem_reports"]] == ["typo"]  # type: ignore[index]
    async with services.unit() as s:
        counts = await mydata.delete_all(s, 7)
    assert counts["problem_reports"] == 1
    async with services.read() as s:
        assert await s.scalar(select(func.count()).select_from(ProblemReport)) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_content_report_command(services: Services, db_url: str) -> None:
    services.clock.set(datetime.now(UTC))  # the command counts --since from the real clock
    mis, *_ = await seed(services)
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    env.pop("DISCORD_TOKEN", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "content", "report", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )

    done = run("--limit", "3")
    assert done.returncode == 0, done.stderr
    assert "Content report — all time" in done.stdout and f"⚑ {mis.id}" in done.stdout
    done = run("--json", "--since", "30")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["since_days"] == 30 and data["content_version"] == services.content.version
    row = next(q for q in data["questions"] if q["question_id"] == mis.id)
    assert row["flags"] == ["mis-keyed?"] and row["first_try_success"] == 0.4 and row["attempts"] == 20
    done = run("--since", "0")
    assert done.returncode == 2 and "--since and --limit take a whole number" in done.stderr
