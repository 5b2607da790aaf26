"""Which FSRS parameters schedule a learner, per question kind, and the stored fits. No Discord.

Rules (stated in the README):
- a learner's cards of a kind (recognition: multiple choice, true/false; recall: the rest)
  are scheduled with the learner's own set if one was adopted and they have not gone back
  to community parameters, else with the community set of the kind if one was adopted, else
  with FSRS-6's defaults;
- the set in use for a scope is its latest adopted row (``parameter_sets``); rows that were
  not adopted stay as history, with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content
from bot.db import queries
from bot.db.models import Learner, ParameterSet, ReviewLog
from bot.study.recompute import reschedule_learner
from scheduler import srs
from scheduler.fitting import Review
from scheduler.srs import KINDS, Parameters
from scheduler.timeutil import zone

DEFAULT, COMMUNITY, PERSONAL = "default", "community", "personal"
FIT_CHUNK = 2_000  # review-log rows read at a time for a fit


@dataclass(frozen=True)
class InUse:
    """The set scheduling a learner's cards of ``kind``: where it comes from, its values
    (None: FSRS-6's defaults) and its stored row (None for the defaults)."""

    kind: str
    source: str  # default | community | personal
    parameters: Parameters | None
    row: ParameterSet | None


@dataclass(frozen=True)
class KindOverview:
    """What /settings scheduler shows for one kind."""

    in_use: InUse
    reviews: int  # the learner's reviews of the kind
    latest_personal: ParameterSet | None  # the learner's latest personal fit, adopted or not


def kinds_of(content: Content) -> dict[str, str]:
    """Each question id of the content mapped to its kind."""
    return {qid: srs.question_kind(question.type) for qid, question in content.questions.items()}


def kind_of_question(content: Content, question_id: str) -> str:
    """A question's kind; a question no longer in the content counts as recall."""
    question = content.questions.get(question_id)
    return srs.question_kind(question.type) if question is not None else srs.RECALL


async def adopted(session: AsyncSession, scope: str, kind: str, learner_id: int | None = None) -> ParameterSet | None:
    """The latest adopted set of a scope and kind (a learner's, for personal), or None."""
    query = select(ParameterSet).where(
        ParameterSet.scope == scope, ParameterSet.kind == kind, ParameterSet.adopted.is_(True)
    )
    query = query.where(
        ParameterSet.learner_id == learner_id if learner_id is not None else ParameterSet.learner_id.is_(None)
    )
    return await session.scalar(query.order_by(ParameterSet.fitted_at.desc(), ParameterSet.id.desc()).limit(1))


async def latest(session: AsyncSession, scope: str, kind: str, learner_id: int | None = None) -> ParameterSet | None:
    """The latest fit of a scope and kind, adopted or not, or None."""
    query = select(ParameterSet).where(ParameterSet.scope == scope, ParameterSet.kind == kind)
    query = query.where(
        ParameterSet.learner_id == learner_id if learner_id is not None else ParameterSet.learner_id.is_(None)
    )
    return await session.scalar(query.order_by(ParameterSet.fitted_at.desc(), ParameterSet.id.desc()).limit(1))


def values(row: ParameterSet) -> Parameters:
    """A stored set's 21 parameters as a tuple."""
    return tuple(float(value) for value in row.parameters)


async def in_use(session: AsyncSession, learner: Learner, kind: str) -> InUse:
    """The set that schedules the learner's cards of ``kind``: personal → community → default."""
    if learner.personal_parameters and learner.id is not None:
        own = await adopted(session, PERSONAL, kind, learner.id)
        if own is not None:
            return InUse(kind, PERSONAL, values(own), own)
    shared = await adopted(session, COMMUNITY, kind)
    if shared is not None:
        return InUse(kind, COMMUNITY, values(shared), shared)
    return InUse(kind, DEFAULT, None, None)


async def parameters_for(session: AsyncSession, learner: Learner, kind: str) -> Parameters | None:
    """The parameter values scheduling the learner's cards of ``kind`` (None: the defaults)."""
    return (await in_use(session, learner, kind)).parameters


async def parameters_by_kind(session: AsyncSession, learner: Learner) -> dict[str, Parameters | None]:
    """``parameters_for`` each kind."""
    return {kind: await parameters_for(session, learner, kind) for kind in KINDS}


async def reviews_by_kind(session: AsyncSession, learner_id: int, content: Content) -> dict[str, int]:
    """How many reviews of each kind the learner has."""
    kinds = kinds_of(content)
    counts = dict.fromkeys(KINDS, 0)
    rows = await session.execute(
        select(ReviewLog.question_id, func.count())
        .where(ReviewLog.learner_id == learner_id)
        .group_by(ReviewLog.question_id)
    )
    for question_id, count in rows.all():
        counts[kinds.get(question_id, srs.RECALL)] += int(count)
    return counts


async def overview(session: AsyncSession, learner: Learner, content: Content) -> list[KindOverview]:
    """For each kind: the set in use, the learner's reviews of it, their latest personal fit."""
    counts = await reviews_by_kind(session, learner.id, content)
    return [
        KindOverview(
            await in_use(session, learner, kind), counts[kind], await latest(session, PERSONAL, kind, learner.id)
        )
        for kind in KINDS
    ]


async def set_personal(session: AsyncSession, content: Content, uid: int, on: bool, now: datetime) -> Learner:
    """Use personal parameters (when adopted) or go back to community ones; the learner's
    cards of a kind with a personal set are rescheduled from their logs under the set now in use."""
    learner = await queries.ensure_learner(session, uid, now)
    if learner.personal_parameters == on:
        return learner
    learner.personal_parameters = on
    kinds = kinds_of(content)
    for kind in KINDS:
        if await adopted(session, PERSONAL, kind, uid) is not None:
            ids = {qid for qid, found in kinds.items() if found == kind}
            await reschedule_learner(session, learner, await parameters_for(session, learner, kind), ids, now)
    return learner


@dataclass(frozen=True)
class FitLog:
    """A review log as plain columns (cheap to read, to pickle to a worker process and to
    turn into fitting reviews there): card ids, UTC timestamps, ratings, and each review's
    learner's time zone (FSRS counts the learner's days) as an index into ``zones``."""

    cards: tuple[str | int, ...]
    timestamps: tuple[float, ...]
    ratings: tuple[int, ...]
    zone_of: tuple[int, ...]
    zones: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.cards)

    @classmethod
    def of(cls, reviews: Sequence[Review]) -> FitLog:
        """A log of fitting reviews, their days counted in UTC."""
        return cls(
            tuple(review.card for review in reviews),
            tuple(review.reviewed_at.timestamp() for review in reviews),
            tuple(review.rating for review in reviews),
            (0,) * len(reviews),
            ("UTC",),
        )

    def reviews(self) -> list[Review]:
        """The log as fitting reviews, each at its time in its learner's zone."""
        zones = [zone(name) for name in self.zones]
        return [
            Review(card, datetime.fromtimestamp(stamp, zones[index]), rating)
            for card, stamp, rating, index in zip(self.cards, self.timestamps, self.ratings, self.zone_of, strict=True)
        ]


