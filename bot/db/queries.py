"""Query functions. Each takes the session and never commits: the caller owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, Select, and_, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AppState, Base, Card, Learner, ReviewLog, TopicProgress


def affected(result: object) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)


# A learner id, or a bound parameter standing for one (statements built once, run many times).
UserId = int | BindParameter[int]


def insert_stmt(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT (with ON CONFLICT support) for ``model``."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def core_insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """``insert_stmt`` on the model's table: Core, for executemany without ORM bulk handling."""
    dialect = session.get_bind().dialect.name
    table = Base.metadata.tables[str(model.__tablename__)]
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def insert_ignore(session: AsyncSession, model: type[Base], rows: Sequence[dict[str, object]]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: safe when another task inserted the same key."""
    if rows:
        await session.execute(insert_stmt(session, model).values(list(rows)).on_conflict_do_nothing())


async def ensure_learner(session: AsyncSession, user_id: int, now: datetime) -> Learner:
    learner = await session.get(Learner, user_id)
    if learner is None:
        # Every other column takes the model's default.
        await insert_ignore(session, Learner, [{"id": user_id, "created_at": now}])
        learner = await session.get(Learner, user_id)
        assert learner is not None
    return learner


def default_learner(user_id: int, now: datetime) -> Learner:
    """A learner who has never used the bot, with the model's defaults, not in any session."""
    values: dict[str, object] = {"id": user_id, "created_at": now}
    for column in Learner.__table__.columns:
        default = column.default
        if column.key not in values and default is not None:
            values[column.key] = default.arg(None) if callable(default.arg) else default.arg
    return Learner(**values)


async def learner_or_default(session: AsyncSession, user_id: int, now: datetime) -> Learner:
    """The learner's row, or a default one without writing it (for read units)."""
    return await session.get(Learner, user_id) or default_learner(user_id, now)


async def progress_map(session: AsyncSession, user_id: int) -> dict[str, TopicProgress]:
    rows = await session.scalars(select(TopicProgress).where(TopicProgress.learner_id == user_id))
    return {r.topic_id: r for r in rows}


async def set_progress(
    session: AsyncSession,
    user_id: int,
    topic_id: str,
    now: datetime,
    *,
    status: str | None = None,
    enrolled: bool | None = None,
) -> TopicProgress:
    row = await session.get(TopicProgress, (user_id, topic_id))
    if row is None:
        await insert_ignore(
            session,
            TopicProgress,
            [
                {
                    "learner_id": user_id,
                    "topic_id": topic_id,
                    "status": "pending",
                    "enrolled": False,
                    "updated_at": now,
                }
            ],
        )
        row = await session.get(TopicProgress, (user_id, topic_id))
        assert row is not None
    if status is not None:
        row.status = status
    if enrolled is not None:
        row.enrolled = enrolled
    row.updated_at = now
    return row


def new_card(user_id: int, question_id: str, topic_id: str, now: datetime) -> dict[str, object]:
    """A never-reviewed card, due now (the model's defaults fill in the FSRS state)."""
    return {"learner_id": user_id, "question_id": question_id, "topic_id": topic_id, "due": now, "created_at": now}


async def create_cards(
    session: AsyncSession, user_id: int, questions: Iterable[tuple[str, str]], now: datetime
) -> None:
    """Create a new card for each (question_id, topic_id) the learner does not have yet."""
    rows = [new_card(user_id, qid, tid, now) for qid, tid in questions]
    for start in range(0, len(rows), 200):
        await insert_ignore(session, Card, rows[start : start + 200])


async def cards_for(session: AsyncSession, user_id: int, topic_ids: Iterable[str] | None = None) -> list[Card]:
    query = select(Card).where(Card.learner_id == user_id)
    if topic_ids is not None:
        query = query.where(Card.topic_id.in_(list(topic_ids)))
    return list(await session.scalars(query))


async def card_for_question(session: AsyncSession, user_id: int, question_id: str) -> Card | None:
    return await session.scalar(select(Card).where(Card.learner_id == user_id, Card.question_id == question_id))


def _removed_topics(user_id: UserId) -> Select[str]:
    """The learner's topics taken out of reviews."""
    return select(TopicProgress.topic_id).where(
        TopicProgress.learner_id == user_id, TopicProgress.removed_at.is_not(None)
    )


def _closed_to_new(user_id: UserId) -> Select[str]:
    """Topics whose new questions the learner does not want: removed or skipped."""
    return select(TopicProgress.topic_id).where(
        TopicProgress.learner_id == user_id,
        (TopicProgress.removed_at.is_not(None)) | (TopicProgress.status == "skipped"),
    )


def _reviewable(user_id: UserId) -> list[ColumnElement[bool]]:
    """Cards the learner reviews: theirs, not suspended, not of a topic they took out."""
    return [Card.learner_id == user_id, Card.suspended.is_(False), Card.topic_id.not_in(_removed_topics(user_id))]


def _new_for(user_id: UserId) -> list[ColumnElement[bool]]:
    """Never-reviewed cards the learner may be given: theirs, not suspended, not of a topic
    they took out or skipped."""
    return [
        Card.learner_id == user_id,
        Card.suspended.is_(False),
        Card.last_review.is_(None),
        Card.topic_id.not_in(_closed_to_new(user_id)),
    ]


async def due_cards(
    session: AsyncSession,
    user_id: int,
    now: datetime,
    limit: int,
    topic_ids: Sequence[str] | None = None,
    question_ids: set[str] | None = None,
) -> list[Card]:
    """Reviewed cards due by ``now``, most overdue first (topics taken out of reviews excluded)."""
    query = (
        select(Card)
        .where(*_reviewable(user_id), Card.due <= now, Card.last_review.is_not(None))
        .order_by(Card.due)
        .limit(limit)
    )
    if topic_ids is not None:
        query = query.where(Card.topic_id.in_(list(topic_ids)))
    rows = list(await session.scalars(query))
    return [c for c in rows if question_ids is None or c.question_id in question_ids]


async def new_cards(
    session: AsyncSession, user_id: int, limit: int, topic_ids: Sequence[str] | None = None
) -> list[Card]:
    """Never-reviewed cards in the order they were added (not of removed or skipped topics)."""
    query = select(Card).where(*_new_for(user_id)).order_by(Card.id).limit(limit)
    if topic_ids is not None:
        query = query.where(Card.topic_id.in_(list(topic_ids)))
    return list(await session.scalars(query))


async def count_due(session: AsyncSession, user_id: int, now: datetime) -> int:
    """How many reviews are due by ``now``."""
    count = await session.scalar(
        select(func.count())
        .select_from(Card)
        .where(*_reviewable(user_id), Card.due <= now, Card.last_review.is_not(None))
    )
    return int(count or 0)


async def count_new_available(session: AsyncSession, user_id: int) -> int:
    """How many new questions the learner could be asked (within their topics)."""
    count = await session.scalar(
        select(func.count())
        .select_from(Card)
        .where(
            Card.learner_id == user_id,
            Card.suspended.is_(False),
            Card.last_review.is_(None),
            Card.topic_id.not_in(_closed_to_new(user_id)),
        )
    )
    return int(count or 0)


async def reviews_since(session: AsyncSession, user_id: int, since: datetime) -> tuple[int, int]:
    """(reviews, new cards introduced) since ``since``, against the daily limits: answers in
    /start's placement check are evidence, not study, and do not count."""
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(case((ReviewLog.was_new, 1), else_=0)), 0)).where(
                ReviewLog.learner_id == user_id, ReviewLog.reviewed_at >= since, ReviewLog.source != "placement"
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def next_due(session: AsyncSession, user_id: int) -> datetime | None:
    """When the learner's next review falls due."""
    return await session.scalar(select(func.min(Card.due)).where(*_reviewable(user_id), Card.last_review.is_not(None)))


async def get_state(session: AsyncSession, key: str) -> str | None:
    row = await session.get(AppState, key)
    return None if row is None else row.value


async def set_state(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """Store ``key`` = ``value`` in one upsert: processes starting together (each syncing the
    commands) may write the same key at once, and neither may fail."""
    statement = insert_stmt(session, AppState).values(key=key, value=value, updated_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[AppState.key], set_={"value": value, "updated_at": now})
    )


async def sync_content_ids(session: AsyncSession, live_ids: set[str], replaced_by: dict[str, str]) -> dict[str, int]:
    """Carry history over for replaced questions; suspend cards of removed questions,
    and resume cards whose question came back. Returns counts for logging."""
    moved = 0
    for old, new in replaced_by.items():
        # Learners who already have a card for the new id keep it; their old card is suspended below.
        taken = select(Card.learner_id).where(Card.question_id == new).scalar_subquery()
        res = await session.execute(
            update(Card).where(Card.question_id == old, Card.learner_id.not_in(taken)).values(question_id=new)
        )
        moved += affected(res)
        await session.execute(update(ReviewLog).where(ReviewLog.question_id == old).values(question_id=new))
    present = select(Card.question_id).distinct()
    existing = set(await session.scalars(present))
    gone = existing - live_ids
    back = existing & live_ids
    suspended = resumed = 0
    if gone:
        result = await session.execute(
            update(Card).where(Card.question_id.in_(gone), Card.suspended.is_(False)).values(suspended=True)
        )
        suspended = affected(result)
    if back:
        result = await session.execute(
            update(Card).where(and_(Card.question_id.in_(back), Card.suspended.is_(True))).values(suspended=False)
        )
        resumed = affected(result)
    return {"moved": moved, "suspended": suspended, "resumed": resumed}
