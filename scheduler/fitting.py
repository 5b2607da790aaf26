"""Fitting FSRS-6 parameters to review logs with fsrs-rs-python; pure (no database, no Discord).

Conventions:

- a review log is a list of :class:`Review` (card, aware time, rating 1-4);
- ``delta_t`` counts days as FSRS (fsrs-rs, Anki) does: the number of day boundaries between
  a card's previous review and this one, a day starting at 04:00 (``srs.ROLLOVER``) in the time
  zone of the review's datetime, so UTC datetimes count UTC days and datetimes in a learner's
  zone count that learner's days; the first review of a card has ``delta_t`` 0. Live
  scheduling (``scheduler.srs``) counts days the same way, so a fitted set means the same
  thing in the fit and in the schedule. (py-fsrs alone floors elapsed 24-hour periods: a
  review 23 hours after the previous one, on the next day, would count as a same-day one.)
- same-day reviews (``delta_t`` 0, e.g. a lapse asked again in the session) stay in the card's
  history, where FSRS-6 applies its short-term stability, but are never a prediction target:
  an FSRS item is a card's history up to a review at least a day after the previous one, and
  items are ordered by the time of that review (fsrs-rs weights later items more);
- fitted parameters are clamped into py-fsrs's bounds (fsrs-rs returns float32 values that
  can sit a hair outside them), so they drop into ``fsrs.Scheduler(parameters=...)``, whose
  recall predictions are then fsrs-rs's for reviews a whole number of days apart.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, TypeVar

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview, evaluate_with_time_series_splits

from scheduler.srs import RELEARNING_STEPS, review_day

MAX_REVIEWS = 200_000  # the most a fit reads: about 3 s of CPU (see ``fit``)
MIN_ITEMS = 64  # below this fsrs-rs fits the initial stabilities at most: keep the start set
MIN_PERSONAL_REVIEWS = 2_000  # a learner's own parameters need at least this many reviews
HELD_OUT_SHARE = 0.2
MAXIMUM_INTERVAL = 36_500
FLOAT32_SLACK = 1e-5  # fsrs-rs works in float32: a bound can come back this far off
CardKey = TypeVar("CardKey", bound=Hashable)


@dataclass(frozen=True)
class Review:
    """One answered review: which card, when (aware: compared as instants, counted in days of
    its own time zone) and the rating (1 Again … 4 Easy)."""

    card: str | int
    reviewed_at: datetime
    rating: int

    def __post_init__(self) -> None:
        if self.reviewed_at.tzinfo is None:
            raise ValueError(f"naive datetime {self.reviewed_at!r}: use aware datetimes (UTC or the learner's zone)")
        if not 1 <= self.rating <= 4:
            raise ValueError(f"rating must be 1 (Again) to 4 (Easy), got {self.rating}")


@dataclass(frozen=True)
class Fitted:
    """A fit: the 21 parameters, the reviews and FSRS items it used, whether fsrs-rs trained."""

    parameters: tuple[float, ...]
    reviews: int
    items: int
    trained: bool


@dataclass(frozen=True)
class Evaluation:
    """fsrs-rs's log loss and RMSE(bins) over ``items`` predicted reviews (recency-weighted)."""

    log_loss: float
    rmse_bins: float
    items: int


@dataclass(frozen=True)
class Split:
    """Reviews split by time: ``train`` is everything before ``cut``; the reviews at or after
    ``cut`` are the held-out ones, predicted from the full history in ``reviews``."""

    cut: datetime
    train: tuple[Review, ...]
    reviews: tuple[Review, ...]


@dataclass(frozen=True)
class Decision:
    """Whether to adopt ``candidate``; ``parameters`` is the set to use from now on."""

    adopted: bool
    parameters: tuple[float, ...]
    candidate: tuple[float, ...]
    candidate_evaluation: Evaluation | None
    current_evaluation: Evaluation | None
    reason: str | None


class Recomputed(NamedTuple):
    """A card's memory state after its review log, and when it is next due."""

    stability: float
    difficulty: float
    due: datetime


