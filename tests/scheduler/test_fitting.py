"""Fitting FSRS-6 parameters (scheduler.fitting) on synthetic logs from known parameters.

Learners are simulated with py-fsrs as the true memory model (no learning steps, reviews a
whole number of days apart, so the truth counts days as the fit does), scheduled by the
default parameters with a random stretch of each interval, as a real log mixes intervals.
"""

from __future__ import annotations

import math
import random
import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from fsrs_rs_python import FSRS, FSRSItem

from scheduler import fitting, srs
from scheduler.fitting import Review

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIRST_RATINGS, FIRST_WEIGHTS = (1, 2, 3, 4), (0.2, 0.1, 0.55, 0.15)
Params = tuple[float, ...]
MAX_INTERVAL = 365


def shifted(stability_factor: float, decay_factor: float) -> Params:
    """The defaults with every initial stability and the decay scaled (a deck effect)."""
    params = list(DEFAULT_PARAMETERS)
    for index in range(4):
        params[index] *= stability_factor
    params[20] = min(0.8, max(0.1, params[20] * decay_factor))
    return tuple(params)


def learner(center: Params, rng: random.Random, spread: float) -> Params:
    """One learner's parameters: each of the center's scaled by a factor in [1 - spread, 1 + spread]."""
    return tuple(
        min(high, max(low, value * rng.uniform(1 - spread, 1 + spread)))
        for value, low, high in zip(center, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )


def simulate(truth: Params, rng: random.Random, who: str, *, cards: int = 60, days: int = 240) -> list[Review]:
    """A learner's log: ``cards`` cards started over ``days`` days, each
    reviewed when the default parameters schedule it (the interval stretched by a random factor)."""
    true_model = Scheduler(parameters=truth, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    policy = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    horizon = START + timedelta(days=days)
    log: list[Review] = []
    for card in range(cards):
        when = START + timedelta(days=rng.randrange(days))
        first = Rating(rng.choices(FIRST_RATINGS, FIRST_WEIGHTS)[0])
        memory, _ = true_model.review_card(Card(card_id=1), first, when)
        plan, _ = policy.review_card(Card(card_id=1), first, when)
        log.append(Review(f"{who}:{card}", when, int(first)))
        while True:
            stretched = round((plan.due - when).days * rng.uniform(0.6, 1.6))
            when += timedelta(days=min(MAX_INTERVAL, max(1, stretched)))
            if when >= horizon:
                break
            recalled = rng.random() < true_model.get_card_retrievability(memory, when)
            rating = Rating(rng.choices((2, 3, 4), (0.1, 0.8, 0.1))[0]) if recalled else Rating.Again
            memory, _ = true_model.review_card(memory, rating, when)
            plan, _ = policy.review_card(plan, rating, when)
            log.append(Review(f"{who}:{card}", when, int(rating)))
    return log


def population(center: Params, seed: int, learners: int = 20, spread: float = 0.5) -> list[Review]:
    rng = random.Random(seed)
    log: list[Review] = []
    for index in range(learners):
        log += simulate(learner(center, rng, spread), rng, f"{seed}/{index}")
    return log


def first_review_recall(params: Params) -> list[tuple[float, float]]:
    """(weight, predicted recall) of a new card's second review, for each first rating and a span of days."""
    out = []
    for rating, weight in zip(FIRST_RATINGS, FIRST_WEIGHTS, strict=True):
        for days in (1, 2, 3, 5, 8, 13, 21, 34):
            log = [Review(1, START, rating), Review(1, START + timedelta(days=days), 3)]
            ((recall, _),) = fitting.recall_predictions(params, log)
            out.append((weight, recall))
    return out


def recall_distance(params: Params, truth: Params) -> float:
    pairs = zip(first_review_recall(params), first_review_recall(truth), strict=True)
    return sum(weight * abs(mine - true) for (weight, mine), (_, true) in pairs)


def description(item: FSRSItem) -> list[tuple[int, int]]:
    """(rating, delta_t) of each review in an fsrs-rs item (it exposes them only in its repr)."""
    return [(int(r), int(d)) for r, d in re.findall(r"rating: (\d+), delta_t: (\d+)", repr(item))]


# -- the log and its FSRS items -------------------------------------------------------------


def test_a_review_is_aware_with_a_rating_from_1_to_4() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert Review(1, START.astimezone(tokyo), 3).reviewed_at == START
    with pytest.raises(ValueError, match="naive"):
        Review(1, datetime(2026, 1, 1), 3)  # noqa: DTZ001
    with pytest.raises(ValueError, match="rating"):
        Review(1, START, 5)


def test_items_count_days_and_keep_same_day_reviews_in_the_history_only() -> None:
    day = timedelta(days=1)
    log = [
        Review("b", START + 3 * day, 3),
        Review("a", START, 1),  # wrong at first sight ...
        Review("a", START + timedelta(minutes=10), 3),  # ... asked again in the session: same day
        Review("a", START + timedelta(hours=12), 3),  # the same evening: still the same day
        Review("a", START + day + timedelta(hours=-2), 1),  # the next morning, 22 h after the first
        Review("a", START + 5 * day, 3),
    ]
    items = fitting.fsrs_items(log)
    assert [description(item) for item in items] == [
        [(1, 0), (3, 0), (3, 0), (1, 1)],
        [(1, 0), (3, 0), (3, 0), (1, 1), (3, 4)],
    ]
    later = fitting.fsrs_items(log, since=START + 3 * day)
    assert [description(item) for item in later] == [description(items[1])]


def test_items_are_ordered_by_the_time_of_the_review_they_predict() -> None:
    day = timedelta(days=1)
    log = [Review("x", START, 3), Review("x", START + 9 * day, 3), Review("y", START, 3)]
    log += [Review("y", START + 2 * day, 3), Review("y", START + 20 * day, 1)]
    assert [description(item)[-1] for item in fitting.fsrs_items(log)] == [(3, 2), (3, 9), (1, 18)]


# -- fitting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("stability_factor", "decay_factor"), [(0.6, 1.6), (1.6, 0.6)])
def test_a_community_fit_recovers_a_shifted_center_better_than_the_defaults(
    stability_factor: float, decay_factor: float
) -> None:
    center = shifted(stability_factor, decay_factor)
    log = population(center, seed=1)
    fitted = fitting.fit(log)
    assert fitted.trained and fitted.reviews == len(log) and fitted.items == len(fitting.fsrs_items(log))
    assert recall_distance(fitted.parameters, center) < 0.75 * recall_distance(DEFAULT_PARAMETERS, center)
    fresh = population(center, seed=2, learners=8)
    assert fitting.evaluate(fitted.parameters, fresh).log_loss < fitting.evaluate(DEFAULT_PARAMETERS, fresh).log_loss


def test_fitting_is_deterministic_and_10000_reviews_take_well_under_a_few_seconds() -> None:
    log = sorted(population(shifted(0.6, 1.6), seed=3, learners=24), key=lambda r: r.reviewed_at)[:10_000]
    started = time.process_time()
    first = fitting.fit(log)
    elapsed = time.process_time() - started
    assert first.reviews == 10_000 and first.trained
    assert fitting.fit(list(reversed(log))) == first  # the order of the log does not matter
    assert elapsed < 5.0, f"fitting 10,000 reviews took {elapsed:.2f} s of CPU"  # about 0.15 s here


def test_a_fit_reads_at_most_max_reviews_keeping_whole_histories_of_the_latest_cards() -> None:
    day = timedelta(days=1)
    log = [
        Review(card, START + card * day + 3 * step * day, 3 if step % 4 else 1)
        for card in range(200)
        for step in range(10)
    ]
    fitted = fitting.fit(log, max_reviews=1_234)
    assert fitted.reviews == 1_230 and fitted.items == 123 * 9  # the 123 cards reviewed last, whole
    assert fitted.parameters == fitting.fit([r for r in log if int(r.card) >= 77]).parameters


def test_too_few_reviews_return_the_start_set_untrained() -> None:
    start = shifted(0.8, 1.0)
    log = population(DEFAULT_PARAMETERS, seed=5, learners=1)[:50]
    assert fitting.fit(log, start=start) == fitting.Fitted(start, 50, len(fitting.fsrs_items(log)), trained=False)


def test_fitted_parameters_drop_into_py_fsrs_with_the_same_recall_predictions() -> None:
    log = population(shifted(0.6, 1.6), seed=6, learners=6)
    params = fitting.fit(log).parameters
    scheduler = Scheduler(parameters=params, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    compared = 0
    for history in list(fitting.histories(log).values())[:40]:
        card = Card(card_id=1)
        for index, review in enumerate(history):
            if index:
                so_far = history[: index + 1]
                ((mine, recalled),) = fitting.recall_predictions(params, so_far, since=review.reviewed_at)
                loss = fitting.evaluate(params, so_far, since=review.reviewed_at).log_loss  # one item: no weights
                from_fsrs_rs = math.exp(-loss) if recalled else 1 - math.exp(-loss)
                from_py_fsrs = scheduler.get_card_retrievability(card, review.reviewed_at)
                assert from_py_fsrs == pytest.approx(mine, abs=1e-5) and mine == pytest.approx(from_fsrs_rs, abs=1e-4)
                compared += 1
            card, _ = scheduler.review_card(card, Rating(review.rating), review.reviewed_at)
    assert compared > 100


# -- adopting a new set ----------------------------------------------------------------------


def test_the_split_fits_on_the_earliest_80_percent_and_holds_out_the_rest() -> None:
    log = [Review(index % 50, START + timedelta(hours=index), 3) for index in reversed(range(1_000))]
    split = fitting.split_by_time(log)
    assert split.cut == START + timedelta(hours=800) and len(split.train) == 800 and len(split.reviews) == 1_000
    assert max(r.reviewed_at for r in split.train) < split.cut
    tied = fitting.split_by_time([Review(1, START, 3)] * 3 + [Review(1, START + timedelta(days=1), 3)] * 7)
    assert len(tied.train) == 3 and tied.cut == START + timedelta(days=1)  # a cut never splits an instant


def test_a_set_that_predicts_later_reviews_worse_is_not_adopted() -> None:
    center = shifted(0.6, 1.6)
    in_use = fitting.fit(population(center, seed=8, spread=0.3)).parameters
    elsewhere = fitting.fit(population(shifted(1.6, 0.6), seed=9, spread=0.3)).parameters  # another deck's fit
    split = fitting.split_by_time(population(center, seed=10, learners=10, spread=0.3))
    decision = fitting.decide(elsewhere, in_use, split)
    assert not decision.adopted and decision.parameters == in_use and decision.candidate == elsewhere
    assert decision.candidate_evaluation is not None and decision.current_evaluation is not None
    assert decision.candidate_evaluation.log_loss > decision.current_evaluation.log_loss
    assert decision.candidate_evaluation.items == decision.current_evaluation.items > 0
    assert decision.reason is not None and "not lower" in decision.reason
    reverse = fitting.decide(in_use, elsewhere, split)
    assert reverse.adopted and reverse.parameters == in_use and reverse.reason is None


def test_personal_parameters_need_2000_reviews_and_must_pass_the_held_out_check() -> None:
    community = fitting.fit(population(DEFAULT_PARAMETERS, seed=11)).parameters
    few = population(shifted(0.6, 1.6), seed=12, learners=8)[:1_999]
    refused = fitting.personal_decision(few, community)
    assert not refused.adopted and refused.parameters == community
    assert refused.reason == "1999 reviews; personal parameters need at least 2000"
    own = population(shifted(0.6, 1.6), seed=12, learners=6)
    decision = fitting.personal_decision(own, community)
    assert decision.candidate_evaluation is not None and decision.current_evaluation is not None
    better = decision.candidate_evaluation.log_loss < decision.current_evaluation.log_loss
    assert decision.adopted == better
    assert decision.parameters == (decision.candidate if better else community)


def test_cross_validation_scores_fitting_itself() -> None:
    log = population(shifted(0.6, 1.6), seed=13, learners=6)
    result = fitting.cross_validate(log)
    assert result.items == len(fitting.fsrs_items(log)) and 0 < result.log_loss < 1 and 0 <= result.rmse_bins < 0.2


# -- recomputing cards under new parameters --------------------------------------------------


def one_card_log(rng: random.Random) -> list[Review]:
    """A card's log with the bot's rhythm: a lapse is asked again 10 minutes later."""
    when, log = START, [Review("c", START, rng.choice(FIRST_RATINGS))]
    for _ in range(8):
        if log[-1].rating == 1:
            when += timedelta(minutes=10)
            log.append(Review("c", when, 3))
        # not whole days: the next session may come a few hours earlier or later in the day
        when += timedelta(days=rng.randint(1, 30), hours=rng.uniform(-3, 3))
        log.append(Review("c", when, rng.choice((1, 2, 3, 3, 3, 4))))
    if log[-1].rating == 1:
        log.append(Review("c", when + timedelta(minutes=10), 3))
    return log


def test_recomputed_memory_state_matches_fsrs_rs_and_the_bots_scheduler() -> None:
    params = fitting.fit(population(shifted(0.6, 1.6), seed=14, learners=6)).parameters
    rng = random.Random(15)
    for _ in range(30):
        log = one_card_log(rng)
        now = log[-1].reviewed_at + timedelta(days=2)
        state = fitting.recompute(params, log, 0.85, now)
        history = FSRS(list(params)).historical_memory_states(FSRSItem(fitting.fsrs_reviews(log)))
        assert (state.stability, state.difficulty) == pytest.approx((history[-1].stability, history[-1].difficulty))
        card = srs.CardState.new(log[0].reviewed_at)
        for review in log:  # as the bot reviews it: the same days counted, whatever the hour
            card = srs.review(
                card, srs.Rating(review.rating), review.reviewed_at, retention=0.85, fuzz=False, parameters=params
            )
        assert state.stability == pytest.approx(card.stability, rel=1e-5)
        assert state.difficulty == pytest.approx(card.difficulty, rel=1e-5)
        assert state.due == card.due


def test_recompute_refuses_an_empty_log_another_card_or_the_future() -> None:
    log = [Review("c", START, 3), Review("c", START + timedelta(days=2), 3)]
    with pytest.raises(ValueError, match="no reviews"):
        fitting.recompute(DEFAULT_PARAMETERS, [], 0.9, START)
    with pytest.raises(ValueError, match="more than one card"):
        fitting.recompute(DEFAULT_PARAMETERS, [*log, Review("d", START, 3)], 0.9, START + timedelta(days=3))
    with pytest.raises(ValueError, match="after now"):
        fitting.recompute(DEFAULT_PARAMETERS, log, 0.9, START + timedelta(days=1))


def test_overdue_cards_are_spread_a_days_share_at_a_time() -> None:
    now = START + timedelta(days=30)
    dues = {f"late{i}": START + timedelta(hours=i) for i in range(100)}
    dues |= {"soon": now + timedelta(days=3)}
    spread = fitting.spread_overdue(dues, now, per_day=20, max_days=10)
    late = [due for key, due in spread.items() if key != "soon"]
    per_day = sorted(sum(due == now + timedelta(days=d) for due in late) for d in range(10))
    assert per_day == [0] * 5 + [20] * 5 and spread["soon"] == dues["soon"]
    assert spread["late0"] == now and spread["late99"] == now + timedelta(days=4)  # most overdue first
    capped = fitting.spread_overdue(dues, now, per_day=5, max_days=7)
    days = [(due - now).days for key, due in capped.items() if key != "soon"]
    assert min(days) == 0 and max(days) == 6 and max(days.count(d) for d in range(7)) == 15
    light = fitting.spread_overdue({"a": START, "b": START}, now, per_day=20)
    assert light == {"a": now, "b": now}  # within a day's share: all now
