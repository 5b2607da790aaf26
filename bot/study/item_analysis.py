"""Item analysis: how each question performs with real learners, and which ones need a look.

From the review log (every source: quizzes, digests, study channels, placement) and the
problem reports, per question: attempts, first-try success (a learner's first review of the
card; a self-rated card counts as a success unless rated Again), lapse rate (Again on a card
in review), median answer time, and how often each option was picked. Flags, in order of
urgency:

- ``reported``: a learner reported a problem;
- ``mis-keyed?``: a wrong option was picked more often than the key (≥ 10 answers);
- ``too hard``: first-try success below 25 % (≥ 10 first tries);
- ``dead distractor``: a multiple-choice option nobody picked (≥ 30 answers);
- ``too easy``: first-try success above 98 % (≥ 10 first tries).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, and_, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from bot.content import Content, MultipleChoice, TrueFalse
from bot.db.models import ProblemReport, ReviewLog
from scheduler.srs import Rating, State

MIN_FIRST_TRIES = 10
MIN_PICKS = 10
MIN_PICKS_DEAD = 30
TOO_HARD, TOO_EASY = 0.25, 0.98
FLAG_ORDER = ("reported", "mis-keyed?", "too hard", "dead distractor", "too easy")
LETTERS = "ABCDE"


@dataclass(frozen=True)
class Report:
    """One learner's problem report (who made it is not part of the analysis)."""

    reason: str
    text: str
    content_version: str
    created_at: datetime


@dataclass
class ItemStats:
    """One question's figures and flags."""

    question_id: str
    topic: str | None
    kind: str | None  # None: no longer in the content
    attempts: int = 0
    first_tries: int = 0
    first_try_successes: int = 0
    in_review: int = 0
    lapses: int = 0
    median_ms: int | None = None
    # option label ("A".."E" in the content's order, "True"/"False") -> picks; the key's label
    picks: dict[str, int] = field(default_factory=dict)
    key: str | None = None
    reports: list[Report] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def first_try_rate(self) -> float | None:
        return self.first_try_successes / self.first_tries if self.first_tries else None

    @property
    def lapse_rate(self) -> float | None:
        return self.lapses / self.in_review if self.in_review else None

    def as_json(self) -> dict[str, object]:
        """Plain values for ``--json``."""
        answered = sum(self.picks.values())
        return {
            "question_id": self.question_id,
            "topic": self.topic,
            "type": self.kind,
            "attempts": self.attempts,
            "first_tries": self.first_tries,
            "first_try_success": self.first_try_rate,
            "lapse_rate": self.lapse_rate,
            "median_answer_ms": self.median_ms,
            "key": self.key,
            "picks": self.picks,
            "pick_rates": {label: n / answered for label, n in self.picks.items()} if answered else {},
            "reports": [
                {"reason": r.reason, "text": r.text, "version": r.content_version, "at": r.created_at.isoformat()}
                for r in self.reports
            ],
            "flags": self.flags,
        }


Items = dict[str, ItemStats]


def _success() -> ColumnElement[int]:
    """1 when a review succeeded: the answer was right, or a self-rating other than Again."""
    return case(
        (ReviewLog.correct.is_(None), case((ReviewLog.rating != int(Rating.AGAIN), 1), else_=0)),
        (ReviewLog.correct.is_(True), 1),
        else_=0,
    )


def _since(column: InstrumentedAttribute[datetime], since: datetime | None) -> ColumnElement[bool]:
    return column >= since if since is not None else true()


async def _counts(session: AsyncSession, since: datetime | None, items: Items, content: Content) -> None:
    in_review = ReviewLog.state_before == int(State.REVIEW)
    rows = await session.execute(
        select(
            ReviewLog.question_id,
            func.count(),
            func.sum(case((ReviewLog.was_new, 1), else_=0)),
            func.sum(case((ReviewLog.was_new, _success()), else_=0)),
            func.sum(case((in_review, 1), else_=0)),
            func.sum(case((and_(in_review, ReviewLog.rating == int(Rating.AGAIN)), 1), else_=0)),
        )
        .where(_since(ReviewLog.reviewed_at, since))
        .group_by(ReviewLog.question_id)
    )
    for qid, attempts, first, first_ok, reviewing, lapses in rows:
        item = _item(items, content, qid)
        item.attempts, item.first_tries, item.first_try_successes = attempts, int(first or 0), int(first_ok or 0)
        item.in_review, item.lapses = int(reviewing or 0), int(lapses or 0)


async def _picks(session: AsyncSession, since: datetime | None, items: Items, content: Content) -> None:
    rows = await session.execute(
        select(ReviewLog.question_id, ReviewLog.choice, func.count())
        .where(ReviewLog.choice.is_not(None), _since(ReviewLog.reviewed_at, since))
        .group_by(ReviewLog.question_id, ReviewLog.choice)
    )
    for qid, choice, count in rows:
        item = _item(items, content, qid)
        label = _label(content, qid, choice) if choice is not None else None
        if label is not None:
            item.picks[label] = item.picks.get(label, 0) + count