def histories(reviews: Sequence[Review]) -> dict[str | int, list[Review]]:
    """Each card's reviews in time order, cards in order of their first review (then of their
    key); a card's reviews at one instant keep their order in ``reviews``."""
    grouped: dict[str | int, list[Review]] = {}
    for review in sorted(reviews, key=lambda r: (r.reviewed_at, str(r.card))):
        grouped.setdefault(review.card, []).append(review)
    return grouped


def _deltas(history: Sequence[Review]) -> list[int]:
    """Each review's ``delta_t``: 0 for the first, then days since the previous review."""
    days = [review_day(review.reviewed_at) for review in history]
    return [0] + [max(0, (later - earlier).days) for earlier, later in itertools.pairwise(days)]


def fsrs_reviews(history: Sequence[Review]) -> list[FSRSReview]:
    """One card's time-ordered reviews as fsrs-rs reviews: ``delta_t`` 0 first, then elapsed days."""
    return [FSRSReview(review.rating, delta) for review, delta in zip(history, _deltas(history), strict=True)]


class _Target(NamedTuple):
    """A review to predict: when, its card's reviews up to it, and its rating."""

    at: datetime
    reviews: list[FSRSReview]
    elapsed: int
    rating: int


def _targets(reviews: Sequence[Review], since: datetime | None) -> list[_Target]:
    """Every review at least a day after its card's previous one (at or after ``since``), in time order."""
    found: list[tuple[datetime, int, _Target]] = []
    for history in histories(reviews).values():
        deltas = _deltas(history)
        converted = [FSRSReview(review.rating, delta) for review, delta in zip(history, deltas, strict=True)]
        for index in range(1, len(history)):
            target = history[index]
            if deltas[index] == 0 or (since is not None and target.reviewed_at < since):
                continue
            entry = _Target(target.reviewed_at, converted[: index + 1], deltas[index], target.rating)
            found.append((target.reviewed_at, len(found), entry))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [target for _, _, target in found]


def fsrs_items(reviews: Sequence[Review], *, since: datetime | None = None) -> list[FSRSItem]:
    """The FSRS items of a review log, ordered by the time of the review each one predicts.

    An item is a card's history up to and including a review at least one day after the
    previous one (same-day reviews stay in histories but are not targets). With ``since``,
    only reviews at or after it are targets; their histories still include earlier reviews.
    """
    return [FSRSItem(target.reviews) for target in _targets(reviews, since)]


def recall_predictions(
    parameters: Sequence[float], reviews: Sequence[Review], *, since: datetime | None = None
) -> list[tuple[float, bool]]:
    """For each review ``fsrs_items`` would predict, in the same order: the probability of
    recall ``parameters`` give it from the card's earlier reviews, and whether it was recalled."""
    clamped = _clamped(parameters)
    targets = _targets(reviews, since)
    states = FSRS(list(clamped)).memory_state_batch([FSRSItem(target.reviews[:-1]) for target in targets])
    decay = -clamped[20]
    factor = 0.9 ** (1 / decay) - 1
    return [
        ((1 + factor * target.elapsed / state.stability) ** decay, target.rating > 1)
        for target, state in zip(targets, states, strict=True)
    ]


def bounded(reviews: Sequence[Review], limit: int = MAX_REVIEWS) -> list[Review]:
    """At most ``limit`` reviews, keeping whole histories of the most recently reviewed cards."""
    if len(reviews) <= limit:
        return list(reviews)
    by_card = histories(reviews)
    newest_first = sorted(by_card.values(), key=lambda h: h[-1].reviewed_at, reverse=True)
    kept: list[Review] = []
    for history in newest_first:
        if len(kept) + len(history) > limit:
            break
        kept += history
    return kept


def _clamped(values: Sequence[float]) -> tuple[float, ...]:
    """``values`` as floats within py-fsrs's bounds; only float32 noise is clamped, more is an error."""
    if len(values) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"expected {len(DEFAULT_PARAMETERS)} parameters, got {len(values)}")
    bounds = zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    out: list[float] = []
    for index, (value, low, high) in enumerate(bounds):
        if not low - FLOAT32_SLACK <= value <= high + FLOAT32_SLACK:
            raise ValueError(f"parameters[{index}] = {value} is outside [{low}, {high}]")
        out.append(min(high, max(low, float(value))))
    return tuple(out)


