from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler.timeutil import (
    format_days,
    local_date,
    next_slot,
    parse_days,
    to_utc_local,
    zone,
)

NY, BERLIN, KOLKATA = zone("America/New_York"), zone("Europe/Berlin"), zone("Asia/Kolkata")


def test_nonexistent_local_time_moves_forward() -> None:
    # 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00).
    assert to_utc_local(date(2026, 3, 8), 150, NY) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT


def test_repeated_local_time_means_first_occurrence() -> None:
    # 2026-11-01 01:30 happens twice in New York; the first is EDT (UTC-4).
    assert to_utc_local(date(2026, 11, 1), 90, NY) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_half_hour_zone() -> None:
    assert to_utc_local(date(2026, 6, 1), 9 * 60, KOLKATA) == datetime(2026, 6, 1, 3, 30, tzinfo=UTC)


def test_next_slot_strictly_after() -> None:
    at = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 Berlin summer time
    assert next_slot(at, BERLIN, 9 * 60) == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert next_slot(at.replace(hour=6), BERLIN, 9 * 60) == at


def test_next_slot_respects_weekdays() -> None:
    monday = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert next_slot(monday, BERLIN, 9 * 60, parse_days("fri")).date() == date(2026, 6, 5)


def test_local_date_with_cutoff() -> None:
    late = datetime(2026, 6, 2, 0, 30, tzinfo=UTC)  # 02:30 in Berlin
    assert local_date(late, BERLIN, 4) == date(2026, 6, 1)
    assert local_date(late, BERLIN, 0) == date(2026, 6, 2)


def test_unknown_timezone_message() -> None:
    with pytest.raises(ValueError, match="Europe/Berlin"):
        zone("Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        zone("../etc/passwd")


def test_days() -> None:
    assert format_days(parse_days("weekdays")) == "weekdays"
    assert format_days(parse_days("mon, wed,fri")) == "Mon, Wed, Fri"
    with pytest.raises(ValueError, match="not a weekday"):
        parse_days("funday")
