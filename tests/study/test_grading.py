from __future__ import annotations

from bot.study.grading import clamp_duration, rating_for, update_usual
from scheduler.srs import Rating


def test_wrong_is_again() -> None:
    assert rating_for(False, 1000, 5000) == Rating.AGAIN
    assert rating_for(False, None, None) == Rating.AGAIN


def test_correct_is_good_without_history() -> None:
    assert rating_for(True, 1000, None) == Rating.GOOD
    assert rating_for(True, None, 5000) == Rating.GOOD


def test_fast_is_easy_slow_is_hard() -> None:
    assert rating_for(True, 2000, 5000) == Rating.EASY
    assert rating_for(True, 5000, 5000) == Rating.GOOD
    assert rating_for(True, 25_000, 10_000) == Rating.HARD
    # slow but under the 20 s floor stays Good
    assert rating_for(True, 12_000, 5000) == Rating.GOOD


def test_usual_time_moving_average() -> None:
    assert update_usual(None, 4000, True) == 4000
    assert update_usual(4000, 9000, True) == 5000
    assert update_usual(4000, 9000, False) == 4000


def test_clamp_duration() -> None:
    assert clamp_duration(None) is None
    assert clamp_duration(-5) == 0
    assert clamp_duration(10**9) == 600_000
