"""Simulation: FSRS (our scheduler) against SM-2 and fixed intervals, for a year.

Simulated learners remember according to a known ground truth: the FSRS-6 memory model
with per-learner parameters drawn at random around the defaults (so our scheduler, which
uses the default parameters, does not know the truth), and cards that differ in how hard
they are at first sight. Each learner studies the same
200-card deck, 10 new cards a day, for 365 days under each scheduler:

- ``fsrs@R``: our scheduler (``scheduler.srs``) at desired retention R.
- ``sm2``: SuperMemo-2 (1 d, 6 d, then × ease factor; a lapse restarts at 1 d).
- ``fixed``: 1, 3, 7, 14, 30, 30, … days; a lapse restarts at 1 d.

Under every scheduler a lapse is asked again later in the same session, as the bot does;
that extra review is counted for all of them.

Printed per scheduler: retention (share of scheduled reviews recalled), knowledge (mean
probability of recall over all studied cards and days) and reviews per day. Then the
comparison at equal retention: the reviews FSRS needs (interpolated over its desired
retention) to match each baseline's retention.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card as FCard
from fsrs import Rating as FRating
from fsrs import Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from scheduler import srs
from scheduler.srs import CardState, Rating

DAY = timedelta(days=1)
START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def true_parameters(rng: random.Random) -> tuple[float, ...]:
    """Default FSRS-6 parameters, each scaled by a random factor in [0.7, 1.3], within bounds."""
    out = []
    for w, lo, hi in zip(DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True):
        out.append(min(hi, max(lo, w * rng.uniform(0.7, 1.3))))
    return tuple(out)


class Memory:
    """The learner's true memory of one card (FSRS-6 with the learner's own parameters)."""

    def __init__(self, truth: Scheduler, card_id: int, first: FRating) -> None:
        self.truth = truth
        self.card = FCard(card_id=card_id)
        self.first = first  # how hard the card really is for this learner at first sight

    def recall_probability(self, now: datetime) -> float:
        c = self.card
        if c.last_review is None or c.stability is None:
            return 0.0
        t = max(0.0, (now - c.last_review).total_seconds() / 86400)
        decay = -self.truth.parameters[20]
        factor = 0.9 ** (1 / decay) - 1
        return float((1 + factor * t / c.stability) ** decay)

    def review(self, now: datetime, recalled: bool) -> None:
        rating = FRating.Good if recalled else FRating.Again
        if self.card.last_review is None:
            rating = self.first
        self.card, _ = self.truth.review_card(self.card, rating, now)


@dataclass
class Result:
    name: str
    reviews: int = 0
    scheduled: int = 0
    recalled: int = 0
    knowledge_sum: float = 0.0
    knowledge_n: int = 0

    def add(self, other: Result) -> None:
        self.reviews += other.reviews
        self.scheduled += other.scheduled
        self.recalled += other.recalled
        self.knowledge_sum += other.knowledge_sum
        self.knowledge_n += other.knowledge_n

    @property
    def retention(self) -> float:
        return self.recalled / self.scheduled if self.scheduled else 0.0

    @property
    def knowledge(self) -> float:
        return self.knowledge_sum / self.knowledge_n if self.knowledge_n else 0.0


# Each policy: state per card, and next(state, recalled, now) -> (state, due)
Policy = Callable[[object, bool, datetime], tuple[object, datetime]]


def fsrs_policy(retention: float) -> Policy:
    def step(state: object, recalled: bool, now: datetime) -> tuple[object, datetime]:
        card = state if isinstance(state, CardState) else CardState.new(now)
        card = srs.review(card, Rating.GOOD if recalled else Rating.AGAIN, now, retention=retention)
        return card, card.due

    return step


def sm2_policy(state: object, recalled: bool, now: datetime) -> tuple[object, datetime]:
    reps, ef, interval = state if isinstance(state, tuple) else (0, 2.5, 0)
    q = 4 if recalled else 1
    if q >= 3:
        interval = 1 if reps == 0 else 6 if reps == 1 else round(interval * ef)
        reps += 1
    else:
        reps, interval = 0, 1
    ef = max(1.3, ef + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)))
    return (reps, ef, interval), now + interval * DAY


FIXED = (1, 3, 7, 14, 30)
FSRS_RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.92, 0.94, 0.96, 0.97)


def fixed_policy(state: object, recalled: bool, now: datetime) -> tuple[object, datetime]:
    i = state if isinstance(state, int) else -1
    i = min(i + 1, len(FIXED) - 1) if recalled else 0
    return i, now + FIXED[i] * DAY


def simulate(
    name: str,
    policy: Policy,
    truth_params: tuple[float, ...],
    seed: int,
    *,
    cards: int,
    days: int,
    new_per_day: int,
    relearn_in_session: bool,
) -> Result:
    rng = random.Random(seed)
    truth = Scheduler(parameters=truth_params, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    # Cards differ: at first sight a quarter are hard, half ordinary, a quarter easy for this learner.
    firsts = [FRating.Hard, FRating.Good, FRating.Good, FRating.Easy]
    memories = [Memory(truth, i + 1, rng.choice(firsts)) for i in range(cards)]
    state: list[object] = [None] * cards
    due: list[datetime | None] = [None] * cards
    res = Result(name)
    introduced = 0
    for day in range(days):
        now = START + day * DAY
        todo = [i for i in range(introduced) if due[i] is not None and due[i] <= now + timedelta(hours=12)]  # type: ignore[operator]
        new = list(range(introduced, min(cards, introduced + new_per_day)))
        introduced += len(new)
        for i in todo:
            p = memories[i].recall_probability(now)
            recalled = rng.random() < p
            res.scheduled += 1
            res.recalled += recalled
            res.reviews += 1
            memories[i].review(now, recalled)
            state[i], due[i] = policy(state[i], recalled, now)
            if not recalled:
                # Every scheduler's lapse is asked again later in the same session (the bot does
                # this whatever the scheduler); only FSRS models that short step in its state.
                later = now + timedelta(minutes=10)
                memories[i].review(later, True)  # the answer was just shown: recalled now
                if relearn_in_session:
                    state[i], due[i] = policy(state[i], True, later)
                res.reviews += 1
        for i in new:
            # First exposure: the learner sees the answer; the first review is "seen".
            memories[i].review(now, True)
            state[i], due[i] = policy(state[i], True, now)
            res.reviews += 1
        end_of_day = now + timedelta(hours=12)
        for i in range(introduced):
            res.knowledge_sum += memories[i].recall_probability(end_of_day)
        res.knowledge_n += introduced
    return res


def run(learners: int, cards: int, days: int, new_per_day: int, seed: int) -> dict[str, Result]:
    rng = random.Random(seed)
    truths = [true_parameters(rng) for _ in range(learners)]
    policies: dict[str, tuple[Policy, bool]] = {f"fsrs@{r:.2f}": (fsrs_policy(r), True) for r in FSRS_RETENTIONS}
    policies["sm2"] = (sm2_policy, False)
    policies["fixed"] = (fixed_policy, False)
    results = {}
    for name, (policy, relearn) in policies.items():
        total = Result(name)
        for i, truth in enumerate(truths):
            total.add(
                simulate(
                    name,
                    policy,
                    truth,
                    seed * 1000 + i,
                    cards=cards,
                    days=days,
                    new_per_day=new_per_day,
                    relearn_in_session=relearn,
                )
            )
        results[name] = total
    return results


def fsrs_reviews_at(results: dict[str, Result], retention: float, per_day: Callable[[Result], float]) -> float | None:
    """Reviews/day FSRS needs for ``retention``, interpolated between desired-retention runs."""
    pts = sorted((r.retention, per_day(r)) for n, r in results.items() if n.startswith("fsrs@"))
    for (r0, c0), (r1, c1) in itertools.pairwise(pts):
        if r0 <= retention <= r1 and r1 > r0:
            return c0 + (c1 - c0) * (retention - r0) / (r1 - r0)
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=int, default=20)
    ap.add_argument("--cards", type=int, default=200)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--new-per-day", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    results = run(a.learners, a.cards, a.days, a.new_per_day, a.seed)
    learner_days = a.learners * a.days

    def per_day(r: Result) -> float:
        return r.reviews / learner_days

    print(f"{a.learners} simulated learners × {a.cards} cards × {a.days} days, {a.new_per_day} new cards/day")
    print(f"{'scheduler':<11} {'retention':>9} {'knowledge':>9} {'reviews/day':>11}")
    for name, r in results.items():
        print(f"{name:<11} {r.retention:>9.1%} {r.knowledge:>9.1%} {per_day(r):>11.2f}")
    summary: dict[str, object] = {"bench": "srs_simulation", "learners": a.learners, "cards": a.cards, "days": a.days}
    for base in ("sm2", "fixed"):
        b = results[base]
        need = fsrs_reviews_at(results, b.retention, per_day)
        if need is None:
            print(f"{base}: retention {b.retention:.1%} is outside FSRS's simulated range")
            continue
        saving = 1 - need / per_day(b)
        print(
            f"At {base}'s retention of {b.retention:.1%}: FSRS needs {need:.2f} reviews/day vs {per_day(b):.2f} "
            f"({saving:.0%} fewer)"
        )
        summary[f"{base}_retention"] = round(b.retention, 4)
        summary[f"{base}_reviews_per_day"] = round(per_day(b), 3)
        summary[f"fsrs_reviews_per_day_at_{base}_retention"] = round(need, 3)
    for name, r in results.items():
        summary[f"{name}_retention"] = round(r.retention, 4)
        summary[f"{name}_reviews_per_day"] = round(per_day(r), 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
