"""FSRS scheduling through the ``fsrs`` package (FSRS-6). Aware datetimes only; no Discord.

Learning steps fit a chat rhythm: one 10-minute step, and a quiz session re-asks a card
rated Again before it ends (see ``bot.study.quiz``), so a lapse is practised in the same
sitting instead of by a DM minutes later.

Days are counted as FSRS counts them (fsrs-rs, Anki, and our fits in ``scheduler.fitting``):
the review days between two reviews, a day starting at 04:00 (``ROLLOVER``) in the learner's
time zone. py-fsrs on its own floors elapsed 24-hour periods, so a card answered at 09:30 and
again at 08:15 the next morning would get a same-day (short-term) update instead of a full
one, and grow far more slowly than the parameters say: ``review`` and ``retrievability``
hand py-fsrs the card's last review moved to exactly that many whole days before ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
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
ROLLOVER = timedelta(hours=4)  # a review day starts at 04:00 in the learner's time zone, as in Anki


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


def review_day(moment: datetime) -> date:
    """The day a review counts for: its date in its own time zone, a day starting at ``ROLLOVER``."""
    return (moment - ROLLOVER).date()


def elapsed_days(earlier: datetime, later: datetime) -> int:
    """Days from ``earlier`` to ``later`` as FSRS counts them: review days between them (never negative)."""
    return max(0, (review_day(later) - review_day(earlier)).days)


def counted_last_review(last_review: datetime, now: datetime, zone: tzinfo = UTC) -> datetime:
    """``last_review`` as py-fsrs must see it to count FSRS's days at ``now``: exactly the
    review days between them (in ``zone``) as whole 24-hour periods before ``now``, in UTC."""
    days = elapsed_days(last_review.astimezone(zone), now.astimezone(zone))
    return _utc(now) - timedelta(days=days)


def _to_fsrs(card: CardState, now: datetime, zone: tzinfo) -> FsrsCard:
    last_review = counted_last_review(card.last_review, now, zone) if card.last_review else None
    return FsrsCard(
        card_id=1,  # unused by scheduling; passing it avoids fsrs's 1 ms sleep
        state=FsrsState(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=last_review,
    )


def review(
    card: CardState,
    rating: Rating,
    now: datetime,
    *,
    retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    parameters: Parameters | None = None,
    zone: tzinfo = UTC,
) -> CardState:
    """The card after a review with ``rating`` at ``now`` (under ``parameters``, default FSRS-6's),
    days counted in the learner's ``zone``."""
    sched = scheduler_for(retention, fuzz, parameters)
    new, _log = sched.review_card(_to_fsrs(card, now, zone), FsrsRating(int(rating)), review_datetime=_utc(now))
    return CardState(int(new.state), new.step, new.stability, new.difficulty, new.due, new.last_review)


def retrievability(
    card: CardState,
    now: datetime,
    *,
    retention: float = DEFAULT_RETENTION,
    parameters: Parameters | None = None,
    zone: tzinfo = UTC,
) -> float:
    """Predicted probability of recall at ``now`` (0 for a card never reviewed), days counted in ``zone``."""
    if card.last_review is None or card.stability is None:
        return 0.0
    fsrs_card = _to_fsrs(card, now, zone)
    return float(scheduler_for(retention, True, parameters).get_card_retrievability(fsrs_card, _utc(now)))
