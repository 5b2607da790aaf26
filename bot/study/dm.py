"""A learner's direct-message state: the one place that changes it. No Discord here.

``dm_status`` is ``unknown`` until the first DM, ``open`` once one arrived, and ``closed``
after Discord refused one (50007): while closed no digest is scheduled or sent, until the
learner runs ``/reminders on`` again. ``dm_channel_id`` caches the DM channel so a digest
costs one request.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Learner

UNKNOWN, OPEN, CLOSED = "unknown", "open", "closed"


def closed(learner: Learner) -> None:
    """Discord refused a DM: stop scheduling digests and drop any pending snooze."""
    learner.dm_status, learner.next_digest_at, learner.snooze_until = CLOSED, None, None


async def mark_closed(session: AsyncSession, learner_id: int) -> None:
    """``closed`` for a learner not loaded in this session (one UPDATE)."""
    await session.execute(
        update(Learner)
        .where(Learner.id == learner_id)
        .values(dm_status=CLOSED, next_digest_at=None, snooze_until=None)
        .execution_options(synchronize_session=False)
    )


def opened(learner: Learner) -> None:
    """A DM reached the learner."""
    learner.dm_status = OPEN


def retry_after_opt_in(learner: Learner) -> None:
    """The learner asked for reminders again: try DMs once more."""
    if learner.dm_status == CLOSED:
        learner.dm_status = UNKNOWN


async def set_channel(session: AsyncSession, learner_id: int, channel_id: int | None) -> None:
    """Cache (or forget, with None) the learner's DM channel id."""
    await session.execute(
        update(Learner)
        .where(Learner.id == learner_id)
        .values(dm_channel_id=channel_id)
        .execution_options(synchronize_session=False)
    )


async def channel_id(session: AsyncSession, learner_id: int) -> int | None:
    """The learner's cached DM channel id, if any."""
    found = await session.scalar(select(Learner.dm_channel_id).where(Learner.id == learner_id))
    return int(found) if found else None
