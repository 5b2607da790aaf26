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


def test_days_are_review_days_from_a_4_am_rollover_not_24_hour_periods() -> None:
    night = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    assert srs.elapsed_days(night, night + timedelta(hours=2)) == 0  # 01:00 is still the day before
    assert srs.elapsed_days(night, night + timedelta(hours=6)) == 1  # 05:00: the next day
    assert srs.elapsed_days(NOW, NOW + timedelta(hours=23)) == 1  # next day, under 24 hours later
    assert srs.elapsed_days(NOW, NOW + timedelta(hours=47)) == 2
    evening, later = datetime(2026, 3, 2, 18, 0, tzinfo=UTC), datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert srs.elapsed_days(evening, later) == 0
    tokyo = timezone(timedelta(hours=9))  # there it is 03:00 then 05:00: across the rollover
    assert srs.elapsed_days(evening.astimezone(tokyo), later.astimezone(tokyo)) == 1


def test_a_review_the_next_morning_is_a_full_one_even_under_24_hours_later() -> None:
    card = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)  # 09:00
    next_morning = srs.review(card, Rating.GOOD, NOW + timedelta(hours=23), fuzz=False)  # 08:00 the next day
    a_day_later = srs.review(card, Rating.GOOD, NOW + timedelta(hours=25), fuzz=False)
    same_day = srs.review(card, Rating.GOOD, NOW + timedelta(hours=8), fuzz=False)  # 17:00: short-term update
    assert next_morning.stability == pytest.approx(a_day_later.stability)
    assert card.stability and same_day.stability and next_morning.stability
    assert same_day.stability < 1.5 * card.stability < next_morning.stability
    assert next_morning.last_review == NOW + timedelta(hours=23)  # the real time is stored
    morning, later = NOW + timedelta(hours=23), NOW + timedelta(hours=25)
    assert srs.retrievability(card, morning) == srs.retrievability(card, later) < 1.0


def test_days_are_counted_in_the_learners_zone() -> None:
    card = srs.review(CardState.new(NOW), Rating.GOOD, NOW, fuzz=False)
    tokyo = timezone(timedelta(hours=9))  # 09:00 and 20:00 UTC are 18:00 and 05:00 the next day in Tokyo
    in_utc = srs.review(card, Rating.GOOD, NOW + timedelta(hours=11), fuzz=False)
    in_tokyo = srs.review(card, Rating.GOOD, NOW + timedelta(hours=11), fuzz=False, zone=tokyo)
    next_day = srs.review(card, Rating.GOOD, NOW + timedelta(days=1), fuzz=False)
    assert in_tokyo.stability == pytest.approx(next_day.stability)
    assert in_utc.stability is not None and next_day.stability is not None
    assert in_utc.stability < next_day.stability