async def _medians(session: AsyncSession, since: datetime | None, items: Items, content: Content) -> None:
    times: dict[str, list[int]] = defaultdict(list)
    result = await session.stream(
        select(ReviewLog.question_id, ReviewLog.duration_ms.cast(Integer))
        .where(ReviewLog.duration_ms.is_not(None), _since(ReviewLog.reviewed_at, since))
        .execution_options(yield_per=5000)
    )
    async for qid, ms in result:
        times[qid].append(ms)
    for qid, values in times.items():
        _item(items, content, qid).median_ms = round(statistics.median(values))


async def _reports(session: AsyncSession, since: datetime | None, items: Items, content: Content) -> None:
    rows = await session.scalars(
        select(ProblemReport).where(_since(ProblemReport.created_at, since)).order_by(ProblemReport.created_at)
    )
    for row in rows:
        report = Report(row.reason, row.text, row.content_version, row.created_at)
        _item(items, content, row.question_id).reports.append(report)


def _item(items: Items, content: Content, qid: str) -> ItemStats:
    if qid not in items:
        question = content.questions.get(qid)
        items[qid] = ItemStats(qid, question.topic if question else None, question.type if question else None)
        if isinstance(question, MultipleChoice):
            items[qid].key = LETTERS[question.correct_index]
            items[qid].picks = {LETTERS[i]: 0 for i in range(len(question.options))}
        elif isinstance(question, TrueFalse):
            items[qid].key = "True" if question.answer else "False"
            items[qid].picks = {"True": 0, "False": 0}
    return items[qid]


def _label(content: Content, qid: str, choice: int) -> str | None:
    question = content.questions.get(qid)
    if isinstance(question, MultipleChoice):
        return LETTERS[choice] if 0 <= choice < len(question.options) else None
    if isinstance(question, TrueFalse):
        return "True" if choice else "False"
    return None


def flag(item: ItemStats) -> list[str]:
    """The reasons ``item`` needs a maintainer's look, most urgent first (see the module's rules)."""
    flags = []
    if item.reports:
        flags.append("reported")
    answered = sum(item.picks.values())
    if item.key is not None and answered >= MIN_PICKS:
        key_picks = item.picks.get(item.key, 0)
        if any(n > key_picks for label, n in item.picks.items() if label != item.key):
            flags.append("mis-keyed?")
    rate = item.first_try_rate
    if rate is not None and item.first_tries >= MIN_FIRST_TRIES and rate < TOO_HARD:
        flags.append("too hard")
    unpicked = [label for label, n in item.picks.items() if n == 0 and label != item.key]
    if item.kind == "multiple_choice" and answered >= MIN_PICKS_DEAD and unpicked:
        flags.append("dead distractor")
    if rate is not None and item.first_tries >= MIN_FIRST_TRIES and rate > TOO_EASY:
        flags.append("too easy")
    return flags


async def analyse(session: AsyncSession, content: Content, since: datetime | None = None) -> list[ItemStats]:
    """Every question with reviews or reports since ``since`` (all time when None): flagged
    ones first, most urgent flag first, then by attempts."""
    items: Items = {}
    await _counts(session, since, items, content)
    await _picks(session, since, items, content)
    await _medians(session, since, items, content)
    await _reports(session, since, items, content)
    for item in items.values():
        item.flags = flag(item)

    def order(item: ItemStats) -> tuple[int, int, str]:
        rank = min((FLAG_ORDER.index(f) for f in item.flags), default=len(FLAG_ORDER))
        return rank, -item.attempts, item.question_id

    return sorted(items.values(), key=order)


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} = {round(100 * part / whole)}%" if whole else "—"


def describe(item: ItemStats) -> list[str]:
    """``item`` as indented text lines (the CLI's and the admin command's body)."""
    seconds = f"{item.median_ms / 1000:.1f} s" if item.median_ms is not None else "—"
    lines = [
        f"attempts {item.attempts} · first try {_pct(item.first_try_successes, item.first_tries)}"
        f" · lapses {_pct(item.lapses, item.in_review)} · median {seconds}"
    ]
    answered = sum(item.picks.values())
    if item.picks and answered:
        picks = [
            f"{label}{'*' if label == item.key else ''} {n} ({round(100 * n / answered)}%)"
            for label, n in item.picks.items()
        ]
        lines.append("picks: " + " · ".join(picks) + "   (* the key)")
    for report in item.reports:
        said = f': "{report.text}"' if report.text else ""
        lines.append(f"report: {report.reason}{said} (content {report.content_version})")
    return lines


def render_text(items: list[ItemStats], *, since_days: int | None, version: str, limit: int | None) -> str:
    """The plain-text report: a summary line, then each question (flagged ones first)."""
    flagged = [i for i in items if i.flags]
    window = f"the last {since_days} days" if since_days is not None else "all time"
    reviews = sum(i.attempts for i in items)
    out = [
        f"Content report — {window}, content version {version}",
        f"{len(items)} questions with reviews or reports, {reviews} reviews; {len(flagged)} flagged.",
    ]
    shown = items if limit is None else items[:limit]
    for item in shown:
        where = f"{item.kind.replace('_', ' ')}, {item.topic}" if item.kind else "no longer in the content"
        mark = "⚑ " if item.flags else "  "
        head = f"{mark}{item.question_id}  ({where})"
        if item.flags:
            head += "  — " + ", ".join(item.flags)
        out += ["", head, *(f"    {line}" for line in describe(item))]
    if limit is not None and len(items) > limit:
        out += ["", f"… and {len(items) - limit} more (raise --limit to see them)."]
    return "\n".join(out)
