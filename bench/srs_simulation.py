"""Simulation: how well our FSRS scheduling keeps its promise, against SM-2, Anki and fixed intervals.

``python -m bench.srs_simulation`` (``make bench-quiz``): 10 seeds × 8 learners for each of two
ground truths × two populations, about 300 s of CPU (2-3 minutes on 2 idle cores);
``--quick`` is a smoke run (2 seeds × 3 learners, 90 days; seconds); ``--check`` runs
everything twice and says whether the numbers are identical; ``--jobs N`` sets the worker
processes (the numbers do not depend on it).

The model
---------
Simulated learners remember according to a ground truth the schedulers never see. Two truths:

- ``fsrs``: the FSRS-6 memory model (py-fsrs's own formulas) with per-learner parameters, fed
  the real elapsed time: recall after ``t`` days is ``(1 + f·t/S)^-decay`` with fractional
  ``t``; a review less than half a day after the previous one is a same-day (short-term)
  update, anything later a full one. A card's difficulty shows in how it is rated at first
  sight (Again 20 %, Hard 10 %, Good 55 %, Easy 15 %).
- ``power``: not FSRS. A power-law forgetting curve ``(1 + f·t/s)^-k`` whose exponent ``k``
  varies per card (log-normal, sd 0.3, around the learner's), and a fixed per-card difficulty
  ``b`` (normal, sd 0.6) that lowers the first-sight success rate and the initial strength
  ``s0·e^-b`` and slows growth. A success multiplies ``s`` by ``1 + g·e^-b·s^-σ·min(t/s, 4)^α``
  (the longer the gap relative to the strength, the bigger the gain: a re-ask ten minutes
  later adds almost nothing); a lapse leaves ``max(0.05, φ·s^λ)``. No difficulty that drifts,
  no short-term memory model, no Hard or Easy. Its center (``POWER_CENTER``) is set by hand
  to a plausible learner, not fitted to data.

Two populations for each truth: ``near`` (each parameter of a learner is the truth's center
scaled by a factor drawn in [0.7, 1.3]) and ``shifted`` (a deck effect: the center's initial
stabilities ×0.6 and its decay ×1.6, then each learner's factor in [0.5, 1.5]). For ``fsrs``
the center is py-fsrs's default parameters, so in ``near`` the defaults are right on average
and in ``shifted`` they are not.

What a learner does
-------------------
One session a day, starting between 08:00 and 10:00 UTC (drawn per learner and day), never
missed. The cards due by the end of the day are asked, most overdue first (a card due later
the same day, after a relearning step, waits for the next session), then the day's new cards.
A card answered wrong (Again) is asked again 10 minutes later in the session, up to twice, as
the bot does; every scheduler is told about these re-asks with their real times (SM-2 and
fixed intervals ignore same-day repeats, as those algorithms do; Anki and FSRS use them as
their relearning step). A success is rated Good, a failure Again (the bot grades objective
answers so). Random numbers come from per-learner, per-card streams derived from the seed (the
same card meets the same luck under every policy), and py-fsrs's fuzz, which draws from the
global ``random``, is re-seeded at the start of every run: a seed reproduces exactly.

Each learner first studies deck A (300 cards, 5 new a day, 180 days) with FSRS's default
parameters at 90 %: those logs are what the fits learn from. Then every policy studies a
fresh deck B (300 cards, 5 new a day, 365 days) from scratch:

- ``fsrs-default@R``: ``scheduler.srs`` (py-fsrs, the defaults, our steps, fuzz) at desired retention R;
- ``fsrs-community@0.90``: parameters fitted (``scheduler.fitting.fit``) on all the deck-A logs
  of the seed's population;
- ``fsrs-personal@R``: each learner's own parameters, adopted as the bot will
  (``fitting.personal_decision``: only from ≥ 2,000 deck-A reviews, fitted on their earliest
  80 % and adopted only if they predict the latest 20 % better than the community set),
  otherwise the community set;
- ``fsrs-true@0.90`` (``fsrs`` truth only): the learner's true parameters: what scheduling
  mechanics alone cost (whole-day intervals of at least one day, fuzz, session times);
- ``fsrs-center@0.90`` (``fsrs`` truth, ``shifted`` only): the population's center, exactly,
  for every learner: the best a single parameter set can hope for, whatever fits it;
- ``sm2``: SuperMemo-2; ``anki-sm2``: Anki's SM-2 (v3 defaults with our 10-minute steps:
  graduating 1 d, easy 4 d, ease 2.5 −0.20 on a lapse, hard ×1.2, easy bonus 1.3, a lapse
  back to 1 d, Anki's fuzz); ``fixed``: 1, 3, 7, 14, 30, 30, … days, a lapse restarting at 1 d.

How to read the table
---------------------
Every figure is ``mean±h``: the mean over seeds and the half-width of its 95 % t-interval over
seeds (each seed draws its own learners). Per policy: ``retention`` (the share of scheduled
reviews recalled: not first sights, not re-asks), ``calib med``, ``|calib| med`` and ``worst``
(per learner, achieved minus desired retention in points; over the seed's learners its median,
the median of its absolute value, and the largest absolute value; "achieved" counts the due
reviews of cards in FSRS's Review state, as ``/stats`` does, not the next-day repeats of
learning and relearning steps), ``noise sd`` (the median over learners of the sampling sd of
a learner's achieved retention, ``sqrt(Σ p(1-p)) / n`` over its ``n`` due reviews with the
truth's recall probabilities ``p``: the error luck alone makes; over 8 learners, a worst of
about twice it is noise), ``timed |c| med`` and ``timed |c| worst`` (the same, counting only
the due reviews the desired retention alone timed: not those of cards whose stability was so
low that the rule would have asked them again within the day, which the one-day minimum holds
back; ``timed share`` is their share of the due reviews), ``knowledge`` (mean true recall probability over the cards
introduced so far, at the end of each day), ``rev/day`` (all reviews: first sights and
re-asks included), ``log loss`` (fsrs-rs's log loss of that policy's parameter set on the
held-out later period: each learner's deck-B log under ``fsrs-default@0.90``).

``equal retention`` and ``equal knowledge``: the reviews a day FSRS needs (interpolated over
its desired-retention sweep, per seed) to reach a baseline's retention or knowledge, divided
by the baseline's own reviews a day: below 1, FSRS needs fewer. A seed whose baseline lies
outside the sweep's range is left out (the count of seeds used is shown).

Assumptions and limits
----------------------
Intervals are at least a day, so a card whose stability is under a day is asked too late
under any policy: about 15 % of the due reviews in ``shifted``, recalled about three times in
four. ``fsrs-true`` shows what that costs (``|calib|``) and that nothing else does (``timed``).
The ratings carry no Hard or Easy after the first sight. Every learner studies every day.
The schedulers count days as the bot does (``scheduler.srs``: review days from a 04:00
rollover, as fsrs-rs, Anki and the fits do), so a session a little earlier the next morning,
under 24 hours later, still counts one day. (Before 2026-12-02 they counted py-fsrs's floored
24-hour periods: half of those next-morning reviews got a same-day update, which kept
stabilities low and intervals short. That over-delivered on most cards and hid the shortfall
of the sub-day ones in ``|calib|``, and cost reviews: at equal knowledge FSRS needed 1.156×
SM-2's reviews with the defaults, now 1.101×.)

Why one parameter set cannot be calibrated for every learner of ``shifted``: at desired
retention 0.90 an FSRS-6 interval is the stability itself, whatever the decay (stability is
the time to 90 %), so the decay ×1.6 hardly moves calibration there and the initial
stabilities ×0.6 only move the first intervals; what no single set absorbs is the ±50 %
individual spread (``fsrs-center`` measures it). A fit to everyone's reviews is calibrated
over reviews, and the learners who forget faster fall short of any single set's promise and
give the most reviews, so a community set over-delivers for the typical learner.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from scheduler import fitting, srs
from scheduler.fitting import Review

START = datetime(2026, 1, 5, tzinfo=UTC)
MINUTE = 1 / 1440
RE_ASK = 10 * MINUTE
MAX_REQUEUES = 2  # as bot.study.quiz
SAME_DAY = 0.5  # the truth's short-term update below half a day
DESIRED = 0.90
SWEEP = (0.85, 0.90, 0.95)
FIXED = (1, 3, 7, 14, 30)
BASELINES = ("sm2", "anki-sm2", "fixed")
FIRST_RATINGS, FIRST_WEIGHTS = (1, 2, 3, 4), (0.20, 0.10, 0.55, 0.15)
Params = tuple[float, ...]


def seed_for(*parts: object) -> int:
    """A 64-bit seed from any parts, the same in every process and run (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def at(day: float) -> datetime:
    return START + timedelta(days=day)


def days_of(moment: datetime) -> float:
    return (moment - START) / timedelta(days=1)


def curve_factor(decay: float) -> float:
    """``f`` in ``(1 + f·t/s)^-decay``, so that recall is 90 % when ``t == s``."""
    return 0.9 ** (-1 / decay) - 1


# -- ground truths -----------------------------------------------------------------------------


class Truth:
    """A learner's true memory of each card: strength ``s`` (days to 90 %), decay, last review."""

    def __init__(self, cards: int, streams: Sequence[random.Random]) -> None:
        self.stab = [1.0] * cards
        self.last = [0.0] * cards
        self.decay = [0.5] * cards
        self.factor = [curve_factor(0.5)] * cards
        self.streams = streams  # one per card: the card's luck, shared by all policies
        self.introduced = 0
        self.curve: tuple[np.ndarray, np.ndarray] | None = None

    def recall(self, card: int, now: float) -> float:
        elapsed = max(0.0, now - self.last[card])
        return (1 + self.factor[card] * elapsed / self.stab[card]) ** -self.decay[card]

    def draw(self, card: int, now: float) -> bool:
        return self.streams[card].random() < self.recall(card, now)

    def knowledge(self, now: float) -> float:
        """Mean true recall probability of the cards introduced so far, at ``now``."""
        count = self.introduced
        if count == 0:
            return 0.0
        if self.curve is None or len(self.curve[0]) != len(self.decay):
            self.curve = (np.asarray(self.decay), np.asarray(self.factor))  # fixed per card
        decay, factor = self.curve[0][:count], self.curve[1][:count]
        elapsed = np.maximum(0.0, now - np.fromiter(self.last, float, count))
        return float(np.mean((1 + factor * elapsed / np.fromiter(self.stab, float, count)) ** -decay))

    def first(self, card: int, now: float) -> int:
        raise NotImplementedError

    def review(self, card: int, now: float, rating: int) -> None:
        raise NotImplementedError


class FsrsTruth(Truth):
    """FSRS-6 with the learner's parameters, on real elapsed time (py-fsrs's formulas)."""

    def __init__(self, params: Params, cards: int, streams: Sequence[random.Random], rng: random.Random) -> None:
        super().__init__(cards, streams)
        self.model = Scheduler(parameters=params, enable_fuzzing=False)
        self.decay = [params[20]] * cards
        self.factor = [curve_factor(params[20])] * cards
        self.difficulty = [5.0] * cards
        self.first_rating = [rng.choices(FIRST_RATINGS, FIRST_WEIGHTS)[0] for _ in range(cards)]

    def first(self, card: int, now: float) -> int:
        rating = self.first_rating[card]
        self.stab[card] = self.model._initial_stability(rating=FsrsRating(rating))
        self.difficulty[card] = self.model._initial_difficulty(rating=FsrsRating(rating), clamp=True)
        self.last[card] = now
        return rating

    def review(self, card: int, now: float, rating: int) -> None:
        model, grade = self.model, FsrsRating(rating)
        if now - self.last[card] < SAME_DAY:
            self.stab[card] = model._short_term_stability(stability=self.stab[card], rating=grade)
        else:
            self.stab[card] = model._next_stability(
                difficulty=self.difficulty[card],
                stability=self.stab[card],
                retrievability=self.recall(card, now),
                rating=grade,
            )
        self.difficulty[card] = model._next_difficulty(difficulty=self.difficulty[card], rating=grade)
        self.last[card] = now


# s_ok, s_fail, p_first, gain, spacing exponent, saturation, lapse factor, lapse exponent, decay
POWER_CENTER: Params = (2.0, 0.3, 0.75, 2.5, 0.6, 0.1, 0.5, 0.7, 0.5)
POWER_BOUNDS = ((0.05, 30), (0.02, 5), (0.05, 0.97), (0.2, 10), (0.1, 2), (0.0, 0.5), (0.05, 1), (0.2, 1), (0.1, 2))


class PowerTruth(Truth):
    """The power-law model with per-card difficulty and per-card decay (see the module docstring)."""

    def __init__(self, params: Params, cards: int, streams: Sequence[random.Random], rng: random.Random) -> None:
        super().__init__(cards, streams)
        self.s_ok, self.s_fail, p_first, self.gain, self.alpha, self.sigma, self.phi, self.lam, decay = params
        self.hardness = [rng.gauss(0, 0.6) for _ in range(cards)]
        self.decay = [decay * math.exp(rng.gauss(0, 0.3)) for _ in range(cards)]
        self.factor = [curve_factor(value) for value in self.decay]
        logit = math.log(p_first / (1 - p_first))
        self.p_first = [1 / (1 + math.exp(hardness - logit)) for hardness in self.hardness]

    def first(self, card: int, now: float) -> int:
        correct = self.streams[card].random() < self.p_first[card]
        self.stab[card] = (self.s_ok if correct else self.s_fail) * math.exp(-self.hardness[card])
        self.last[card] = now
        return 3 if correct else 1

    def review(self, card: int, now: float, rating: int) -> None:
        stab = self.stab[card]
        if rating > 1:
            gap = min(max(0.0, now - self.last[card]) / stab, 4.0)
            stab *= 1 + self.gain * math.exp(-self.hardness[card]) * stab**-self.sigma * gap**self.alpha
        else:
            stab = max(0.05, self.phi * stab**self.lam)
        self.stab[card] = stab
        self.last[card] = now


# -- populations -------------------------------------------------------------------------------


def fsrs_center(shifted: bool) -> Params:
    """The population's center: the defaults, or their initial stabilities ×0.6 and decay ×1.6."""
    center = list(DEFAULT_PARAMETERS)
    if shifted:
        center[:4] = [value * 0.6 for value in center[:4]]
        center[20] *= 1.6
    return tuple(center)


def fsrs_learner(shifted: bool, rng: random.Random) -> Params:
    center = fsrs_center(shifted)
    spread = 0.5 if shifted else 0.3
    return tuple(
        min(high, max(low, value * rng.uniform(1 - spread, 1 + spread)))
        for value, low, high in zip(center, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )


def power_learner(shifted: bool, rng: random.Random) -> Params:
    center = list(POWER_CENTER)
    spread = 0.5 if shifted else 0.3
    if shifted:
        center[0] *= 0.6
        center[1] *= 0.6
        center[8] *= 1.6
    return tuple(
        min(high, max(low, value * rng.uniform(1 - spread, 1 + spread)))
        for value, (low, high) in zip(center, POWER_BOUNDS, strict=True)
    )


TruthMaker = Callable[[Params, int, Sequence[random.Random], random.Random], Truth]
TRUTHS: dict[str, tuple[Callable[[bool, random.Random], Params], TruthMaker]] = {
    "fsrs": (fsrs_learner, FsrsTruth),
    "power": (power_learner, PowerTruth),
}


# -- policies ----------------------------------------------------------------------------------


class Policy:
    """A scheduler of one learner's cards: ``review`` returns the card's next due time (days)."""

    def review(self, card: int, now: float, rating: int) -> float:
        raise NotImplementedError

    def governed(self, card: int) -> bool:
        """Whether the card's due time came from the policy's interval rule (for FSRS: the
        desired retention), not from a learning or relearning step."""
        return True

    def timed(self, card: int) -> bool:
        """Whether the desired retention alone timed the card's due date: ``governed``, and not
        held back by the one-day minimum (the rule would have asked it again within the day)."""
        return self.governed(card)


class FsrsPolicy(Policy):
    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.cards: dict[int, FsrsCard] = {}

    def review(self, card: int, now: float, rating: int) -> float:
        state = self.cards.get(card) or FsrsCard(card_id=1)  # card_id avoids py-fsrs's 1 ms sleep
        if state.last_review is not None:  # days counted as the bot counts them (``scheduler.srs``)
            state.last_review = srs.counted_last_review(state.last_review, at(now))
        state, _ = self.scheduler.review_card(state, FsrsRating(rating), review_datetime=at(now))
        self.cards[card] = state
        return days_of(state.due)

    def governed(self, card: int) -> bool:
        state = self.cards.get(card)
        return state is not None and state.state == State.Review

    def timed(self, card: int) -> bool:
        state = self.cards.get(card)
        if state is None or state.state != State.Review or state.stability is None:
            return False
        scheduler = self.scheduler
        return fitting.interval_days(scheduler.parameters, state.stability, scheduler.desired_retention) >= 1.0


def fsrs_scheduler(params: Params | None, retention: float) -> Scheduler:
    """The bot's scheduler (``scheduler.srs``) for the defaults, the same setup for other parameters."""
    if params is None:
        return srs.scheduler_for(retention)
    return Scheduler(
        parameters=params,
        desired_retention=retention,
        learning_steps=srs.LEARNING_STEPS,
        relearning_steps=srs.RELEARNING_STEPS,
        enable_fuzzing=True,
    )


class Sm2Policy(Policy):
    """SuperMemo-2: 1 d, 6 d, then × ease; a lapse restarts at 1 d; same-day repeats ignored."""

    def __init__(self) -> None:
        self.cards: dict[int, tuple[int, float, int, float, float]] = {}  # reps, ease, interval, last, due

    def review(self, card: int, now: float, rating: int) -> float:
        reps, ease, interval, last, due = self.cards.get(card, (0, 2.5, 0, -1.0, 0.0))
        if last >= 0 and now - last < SAME_DAY:
            return due
        quality = {1: 1, 2: 3, 3: 4, 4: 5}[rating]
        if quality >= 3:
            interval = 1 if reps == 0 else 6 if reps == 1 else round(interval * ease)
            reps += 1
        else:
            reps, interval = 0, 1
        ease = max(1.3, ease + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
        due = math.floor(now) + interval + (now % 1)
        self.cards[card] = (reps, ease, interval, now, due)
        return due


@dataclass
class AnkiCard:
    phase: str = "learn"  # learn, review, relearn
    ease: float = 2.5
    interval: int = 0
    last_day: int = 0


class AnkiPolicy(Policy):
    """Anki's SM-2 (v3 defaults, our 10-minute steps), with Anki's fuzz drawn from the run's stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cards: dict[int, AnkiCard] = {}

    def fuzzed(self, interval: float, minimum: int) -> int:
        days = max(minimum, 1, round(interval))
        if days < 2.5:
            return min(days, 36500)
        delta = 1.0 + sum(r["factor"] * max(min(days, r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
        low, high = max(2, round(days - delta)), min(36500, round(days + delta))
        return max(minimum, self.rng.randint(min(low, high), high))

    def review(self, card: int, now: float, rating: int) -> float:
        state = self.cards.setdefault(card, AnkiCard())
        today = math.floor(now)
        if state.phase in ("learn", "relearn"):
            if rating == 1:
                return now + RE_ASK
            if rating == 2:
                return now + 1.5 * RE_ASK
            graduate = state.interval if state.phase == "relearn" else 1
            state.interval = max(1, graduate + 1) if rating == 4 and state.phase == "relearn" else graduate
            if rating == 4 and state.phase == "learn":
                state.interval = 4
            state.phase, state.last_day = "review", today
            return today + state.interval + (now % 1)
        late = max(0, today - state.last_day - state.interval)
        if rating == 1:
            state.ease = max(1.3, state.ease - 0.2)
            state.phase, state.interval, state.last_day = "relearn", 1, today
            return now + RE_ASK
        hard = self.fuzzed(state.interval * 1.2, state.interval + 1)
        if rating == 2:
            state.ease, new = max(1.3, state.ease - 0.15), hard
        elif rating == 3:
            new = self.fuzzed((state.interval + late / 2) * state.ease, hard + 1)
        else:
            good = self.fuzzed((state.interval + late / 2) * state.ease, hard + 1)
            new = self.fuzzed((state.interval + late) * state.ease * 1.3, good + 1)
            state.ease += 0.15
        state.interval, state.last_day = new, today
        return today + new + (now % 1)


class FixedPolicy(Policy):
    """1, 3, 7, 14, 30, 30, … days; a lapse restarts at 1 d; same-day repeats ignored."""

    def __init__(self) -> None:
        self.cards: dict[int, tuple[int, float, float]] = {}  # step, last, due

    def review(self, card: int, now: float, rating: int) -> float:
        step, last, due = self.cards.get(card, (-1, -1.0, 0.0))
        if last >= 0 and now - last < SAME_DAY:
            return due
        step = 0 if rating == 1 or step < 0 else min(step + 1, len(FIXED) - 1)
        due = now + FIXED[step]
        self.cards[card] = (step, now, due)
        return due


# -- one learner, one policy -------------------------------------------------------------------


@dataclass
class Deck:
    cards: int
    new_per_day: int
    days: int


@dataclass
class Run:
    reviews: int = 0
    scheduled: int = 0
    recalled: int = 0
    due: int = 0  # scheduled reviews of cards in the policy's review state (``Policy.governed``)
    due_recalled: int = 0
    timed: int = 0  # of those, the ones the desired retention alone timed (``Policy.timed``)
    timed_recalled: int = 0
    variance: float = 0.0  # the sum of p·(1 - p) over scheduled reviews, p the truth's recall probability
    knowledge: float = 0.0
    log: list[Review] = field(default_factory=list)

    @property
    def retention(self) -> float:
        return self.recalled / self.scheduled if self.scheduled else float("nan")

    @property
    def achieved(self) -> float:
        """The retention achieved at due reviews (those ``Policy.governed``): what calibration compares."""
        return self.due_recalled / self.due if self.due else float("nan")

    @property
    def achieved_timed(self) -> float:
        """The retention achieved at due reviews the desired retention alone timed."""
        return self.timed_recalled / self.timed if self.timed else float("nan")

    @property
    def noise(self) -> float:
        """The sampling sd of ``achieved``: how far it strays from its expectation by luck alone."""
        return math.sqrt(self.variance) / self.due if self.due else float("nan")


def simulate(truth: Truth, policy: Policy, deck: Deck, session_rng: random.Random, prefix: str | None) -> Run:
    """One learner studying ``deck`` under ``policy``; with ``prefix``, keep the review log (card keys prefixed)."""
    run = Run()
    due: dict[int, float] = {}
    bucket_of: dict[int, int] = {}  # the day whose session asks the card
    buckets: dict[int, list[int]] = {}
    knowledge = 0.0
    day = 0

    def record(card: int, now: float, rating: int) -> None:
        run.reviews += 1
        due[card] = when = policy.review(card, now, rating)
        bucket_of[card] = session = max(math.floor(when), day + 1)  # due later today: tomorrow's session
        buckets.setdefault(session, []).append(card)
        if prefix is not None:
            run.log.append(Review(f"{prefix}{card}", at(now), rating))

    def reask(card: int, now: float, rating: int) -> None:
        for _ in range(MAX_REQUEUES):
            if rating > 1:
                return
            now += RE_ASK
            rating = 3 if truth.draw(card, now) else 1
            truth.review(card, now, rating)
            record(card, now, rating)

    for day in range(deck.days):
        now = day + (8 + 2 * session_rng.random()) / 24
        todo = sorted({(due[card], card) for card in buckets.pop(day, ()) if bucket_of[card] == day})
        for _, card in todo:
            chance, governed = truth.recall(card, now), policy.governed(card)
            rating = 3 if truth.draw(card, now) else 1
            run.scheduled += 1
            run.recalled += rating > 1
            if governed:
                run.due += 1
                run.due_recalled += rating > 1
                run.variance += chance * (1 - chance)
                if policy.timed(card):
                    run.timed += 1
                    run.timed_recalled += rating > 1
            truth.review(card, now, rating)
            record(card, now, rating)
            reask(card, now, rating)
            now += 0.5 * MINUTE
        for card in range(truth.introduced, min(deck.cards, truth.introduced + deck.new_per_day)):
            truth.introduced += 1
            rating = truth.first(card, now)
            record(card, now, rating)
            reask(card, now, rating)
            now += 0.5 * MINUTE
        knowledge += truth.knowledge(day + 1)
    run.knowledge = knowledge / deck.days
    return run


# -- one seed of one truth and population --------------------------------------------------


@dataclass(frozen=True)
class Config:
    seeds: int
    learners: int
    deck_a: Deck
    deck_b: Deck


@dataclass(frozen=True)
class Cell:
    truth: str
    shifted: bool
    seed: int

    @property
    def name(self) -> str:
        return f"{self.truth}/{'shifted' if self.shifted else 'near'}"


@dataclass
class CellResult:
    """Every figure of one seed of one truth × population."""

    figures: dict[str, dict[str, float]]
    comparisons: dict[str, float | None]
    adopted: int
    reviews_a: float
    community: Params


def learner_params(cell: Cell, index: int) -> Params:
    draw, _ = TRUTHS[cell.truth]
    return draw(cell.shifted, random.Random(seed_for(cell, index, "parameters")))


def study(cell: Cell, index: int, phase: str, deck: Deck, policy_name: str, policy: Policy, log: bool) -> Run:
    """One learner's run: a fresh truth, the card streams and session times of (learner, phase), seeded fuzz."""
    _, truth_class = TRUTHS[cell.truth]
    streams = [random.Random(seed_for(cell, index, phase, card)) for card in range(deck.cards)]
    truth = truth_class(learner_params(cell, index), deck.cards, streams, random.Random(seed_for(cell, index, phase)))
    random.seed(seed_for(cell, index, phase, policy_name))  # py-fsrs's fuzz draws from the global random
    sessions = random.Random(seed_for(cell, index, phase, "sessions"))
    return simulate(truth, policy, deck, sessions, f"{index}:" if log else None)


PolicyMaker = Callable[[int], Policy]


def policies_b(
    cell: Cell, community: Params, personal: Sequence[Params]
) -> list[tuple[str, float | None, PolicyMaker]]:
    """(name, desired retention, learner index → policy) of every policy run on deck B."""

    def fsrs(params: Callable[[int], Params | None], retention: float) -> PolicyMaker:
        return lambda index: FsrsPolicy(fsrs_scheduler(params(index), retention))

    out: list[tuple[str, float | None, PolicyMaker]] = []
    out += [(f"fsrs-default@{r:.2f}", r, fsrs(lambda _: None, r)) for r in SWEEP]
    out.append(("fsrs-community@0.90", DESIRED, fsrs(lambda _: community, DESIRED)))
    out += [(f"fsrs-personal@{r:.2f}", r, fsrs(lambda index: personal[index], r)) for r in SWEEP]
    if cell.truth == "fsrs":
        out.append(("fsrs-true@0.90", DESIRED, fsrs(lambda index: learner_params(cell, index), DESIRED)))
        if cell.shifted:
            out.append(("fsrs-center@0.90", DESIRED, fsrs(lambda _: fsrs_center(True), DESIRED)))
    out.append(("sm2", None, lambda _: Sm2Policy()))
    out.append(("anki-sm2", None, lambda index: AnkiPolicy(random.Random(seed_for(cell, index, "anki")))))
    out.append(("fixed", None, lambda _: FixedPolicy()))
    return out


def held_out_log_loss(param_sets: Sequence[Params], logs: Sequence[list[Review]]) -> float:
    """fsrs-rs log loss of each learner's parameter set on that learner's deck-B log, weighted by items."""
    scores = [fitting.evaluate(params, log) for params, log in zip(param_sets, logs, strict=True)]
    return sum(score.log_loss * score.items for score in scores) / sum(score.items for score in scores)


def run_cell(cell: Cell, config: Config) -> CellResult:
    """Deck A under the defaults, the fits, then every policy on deck B, for each learner of the seed."""
    learners = range(config.learners)
    reference = f"fsrs-default@{DESIRED:.2f}"
    logs_a = [
        study(cell, index, "A", config.deck_a, reference, FsrsPolicy(fsrs_scheduler(None, DESIRED)), True).log
        for index in learners
    ]
    community = fitting.fit([review for log in logs_a for review in log]).parameters
    decisions = [fitting.personal_decision(log, community) for log in logs_a]
    personal = [decision.parameters for decision in decisions]
    figures: dict[str, dict[str, float]] = {}
    held_out: list[list[Review]] = []
    for name, desired, make in policies_b(cell, community, personal):
        runs = [study(cell, index, "B", config.deck_b, name, make(index), name == reference) for index in learners]
        held_out = [run.log for run in runs] if name == reference else held_out
        figures[name] = policy_figures(runs, desired, config.deck_b.days)
    sets: dict[str, Sequence[Params]] = {"fsrs-default": [DEFAULT_PARAMETERS] * len(learners)}
    sets["fsrs-community"] = [community] * len(learners)
    sets["fsrs-personal"] = personal
    if cell.truth == "fsrs":
        sets["fsrs-true"] = [learner_params(cell, index) for index in learners]
        if cell.shifted:
            sets["fsrs-center"] = [fsrs_center(True)] * len(learners)
    for family, param_sets in sets.items():
        loss = held_out_log_loss(param_sets, held_out)
        for name, values in figures.items():
            if name.startswith(family + "@"):
                values["log_loss"] = loss
    reviews_a = statistics.median(len(log) for log in logs_a)
    return CellResult(figures, comparisons(figures), sum(d.adopted for d in decisions), reviews_a, community)


def policy_figures(runs: Sequence[Run], desired: float | None, days: int) -> dict[str, float]:
    out = {
        "retention": sum(run.recalled for run in runs) / sum(run.scheduled for run in runs),
        "knowledge": statistics.fmean(run.knowledge for run in runs),
        "reviews_per_day": sum(run.reviews for run in runs) / (len(runs) * days),
    }
    if desired is not None:
        errors = [run.achieved - desired for run in runs]
        out["calibration_signed"] = statistics.median(errors)
        out["calibration_median"] = statistics.median(abs(error) for error in errors)
        out["calibration_worst"] = max(abs(error) for error in errors)
        out["calibration_noise"] = statistics.median(run.noise for run in runs)
        timed = [run.achieved_timed - desired for run in runs if run.timed]
        out["timed_signed"] = statistics.median(timed)
        out["timed_median"] = statistics.median(abs(error) for error in timed)
        out["timed_worst"] = max(abs(error) for error in timed)
        out["timed_share"] = sum(run.timed for run in runs) / sum(run.due for run in runs)
    return out


def interpolate(points: Sequence[tuple[float, float]], target: float) -> float | None:
    """``y`` at ``x == target`` on the piecewise-linear curve through ``points`` (None outside it)."""
    for (x0, y0), (x1, y1) in itertools.pairwise(sorted(points)):
        if x0 <= target <= x1 and x1 > x0:
            return y0 + (y1 - y0) * (target - x0) / (x1 - x0)
    return None


FAMILIES = ("fsrs-default", "fsrs-personal")


def comparisons(figures: dict[str, dict[str, float]]) -> dict[str, float | None]:
    """FSRS's reviews a day at each baseline's retention and knowledge, ÷ the baseline's."""
    out: dict[str, float | None] = {}
    for family in FAMILIES:
        sweep = [figures[f"{family}@{retention:.2f}"] for retention in SWEEP]
        for measure in ("retention", "knowledge"):
            points = [(point[measure], point["reviews_per_day"]) for point in sweep]
            for base in BASELINES:
                need = interpolate(points, figures[base][measure])
                out[f"{measure}/{base}/{family}"] = None if need is None else need / figures[base]["reviews_per_day"]
    return out


def run_all(config: Config, jobs: int) -> dict[str, list[CellResult]]:
    cells = [
        Cell(truth, shifted, seed) for truth in TRUTHS for shifted in (False, True) for seed in range(config.seeds)
    ]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(run_cell, cells, [config] * len(cells)))
    else:
        results = [run_cell(cell, config) for cell in cells]
    grouped: dict[str, list[CellResult]] = {}
    for cell, result in zip(cells, results, strict=True):
        grouped.setdefault(cell.name, []).append(result)
    return grouped


# -- statistics over seeds, and the report ------------------------------------------------------

Stat = tuple[float, float, int]  # mean, half-width of the 95 % interval, seeds
NONE: Stat = (math.nan, math.nan, 0)
T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131)


def interval(values: Sequence[float]) -> Stat:
    """Mean and half-width of its 95 % t-interval over seeds (nan with fewer than two), and count."""
    count = len(values)
    if count == 0:
        return NONE
    mean = statistics.fmean(values)
    if count == 1:
        return mean, math.nan, 1
    t_value = T_975[count - 2] if count - 2 < len(T_975) else 1.96 + 2.4 / (count - 1)
    return mean, t_value * statistics.stdev(values) / math.sqrt(count), count


@dataclass
class Summary:
    policies: dict[str, dict[str, Stat]]
    comparisons: dict[str, Stat]
    adopted: Stat
    reviews_a: float


def summarize(results: Sequence[CellResult]) -> Summary:
    """Mean and 95 % half-width over seeds of every figure of one truth × population."""
    policies = {
        name: {metric: interval([r.figures[name][metric] for r in results]) for metric in metrics}
        for name, metrics in results[0].figures.items()
    }
    compared = {}
    for key in results[0].comparisons:
        found = [value for r in results if (value := r.comparisons[key]) is not None]
        compared[key] = interval(found)
    adopted = interval([float(r.adopted) for r in results])
    return Summary(policies, compared, adopted, statistics.median(r.reviews_a for r in results))


def shown(value: Stat, scale: float = 1.0, digits: int = 1) -> str:
    mean, half, _ = value
    if math.isnan(mean):
        return "—"
    if math.isnan(half):
        return f"{mean * scale:.{digits}f}"
    return f"{mean * scale:.{digits}f}±{half * scale:.{digits}f}"


COLUMNS = (
    ("retention", "retention", 100, 1),
    ("calibration_signed", "calib med", 100, 1),
    ("calibration_median", "|calib| med", 100, 1),
    ("calibration_worst", "|calib| worst", 100, 1),
    ("calibration_noise", "noise sd", 100, 2),
    ("timed_median", "timed |c| med", 100, 1),
    ("timed_worst", "timed |c| worst", 100, 1),
    ("timed_share", "timed share", 100, 0),
    ("knowledge", "knowledge", 100, 1),
    ("reviews_per_day", "rev/day", 1, 2),
    ("log_loss", "log loss", 1, 4),
)


def print_cell(name: str, summary: Summary, config: Config) -> None:
    truth, population = name.split("/")
    deck = config.deck_b
    print(
        f"\n== truth {truth} · population {population} · {config.seeds} seeds × {config.learners} learners · "
        f"deck B: {deck.cards} cards, {deck.new_per_day} new a day, {deck.days} days =="
    )
    print(f"{'policy':<20}" + "".join(f"{title:>15}" for _, title, _, _ in COLUMNS))
    for policy, metrics in summary.policies.items():
        cells = [shown(metrics.get(key, NONE), scale, digits) for key, _, scale, digits in COLUMNS]
        print(f"{policy:<20}" + "".join(f"{cell:>15}" for cell in cells))
    for measure in ("retention", "knowledge"):
        print(f"equal {measure}: FSRS reviews/day ÷ the baseline's (< 1: FSRS needs fewer), (seeds in range)")
        for base in BASELINES:
            row = []
            for family in FAMILIES:
                value = summary.comparisons[f"{measure}/{base}/{family}"]
                row.append(f"{family.removeprefix('fsrs-'):>8} {shown(value, 1, 3):>13} ({value[2]}/{config.seeds})")
            print(f"  vs {base:<9}" + "   ".join(row))
    print(
        f"personal sets adopted: {shown(summary.adopted)} of {config.learners} learners (median deck-A reviews "
        f"per learner {summary.reviews_a:.0f}; {fitting.MIN_PERSONAL_REVIEWS} needed)"
    )


def targets(summaries: dict[str, Summary]) -> dict[str, list[float]]:
    """The figures the design targets, as measured (mean, half-width; whichever way they fall)."""
    out: dict[str, list[float]] = {}
    for truth in TRUTHS:
        summary = summaries[f"{truth}/shifted"]
        for policy in ("fsrs-default@0.90", "fsrs-community@0.90", "fsrs-personal@0.90", "fsrs-center@0.90"):
            if policy not in summary.policies:
                continue
            for metric in (
                "calibration_median",
                "calibration_worst",
                "calibration_noise",
                "timed_median",
                "timed_worst",
            ):
                mean, half, _ = summary.policies[policy][metric]
                out[f"{truth}/shifted/{policy}/{metric}_points"] = [round(mean * 100, 2), round(half * 100, 2)]
        for family in FAMILIES:
            mean, half, seeds = summary.comparisons[f"knowledge/sm2/{family}"]
            out[f"{truth}/shifted/equal_knowledge_vs_sm2/{family}"] = [round(mean, 3), round(half, 3), seeds]
    return out


def print_targets(found: dict[str, list[float]]) -> None:
    print("\nTargets, shifted population (calibration error in points of retention, mean ± 95 % over seeds;")
    print("all due reviews, then [timed] those the desired retention alone timed):")
    for truth in TRUTHS:
        key = f"{truth}/shifted/"

        def calib(policy: str, metric: str, key: str = key) -> str:
            mean, half = found[f"{key}{policy}/{metric}_points"]
            return f"{mean:.2f}±{half:.2f}"

        def verdict(policy: str, prefix: str, key: str = key) -> str:
            median = found[f"{key}{policy}/{prefix}_median_points"][0]
            worst = found[f"{key}{policy}/{prefix}_worst_points"][0]
            return (
                f"median {calib(policy, prefix + '_median')} (< 2: {'met' if median < 2 else 'NOT met'}), "
                f"worst {calib(policy, prefix + '_worst')} (< 4: {'met' if worst < 4 else 'NOT met'})"
            )

        for policy in ("fsrs-community@0.90", "fsrs-default@0.90", "fsrs-personal@0.90", "fsrs-center@0.90"):
            if f"{key}{policy}/calibration_median_points" in found:
                print(f"  {truth}: {policy:<20} {verdict(policy, 'calibration')}; [timed] {verdict(policy, 'timed')}")
        print(f"  {truth}: sampling noise sd (community) {calib('fsrs-community@0.90', 'calibration_noise')}")
        for family in FAMILIES:
            mean, half, seeds = found[f"{key}equal_knowledge_vs_sm2/{family}"]
            print(
                f"  {truth}: at SM-2's knowledge {family} needs {mean:.3f}±{half:.3f} × SM-2's reviews a day "
                f"({seeds:.0f} seeds)"
            )


def configure(quick: bool, seeds: int | None, learners: int | None) -> Config:
    if quick:
        config = Config(2, 3, Deck(150, 5, 90), Deck(100, 5, 90))  # personal fits rarely reach 2,000 reviews
    else:
        config = Config(10, 8, Deck(300, 5, 180), Deck(300, 5, 365))
    return Config(seeds or config.seeds, learners or config.learners, config.deck_a, config.deck_b)


def as_json(summaries: dict[str, Summary]) -> dict[str, object]:
    return {
        name: {
            "policies": {
                policy: {metric: [round(stat[0], 5), round(stat[1], 5)] for metric, stat in metrics.items()}
                for policy, metrics in summary.policies.items()
            },
            "comparisons": {
                key: [round(stat[0], 4), round(stat[1], 4), stat[2]] for key, stat in summary.comparisons.items()
            },
            "adopted": [round(summary.adopted[0], 2), round(summary.adopted[1], 2)],
            "median_reviews_a": summary.reviews_a,
        }
        for name, summary in summaries.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (2 seeds × 3 learners, 90 days)")
    parser.add_argument("--seeds", type=int, help="seeds per truth × population (default 10)")
    parser.add_argument("--learners", type=int, help="learners per seed (default 8)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes (default 2)")
    parser.add_argument("--check", action="store_true", help="run everything twice and compare the numbers")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    config = configure(args.quick, args.seeds, args.learners)
    print(f"load average (1 min) at start: {load:.2f}; {args.jobs} worker process(es)")
    grouped = run_all(config, args.jobs)
    if args.check:
        same = repr(grouped) == repr(run_all(config, args.jobs))
        print(f"reproducible (a second run with the same seeds gives identical numbers): {'yes' if same else 'NO'}")
    summaries = {name: summarize(results) for name, results in grouped.items()}
    for name, summary in summaries.items():
        print_cell(name, summary, config)
    found = targets(summaries)
    print_targets(found)
    children = os.times()
    cpu_s = time.process_time() - cpu + children.children_user + children.children_system
    wall_s = time.perf_counter() - wall
    print(f"\nwall {wall_s:.1f} s, CPU {cpu_s:.1f} s (this process and its workers), load average at start {load:.2f}")
    record = {
        "bench": "srs_simulation",
        "seeds": config.seeds,
        "learners": config.learners,
        "deck_a": [config.deck_a.cards, config.deck_a.new_per_day, config.deck_a.days],
        "deck_b": [config.deck_b.cards, config.deck_b.new_per_day, config.deck_b.days],
        "load_avg_1m": round(load, 2),
        "wall_s": round(wall_s, 1),
        "cpu_s": round(cpu_s, 1),
        "targets": found,
        "results": as_json(summaries),
    }
    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
