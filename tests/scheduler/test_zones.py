"""Time zones and times of day as people type them."""

from __future__ import annotations

import pytest

from scheduler.zones import UnknownTimezone, find_zone, parse_time_of_day, place_names


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("America/new_york", "America/New_York"),
        ("utc", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_zones_in_any_case_and_by_city(typed: str, key: str) -> None:
    assert find_zone(typed).key == key


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("EST", "America/New_York"), ("pst", "America/Los_Angeles"), ("CET", "Europe/Berlin"), ("IST", "Asia/Kolkata")],
)
def test_abbreviations_are_answered_with_the_zones_they_probably_mean(typed: str, meant: str) -> None:
    with pytest.raises(UnknownTimezone, match="abbreviation") as caught:
        find_zone(typed)
    assert meant in caught.value.suggestions and meant in str(caught.value)


def test_fixed_offset_zone_keys_are_not_offered_or_accepted() -> None:
    names = place_names()
    assert "EST" not in names and "CET" not in names and "Etc/GMT+5" not in names and "EST5EDT" not in names
    assert "Europe/Berlin" in names and "UTC" in names
    for legacy in ("EST5EDT", "Etc/GMT+5"):
        with pytest.raises(UnknownTimezone):
            find_zone(legacy)


def test_an_unknown_zone_suggests_close_names() -> None:
    with pytest.raises(UnknownTimezone) as caught:
        find_zone("Europe/Berln")
    assert "Europe/Berlin" in caught.value.suggestions


@pytest.mark.parametrize(
    ("typed", "minute"),
    [
        ("19:30", 1170),
        ("07:30", 450),
        ("7:05", 425),
        ("7:30pm", 1170),
        ("7pm", 1140),
        ("7 PM", 1140),
        ("12am", 0),
        ("12pm", 720),
        ("noon", 720),
        ("midnight", 0),
        ("7", 420),
        ("23:59", 1439),
    ],
)
def test_times_as_people_type_them(typed: str, minute: int) -> None:
    assert parse_time_of_day(typed) == minute


@pytest.mark.parametrize("typed", ["24:00", "7:5", "ab:cd", "12:60", "", "-1:00", "13pm", "0am", "7:30 in the evening"])
def test_impossible_times_are_refused_with_examples(typed: str) -> None:
    with pytest.raises(ValueError, match=r"time of day|hour is 1–12"):
        parse_time_of_day(typed)


def test_locale_guesses_are_real_place_zones_and_lead_with_the_locale() -> None:
    from scheduler.zones import LOCALE_ZONES, WORLD_ZONES, guess_zones

    for zones in [*LOCALE_ZONES.values(), WORLD_ZONES]:
        for name in zones:
            assert find_zone(name).key == name
    assert guess_zones("de")[0] == "Europe/Berlin"
    assert guess_zones("en-US")[:2] == ("America/New_York", "America/Chicago")
    assert guess_zones("xx")[0] == "UTC" and guess_zones(None) == guess_zones("xx")
    assert len(set(guess_zones("en-GB"))) == len(guess_zones("en-GB")) <= 20