async def logs_for_fit(session: AsyncSession, question_ids: Iterable[str], learner_id: int | None = None) -> FitLog:
    """The review log of these questions (one learner's, or everyone's), oldest first, read in
    chunks so a long log never holds the event loop for long."""
    query = (
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating, Learner.timezone)
        .join(Learner, Learner.id == ReviewLog.learner_id)
        .where(ReviewLog.question_id.in_(list(question_ids)))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    if learner_id is not None:
        query = query.where(ReviewLog.learner_id == learner_id)
    cards: list[str | int] = []
    stamps: list[float] = []
    ratings: list[int] = []
    zone_of: list[int] = []
    zones: dict[str, int] = {}
    result = await session.stream(query)
    async for chunk in result.partitions(FIT_CHUNK):
        for card_id, at, rating, tz_name in chunk:
            cards.append(card_id)
            stamps.append(at.timestamp())
            ratings.append(rating)
            zone_of.append(zones.setdefault(tz_name, len(zones)))
        await asyncio.sleep(0)
    return FitLog(tuple(cards), tuple(stamps), tuple(ratings), tuple(zone_of), tuple(zones))


async def count_reviews(
    session: AsyncSession, question_ids: Iterable[str], *, since: datetime | None, learner_id: int | None = None
) -> int:
    """Reviews of these questions (one learner's, or everyone's), after ``since`` if given."""
    query = select(func.count()).select_from(ReviewLog).where(ReviewLog.question_id.in_(list(question_ids)))
    if since is not None:
        query = query.where(ReviewLog.reviewed_at > since)
    if learner_id is not None:
        query = query.where(ReviewLog.learner_id == learner_id)
    return int(await session.scalar(query) or 0)