def fit(reviews: Sequence[Review], *, start: Sequence[float] | None = None, max_reviews: int = MAX_REVIEWS) -> Fitted:
    """FSRS-6 parameters fitted to ``reviews`` by fsrs-rs (deterministic: fixed seed).

    Bounded in time: at most ``max_reviews`` reviews are read (whole histories of the most
    recently reviewed cards), and fsrs-rs trains a fixed 5 epochs (skipping histories over 256
    reviews), so the cost grows with the reviews read: about 1.4 s of one core per 100,000,
    two thirds of it building the items in Python. fsrs-rs always trains from its own
    starting point (initial stabilities pretrained from the data, defaults for the rest) and
    cannot resume from another set; ``start`` (default: the FSRS-6 defaults) is returned
    unchanged, with ``trained`` False, when there are fewer than ``MIN_ITEMS`` items to learn from.
    """
    used = bounded(reviews, max_reviews)
    items = fsrs_items(used)
    fallback = _clamped(start if start is not None else DEFAULT_PARAMETERS)
    if len(items) < MIN_ITEMS:
        return Fitted(fallback, len(used), len(items), trained=False)
    values = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items, num_relearning_steps=len(RELEARNING_STEPS))
    return Fitted(_clamped(values), len(used), len(items), trained=True)


def evaluate(parameters: Sequence[float], reviews: Sequence[Review], *, since: datetime | None = None) -> Evaluation:
    """How well ``parameters`` predict the reviews of the log (those at or after ``since``, if given).

    fsrs-rs's own metrics: log loss and RMSE(bins), with its recency weights (the latest
    predicted review counts four times the earliest). ValueError if there is nothing to predict.
    """
    items = fsrs_items(reviews, since=since)
    if not items:
        raise ValueError("no review at least a day after the previous one of its card: nothing to predict")
    result = FSRS(list(_clamped(parameters))).evaluate(items)
    return Evaluation(float(result.log_loss), float(result.rmse_bins), len(items))


def split_by_time(reviews: Sequence[Review], held_out_share: float = HELD_OUT_SHARE) -> Split:
    """The earliest ``1 - held_out_share`` of the reviews by time to fit on, the rest held out.

    All reviews at the cut instant go to the held-out side, so no review is on both.
    """
    if not reviews:
        raise ValueError("no reviews to split")
    if not 0 < held_out_share < 1:
        raise ValueError(f"held_out_share must be between 0 and 1, got {held_out_share}")
    ordered = sorted(reviews, key=lambda r: r.reviewed_at)
    cut = ordered[min(len(ordered) - 1, math.floor(len(ordered) * (1 - held_out_share)))].reviewed_at
    return Split(cut, tuple(r for r in ordered if r.reviewed_at < cut), tuple(ordered))


def decide(candidate: Sequence[float], current: Sequence[float], held_out: Split) -> Decision:
    """Adopt ``candidate`` only if its log loss on the held-out (later) reviews is lower than
    that of ``current``, the set in use; both sets' figures are recorded either way.

    Not fsrs-rs's ``evaluate_with_time_series_splits``: that refits from scratch on each fold
    and scores the fitting procedure, whereas this compares two given sets on the same reviews.
    """
    candidate_set, current_set = _clamped(candidate), _clamped(current)
    try:
        new = evaluate(candidate_set, held_out.reviews, since=held_out.cut)
        old = evaluate(current_set, held_out.reviews, since=held_out.cut)
    except ValueError:
        return Decision(False, current_set, candidate_set, None, None, "no held-out review to judge by")
    if new.log_loss < old.log_loss:
        return Decision(True, candidate_set, candidate_set, new, old, None)
    reason = f"held-out log loss {new.log_loss:.4f} is not lower than {old.log_loss:.4f} with the set in use"
    return Decision(False, current_set, candidate_set, new, old, reason)


def personal_decision(
    reviews: Sequence[Review], current: Sequence[float], *, min_reviews: int = MIN_PERSONAL_REVIEWS
) -> Decision:
    """A learner's own parameters, as the bot adopts them: only from at least ``min_reviews``
    reviews, fitted on the earliest 80 % and adopted only if they predict the latest 20 % better
    than ``current``."""
    current_set = _clamped(current)
    if len(reviews) < min_reviews:
        reason = f"{len(reviews)} reviews; personal parameters need at least {min_reviews}"
        return Decision(False, current_set, current_set, None, None, reason)
    split = split_by_time(reviews)
    candidate = fit(split.train, start=current_set)
    if not candidate.trained:
        return Decision(False, current_set, current_set, None, None, "too few reviews to train on before the cut")
    return decide(candidate.parameters, current_set, split)


