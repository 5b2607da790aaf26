"""A learner's data rights: export everything held about them, or delete it all."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from sqlalchemy import BigInteger, delete, inspect, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Base,
    Card,
    ChannelAnswer,
    Delivery,
    GuildMember,
    Learner,
    ParameterSet,
    Placement,
    PracticeLog,
    ProblemReport,
    QuizSession,
    ReviewLog,
    StudyChannel,
    TopicProgress,
)
from bot.db.queries import affected

# Every table that holds rows about a learner, and the column naming them.
Export = dict[str, object]
Row = dict[str, object]

PERSONAL: list[tuple[type[Base], str]] = [
    (TopicProgress, "learner_id"),
    (Card, "learner_id"),
    (ReviewLog, "learner_id"),
    (PracticeLog, "learner_id"),
    (QuizSession, "learner_id"),
    (Placement, "learner_id"),
    (ProblemReport, "learner_id"),
    (ParameterSet, "learner_id"),  # personal FSRS parameter sets (community sets name no one)
    (ChannelAnswer, "user_id"),
    (GuildMember, "user_id"),
]
PERSONAL_DELIVERIES = ("digest", "snooze")


def _plain(row: Base) -> Row:
    """A row as JSON-ready values. 64-bit ids (Discord snowflakes) become strings: JavaScript
    and many JSON readers round integers above 2⁵³."""
    out: Row = {}
    for attr in inspect(row).mapper.column_attrs:
        value = getattr(row, attr.key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool) and isinstance(attr.columns[0].type, BigInteger):
            value = str(value)
        out[attr.key] = value
    return out


async def export(session: AsyncSession, uid: int) -> Export:
    """Everything stored about the learner, as JSON-ready values."""
    learner = await session.get(Learner, uid)
    data: Export = {
        "format": "ai-roadmap-study-bot export v1",
        "user_id": str(uid),
        "settings": _plain(learner) if learner else None,
    }
    for model, col in PERSONAL:
        rows = await session.scalars(select(model).where(getattr(model, col) == uid))
        data[model.__tablename__] = [_plain(r) for r in rows]
    rows = await session.scalars(
        select(Delivery).where(Delivery.kind.in_(PERSONAL_DELIVERIES), Delivery.target_id == uid)
    )
    data["deliveries"] = [_plain(r) for r in rows]
    return data


def export_files(data: Export) -> dict[str, bytes]:
    """``mydata.json`` with everything, and ``reviews.csv`` with the review log."""
    buf = io.StringIO()
    found = data.get("review_logs")
    logs = [row for row in found if isinstance(row, dict)] if isinstance(found, list) else []
    if logs:
        writer = csv.DictWriter(buf, fieldnames=list(logs[0]))
        writer.writeheader()
        writer.writerows(logs)
    return {
        "mydata.json": json.dumps(data, indent=2, ensure_ascii=False).encode(),
        "reviews.csv": buf.getvalue().encode(),
    }


def paused_by(uid: int) -> str:
    """The pause reason of a study channel paused by a member: a mention, which Discord shows
    as the member's current name, and which ``delete_all`` can find and remove."""
    return f"paused by <@{uid}>"


async def delete_all(session: AsyncSession, uid: int, names: tuple[str, ...] = ()) -> dict[str, int]:
    """Delete every row about the learner (leaderboards included); returns counts per kind.
    ``names``: the member's current names, scrubbed from older study-channel pause reasons."""
    counts: dict[str, int] = {}
    for model, col in reversed(PERSONAL):
        res = await session.execute(delete(model).where(getattr(model, col) == uid))
        counts[model.__tablename__] = affected(res)
    res = await session.execute(
        delete(Delivery).where(Delivery.kind.in_(PERSONAL_DELIVERIES), Delivery.target_id == uid)
    )
    counts["deliveries"] = affected(res)
    res = await session.execute(update(StudyChannel).where(StudyChannel.created_by == uid).values(created_by=0))
    counts["study_channels_anonymised"] = affected(res)
    mentions = [StudyChannel.pause_reason == paused_by(uid)]
    mentions += [StudyChannel.pause_reason == f"paused by {name}" for name in names if name]
    res = await session.execute(
        update(StudyChannel).where(or_(*mentions)).values(pause_reason="paused by a server admin")
    )
    counts["study_channels_anonymised"] += affected(res)
    res = await session.execute(delete(Learner).where(Learner.id == uid))
    counts["learners"] = affected(res)
    return counts


DESCRIPTIONS = {
    "learners": "your settings",
    "topic_progress": "topic statuses",
    "cards": "review cards",
    "review_logs": "review history entries",
    "practice_logs": "cram practice entries",
    "quiz_sessions": "quiz sessions",
    "placements": "placement check runs",
    "problem_reports": "problem reports on questions",
    "channel_answers": "study-channel answers",
    "guild_members": "leaderboard entries",
    "deliveries": "digest delivery records",
    "parameter_sets": "personal scheduling parameter fits",
    "study_channels_anonymised": "study channels you created (kept for the server, your id removed)",
}


def record_count(data: Export) -> int:
    """How many rows an export holds (every list in it)."""
    return sum(len(value) for value in data.values() if isinstance(value, list))
