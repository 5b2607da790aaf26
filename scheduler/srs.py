"""FSRS scheduling through the ``fsrs`` package (FSRS-6). Aware UTC only; no Discord.

Learning steps fit a chat rhythm: one 10-minute step, and a quiz session re-asks a card
rated Again before it ends (see ``bot.study.quiz``), so a lapse is practised in the same
sitting instead of by a DM minutes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import lru_cache

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler
from fsrs import State as FsrsState
from fsrs.scheduler import DEFAULT_PARAMETERS

MIN_RETENTION, MAX_RETENTION, DEFAULT_RETENTION = 0.70, 0.97, 0.90
# Question kinds, each scheduled with its own parameters: recognition (the answer is among
# what is shown: multiple choice, true/false) and recall (the learner produces it: flashcards,
# cloze and any other type).
RECOGNITION, RECALL = "recognition", "recall"
KINDS = (RECOGNITION, RECALL)
RECOGNITION_TYPES = frozenset({"multiple_choice", "true_false"})
Parameters = tuple[float, ...]
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class State(IntEnum):
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass
class CardState:
    """The schedulable part of a card, as stored in the ``cards`` table."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    @classmethod
    def new(cls, now: datetime) -> CardState:
        """A card never reviewed, due now."""
        return cls(State.LEARNING, 0, None, None, _utc(now), None)


def question_kind(question_type: str) -> str:
    """The kind a question type is scheduled as: recognition for multiple choice and
    true/false, recall for everything else (flashcards, cloze, types added later)."""
    return RECOGNITION if question_type in RECOGNITION_TYPES else RECALL


def _utc(dt: datetime) -> datetime:
    """The fsrs package accepts only datetime.timezone.utc: normalise any aware value."""
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt!r}: use aware UTC datetimes")
    return dt.astimezone(UTC)


def check_retention(value: float) -> float:
    """``value`` if it is an allowed desired retention, else ValueError naming the range."""
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f}, got {value}")
    return value


@lru_cache(maxsize=256)
def scheduler_for(retention: float, fuzz: bool = True, parameters: Parameters | None = None) -> Scheduler:
    """An FSRS scheduler for a desired retention and parameter set (the FSRS-6 defaults when
    None), cached per combination."""
    return Scheduler(
        parameters=parameters if parameters is not None else DEFAULT_PARAMETERS,
        desired_retention=check_retention(round(retention, 2)),
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        enable_fuzzing=fuzz,
    )


def _to_fsrs(card: CardState) -> FsrsCard:
    return FsrsCard(
        card_id=1,  # unused by scheduling; passing it avoids fsrs's 1 ms sleep
        state=FsrsState(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review) if card.last_review else None,
    )


def review(
    card: CardState,
    rating: Rating,
    now: datetime,
    *,
    retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    parameters: Parameters | None = None,
) -> CardState:
    """The card after a review with ``rating`` at ``now`` (under ``parameters``, default FSRS-6's)."""
    sched = scheduler_for(retention, fuzz, parameters)
    new, _log = sched.review_card(_to_fsrs(card), FsrsRating(int(rating)), review_datetime=_utc(now))
    return CardState(int(new.state), new.step, new.stability, new.difficulty, new.due, new.last_review)


def retrievability(
    card: CardState, now: datetime, *, retention: float = DEFAULT_RETENTION, parameters: Parameters | None = None
) -> float:
    """Predicted probability of recall at ``now`` (0 for a card never reviewed)."""
    if card.last_review is None or card.stability is None:
        return 0.0
    return float(scheduler_for(retention, True, parameters).get_card_retrievability(_to_fsrs(card), _utc(now)))