def cross_validate(reviews: Sequence[Review]) -> Evaluation:
    """fsrs-rs's time-series cross-validation of fitting itself on this log (refits per fold):
    how well parameters fitted on earlier reviews predict later ones, for logs like this one."""
    items = fsrs_items(reviews)
    result = evaluate_with_time_series_splits(items, num_relearning_steps=len(RELEARNING_STEPS))
    return Evaluation(float(result.log_loss), float(result.rmse_bins), len(items))


def interval_days(parameters: Sequence[float], stability: float, desired_retention: float) -> float:
    """Days until recall falls to ``desired_retention`` (unrounded, before any limit)."""
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return stability / factor * (desired_retention ** (1 / decay) - 1)


def next_interval_days(parameters: Sequence[float], stability: float, desired_retention: float) -> int:
    """py-fsrs's interval without fuzz: whole days until recall falls to ``desired_retention``."""
    return min(MAXIMUM_INTERVAL, max(1, round(interval_days(parameters, stability, desired_retention))))


def _checked_history(reviews_of_one_card: Sequence[Review], now: datetime) -> list[Review]:
    history = sorted(reviews_of_one_card, key=lambda r: r.reviewed_at)
    if not history:
        raise ValueError("no reviews: a card never reviewed has no memory state")
    if len({review.card for review in history}) > 1:
        raise ValueError("reviews of more than one card")
    if history[-1].reviewed_at > now:
        raise ValueError(f"a review at {history[-1].reviewed_at} is after now ({now})")
    return history


def recompute(
    parameters: Sequence[float], reviews_of_one_card: Sequence[Review], desired_retention: float, now: datetime
) -> Recomputed:
    """One card's stability and difficulty after its whole log under ``parameters`` (fsrs-rs's
    memory state), and its next due date: the last review plus the unfuzzed interval, as a card
    in the Review state (the bot finishes learning steps within the session). The due date may
    be before ``now`` (overdue: see ``spread_overdue``). ValueError for an empty log, a log of
    several cards or a review after ``now``."""
    return recompute_many(parameters, [reviews_of_one_card], desired_retention, now)[0]


def recompute_many(
    parameters: Sequence[float], logs: Sequence[Sequence[Review]], desired_retention: float, now: datetime
) -> list[Recomputed]:
    """``recompute`` for several cards' logs (one each), in one fsrs-rs batch."""
    histories_ = [_checked_history(log, now) for log in logs]
    clamped = _clamped(parameters)
    states = FSRS(list(clamped)).memory_state_batch([FSRSItem(fsrs_reviews(history)) for history in histories_])
    out = []
    for history, state in zip(histories_, states, strict=True):
        days = next_interval_days(clamped, state.stability, desired_retention)
        due = history[-1].reviewed_at.astimezone(UTC) + timedelta(days=days)
        out.append(Recomputed(float(state.stability), float(state.difficulty), due))
    return out


def spread_overdue(
    dues: Mapping[CardKey, datetime], now: datetime, *, per_day: int, max_days: int = 7
) -> dict[CardKey, datetime]:
    """New due dates for the cards due at or before ``now`` (as after a vacation or a refit).

    The overdue cards, most overdue first, are shared evenly over ``k`` days, where ``k`` is
    the days ``per_day`` reviews a day would take, at most ``max_days``: about a day's share
    is due now and the rest a day apart after it, never all on one day unless they fit in a
    day's share. Cards not yet due keep their dates. Deterministic.
    """
    if per_day < 1 or max_days < 1:
        raise ValueError("per_day and max_days must be at least 1")
    overdue = sorted((due, order, key) for order, (key, due) in enumerate(dues.items()) if due <= now)
    spread = dict(dues)
    if not overdue:
        return spread
    days = min(max_days, math.ceil(len(overdue) / per_day))
    share = math.ceil(len(overdue) / days)
    for position, (_, _, key) in enumerate(overdue):
        spread[key] = now + timedelta(days=position // share)
    return spread
