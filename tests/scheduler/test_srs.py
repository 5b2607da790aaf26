from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduler import srs
from scheduler.srs import CardState, Rating, State

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_new_card_good_graduates_after_one_step() -> None:
    c = CardState.new(NOW)
    c1 = srs.review(c, Rating.GOOD, NOW, fuzz=False)
    assert c1.state == State.REVIEW and c1.due - NOW >= timedelta(days=1)
    assert c1.last_review == NOW and c1.stability and c1.difficulty


def test_again_stays_in_learning_for_minutes() -> None:
    c1 = srs.review(CardState.new(NOW), Rating.AGAIN, NOW, fuzz=False)
    assert c1.state == State.LEARNING and c1.due - NOW == timedelta(minutes=10)


def test_lapse_goes_to_relearning_then_back() -> None:
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    later = c.due
    lapsed = srs.review(c, Rating.AGAIN, later, fuzz=False)
    assert lapsed.state == State.RELEARNING and lapsed.due - later == timedelta(minutes=10)
    back = srs.review(lapsed, Rating.GOOD, later + timedelta(minutes=3), fuzz=False)
    assert back.state == State.REVIEW


def test_easy_schedules_further_than_good_than_hard() -> None:
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    t = c.due
    due = {r: srs.review(c, r, t, fuzz=False).due for r in (Rating.HARD, Rating.GOOD, Rating.EASY)}
    assert due[Rating.HARD] < due[Rating.GOOD] < due[Rating.EASY]


def test_higher_retention_means_shorter_intervals() -> None:
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    low = srs.review(c, Rating.GOOD, c.due, retention=0.75, fuzz=False)
    high = srs.review(c, Rating.GOOD, c.due, retention=0.95, fuzz=False)
    assert high.due < low.due


@pytest.mark.parametrize("value", [0.5, 0.69, 0.98, 1.0])
def test_retention_out_of_range_rejected(value: float) -> None:
    with pytest.raises(ValueError, match=r"between 0\.70 and 0\.97"):
        srs.check_retention(value)


def test_non_utc_aware_datetime_is_normalised() -> None:
    berlin = timezone(timedelta(hours=2))
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW.astimezone(berlin), fuzz=False)
    assert c.last_review == NOW and c.last_review.tzinfo == UTC


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        srs.review(CardState.new(NOW), Rating.GOOD, datetime(2026, 5, 1))  # noqa: DTZ001


def test_retrievability_decays() -> None:
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    assert srs.retrievability(CardState.new(NOW), NOW) == 0.0
    r1 = srs.retrievability(c, NOW + timedelta(days=1))
    r30 = srs.retrievability(c, NOW + timedelta(days=30))
    assert 1.0 >= r1 > r30 > 0


def test_fuzz_varies_long_intervals() -> None:
    c = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    for _ in range(3):
        c = srs.review(c, Rating.GOOD, c.due, fuzz=False)
    dues = {srs.review(c, Rating.GOOD, c.due, fuzz=True).due for _ in range(20)}
    assert len(dues) > 1
