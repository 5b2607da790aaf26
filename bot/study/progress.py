"""A learner's roadmap progress: statuses, recall and mastery, level percentages.

Rules (stated in the README):
- Status is the learner's own: pending, learning, done or skipped.
- Recall of a topic = the expected share of its questions the learner would answer right
  now: the sum of FSRS retrievability over the topic's cards, divided by the number of
  questions in the topic (a question never reviewed counts as 0).
- A topic is *mastered* when its recall is at least 80%.
- A level's percentage counts topics that are done, skipped or mastered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Content, Level, Topic
from bot.db import queries
from bot.db.models import Card
from bot.study import parameters as fsrs_parameters
from scheduler.srs import CardState, Parameters, retrievability
from scheduler.timeutil import zone

STATUSES = ("pending", "learning", "done", "skipped")
MASTERY_RECALL = 0.8
STATUS_ICONS = {"pending": "⬜", "learning": "📖", "done": "✅", "skipped": "⏭️", "mastered": "🏆"}


@dataclass(frozen=True)
class TopicState:
    """A learner's standing on one topic: their status, whether it is in their reviews, recall."""

    topic: Topic
    status: str
    enrolled: bool  # in the learner's daily reviews (added, and not taken out since)
    recall: float  # 0..1
    cards: int
    reviewed: int
    reason: str | None = None  # "placement": the status came from /start's placement check
    removed: bool = False  # taken out of the learner's reviews

    @property
    def mastered(self) -> bool:
        return self.recall >= MASTERY_RECALL

    @property
    def complete(self) -> bool:
        return self.status in ("done", "skipped") or self.mastered

    @property
    def icon(self) -> str:
        if self.mastered and self.status != "skipped":
            return STATUS_ICONS["mastered"]
        return STATUS_ICONS[self.status]

    @property
    def label(self) -> str:
        if self.mastered and self.status != "skipped":
            return "mastered"
        return f"{self.status} (placement check)" if self.reason == "placement" else self.status


@dataclass(frozen=True)
class LevelProgress:
    level: Level
    topics: tuple[TopicState, ...]

    @property
    def complete(self) -> int:
        return sum(t.complete for t in self.topics)

    @property
    def fraction(self) -> float:
        return self.complete / len(self.topics) if self.topics else 0.0


def card_state(card: Card) -> CardState:
    """The schedulable part of a stored card, for the FSRS wrapper."""
    return CardState(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)


def topic_recall(
    cards: list[Card],
    n_questions: int,
    now: datetime,
    *,
    zone: tzinfo = UTC,
    parameters_of: Callable[[Card], Parameters | None] = lambda _: None,
) -> float:
    """The share of a topic's questions the learner would likely recall now (0 … 1): FSRS's
    recall probability of each card under the parameters scheduling it, days counted in ``zone``."""
    if n_questions <= 0:
        return 0.0
    live = [c for c in cards if not c.suspended]
    total = sum(retrievability(card_state(c), now, parameters=parameters_of(c), zone=zone) for c in live)
    return min(1.0, total / n_questions)


async def roadmap_progress(
    session: AsyncSession, content: Content, user_id: int, now: datetime, levels: list[int] | None = None
) -> list[LevelProgress]:
    """Progress for every level (or the given ones), from two queries (and, once a card has
    been reviewed, the learner and the parameters scheduling each kind, for its recall)."""
    progress = await queries.progress_map(session, user_id)
    wanted = [lv for lv in content.levels if levels is None or lv.number in levels]
    topic_ids = [topic.id for lv in wanted for topic in lv.topics]
    cards = await queries.cards_for(session, user_id, topic_ids if levels is not None else None)
    learner = await queries.learner_or_default(session, user_id, now)
    reviewed = any(card.last_review is not None for card in cards)
    used = await fsrs_parameters.parameters_by_kind(session, learner) if reviewed else {}

    def parameters_of(card: Card) -> Parameters | None:
        return used.get(fsrs_parameters.kind_of_question(content, card.question_id))

    by_topic: dict[str, list[Card]] = {}
    for card in cards:
        by_topic.setdefault(card.topic_id, []).append(card)
    out = []
    for lv in wanted:
        tps = []
        for topic in lv.topics:
            row = progress.get(topic.id)
            tcards = by_topic.get(topic.id, [])
            count = len(content.topic_questions(topic.id))
            tps.append(
                TopicState(
                    topic=topic,
                    status=row.status if row else "pending",
                    enrolled=bool(row and row.enrolled and row.removed_at is None),
                    recall=topic_recall(tcards, count, now, zone=zone(learner.timezone), parameters_of=parameters_of),
                    cards=len(tcards),
                    reviewed=sum(1 for card in tcards if card.last_review is not None),
                    reason=row.status_reason if row else None,
                    removed=bool(row and row.removed_at is not None),
                )
            )
        out.append(LevelProgress(lv, tuple(tps)))
    return out


async def topic_progress(
    session: AsyncSession, content: Content, user_id: int, topic_id: str, now: datetime
) -> TopicState:
    """One topic's status, enrolment and recall for the learner."""
    level = content.topics[topic_id].level
    lp = await roadmap_progress(session, content, user_id, now, levels=[level])
    return next(t for t in lp[0].topics if t.topic.id == topic_id)


def suggest_next(content: Content, levels: list[LevelProgress], exclude: set[str] | None = None) -> Topic | None:
    """The first topic, in roadmap order, not yet complete (nor being learned, nor in
    ``exclude``) whose prerequisites are complete."""
    by_id = {state.topic.id: state for lp in levels for state in lp.topics}
    for lp in levels:
        for state in lp.topics:
            if state.complete or (state.status == "learning" and state.enrolled) or state.topic.id in (exclude or ()):
                continue
            if all(by_id[p].complete for p in state.topic.prerequisites if p in by_id):
                return state.topic
    return None


def bar(fraction: float, width: int = 10) -> str:
    """A text progress bar of ``width`` blocks."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


async def set_status(
    session: AsyncSession, user_id: int, topic_id: str, status: str, now: datetime, *, reason: str | None = None
) -> None:
    """Set the learner's status for a topic: pending, learning, done or skipped (``reason``:
    who set it when not the learner, e.g. "placement"). A skipped topic gets no new questions."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    await queries.ensure_learner(session, user_id, now)
    row = await queries.set_progress(session, user_id, topic_id, now, status=status)
    row.status_reason = reason


async def enroll(session: AsyncSession, content: Content, user_id: int, topic_id: str, now: datetime) -> int:
    """Add a topic to the learner's reviews (again, if they had taken it out): one card per
    question. Returns cards created."""
    await queries.ensure_learner(session, user_id, now)
    row = await queries.set_progress(session, user_id, topic_id, now, enrolled=True)
    row.removed_at = None
    if row.status == "pending":
        row.status = "learning"
    before = len(await queries.cards_for(session, user_id, [topic_id]))
    await queries.create_cards(session, user_id, [(q.id, topic_id) for q in content.topic_questions(topic_id)], now)
    after = len(await queries.cards_for(session, user_id, [topic_id]))
    return after - before


async def remove_from_reviews(session: AsyncSession, user_id: int, topic_id: str, now: datetime) -> int:
    """Take a topic out of the learner's reviews: its cards are no longer asked, in /quiz or
    digests, until they add it again themselves; history stays. Returns the topic's cards."""
    await queries.ensure_learner(session, user_id, now)
    row = await queries.set_progress(session, user_id, topic_id, now, enrolled=False)
    row.removed_at = now
    return len(await queries.cards_for(session, user_id, [topic_id]))
