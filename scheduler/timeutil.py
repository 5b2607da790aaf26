"""Local-time maths: learner days, delivery slots, DST. zoneinfo only at these edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ALL_DAYS = 0b1111111
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (IANA, as stored), or ValueError with a helpful message
    (what people type goes through ``scheduler.zones.find_zone`` first)."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a time zone I know. Use an IANA name such as Europe/Berlin, "
            "America/New_York or Asia/Kolkata (start typing to see suggestions)."
        ) from None


def to_utc_local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of local ``day`` at ``minute`` after midnight in ``tz``.

    A local time that does not exist (spring forward) moves forward by the gap, e.g.
    02:30 becomes 03:30; a repeated one (fall back) means its first occurrence.
    """
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).replace(fold=0)
    return local.astimezone(UTC)


def local_date(now: datetime, tz: ZoneInfo, cutoff_hour: int = 0) -> date:
    """The learner's day at ``now``: days start at ``cutoff_hour`` local time."""
    return (now.astimezone(tz) - timedelta(hours=cutoff_hour)).date()


def day_start(day: date, tz: ZoneInfo, cutoff_hour: int = 0) -> datetime:
    """When a local study day begins, in UTC (``cutoff_hour`` after local midnight)."""
    return to_utc_local(day, cutoff_hour * 60, tz)


def next_slot(after: datetime, tz: ZoneInfo, minute: int, days_mask: int = ALL_DAYS) -> datetime:
    """The first local ``minute``-of-day on an allowed weekday strictly after ``after`` (UTC)."""
    if not days_mask & ALL_DAYS:
        raise ValueError("at least one weekday must be enabled")
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(10):
        if days_mask & (1 << day.weekday()):
            at = to_utc_local(day, minute, tz)
            if at > after:
                return at
        day += timedelta(days=1)
    raise AssertionError("unreachable: a week always has an allowed day")


def format_hhmm(minute: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_days(text: str) -> int:
    """'mon,wed,fri', 'weekdays', 'weekends', 'daily' → weekday bit mask."""
    wanted = text.strip().lower()
    named = {"daily": ALL_DAYS, "every day": ALL_DAYS, "all": ALL_DAYS, "weekdays": 0b0011111, "weekends": 0b1100000}
    if wanted in named:
        return named[wanted]
    mask = 0
    for part in wanted.replace(" ", ",").split(","):
        if not part:
            continue
        key = part[:3]
        names = [d.lower() for d in DAY_NAMES]
        if key not in names:
            raise ValueError(f"{part!r} is not a weekday; use e.g. mon,wed,fri or weekdays or daily")
        mask |= 1 << names.index(key)
    if not mask:
        raise ValueError("name at least one weekday, e.g. mon,wed,fri")
    return mask


def format_days(mask: int) -> str:
    """A weekday mask in words: every day, weekdays, or the days' names."""
    if mask & ALL_DAYS == ALL_DAYS:
        return "every day"
    if mask == 0b0011111:
        return "weekdays"
    if mask == 0b1100000:
        return "weekends"
    return ", ".join(d for i, d in enumerate(DAY_NAMES) if mask & (1 << i))
