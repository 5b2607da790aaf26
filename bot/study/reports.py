"""Problem reports: a learner says a question is wrong, unclear or has a typo.

One report per learner and question (a second one is refused politely, not stored); each
remembers the content version it was made on, since the question may be fixed later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.db import queries
from bot.db.models import ProblemReport
from bot.errors import InvalidInput, StaleInteraction

REASONS = {"wrong_answer": "Wrong answer", "unclear": "Unclear", "typo": "Typo", "other": "Something else"}
MAX_TEXT = 500


async def submit(
    session: AsyncSession, content: Content, user_id: int, question_id: str, reason: str, text: str, now: datetime
) -> bool:
    """Store the learner's report on ``question_id``; False (nothing stored) when they already
    reported that question. Refuses an unknown question or reason and text over 500 characters."""
    if question_id not in content.questions:
        raise StaleInteraction(
            "That question is no longer in the course, so there is nothing left to report.", title="Question removed"
        )
    if reason not in REASONS:
        raise InvalidInput(f"Pick one of: {', '.join(REASONS.values())}.", title="Unknown reason")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"Please keep the description to {MAX_TEXT} characters (it has {len(text)}).", title="Report too long"
        )
    await queries.ensure_learner(session, user_id, now)
    stored = await session.scalar(
        queries.insert_stmt(session, ProblemReport)
        .values(
            learner_id=user_id,
            question_id=question_id,
            content_version=content.version,
            reason=reason,
            text=text,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(ProblemReport.id)
    )
    return stored is not None
