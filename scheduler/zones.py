"""Time zones and times of day as people type them. No Discord, nothing of the project.

- zones: IANA names in any letter case (``europe/berlin``), a city alone (``berlin``), and
  the abbreviations people use (``EST``, ``CET``, ``IST``) answered with the zones they
  probably mean, never silently taken as fixed offsets (zoneinfo knows "EST" as UTC−5 all
  year, which is wrong half the year for New York);
- guesses: the zones a Discord client locale (``de``, ``en-US``, ``pt-BR``) most likely means,
  to offer first when a learner picks their zone;
- times: ``19:30``, ``7:30``, ``7:30pm``, ``7pm``, ``7 PM``, ``noon``, ``midnight``.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# Zone keys that are abbreviations or fixed offsets rather than places: refused, with advice.
LEGACY = re.compile(r"^(?:[A-Z]{3,4}\d?(?:[A-Z]{3})?|GMT[+-]?\d*|Etc/.*|SystemV/.*|[A-Z]{3}\d[A-Z]{3})$")
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "EST": ("America/New_York", "America/Toronto", "America/Detroit"),
    "EDT": ("America/New_York", "America/Toronto", "America/Detroit"),
    "ET": ("America/New_York", "America/Toronto"),
    "CST": ("America/Chicago", "America/Mexico_City", "Asia/Shanghai"),
    "CDT": ("America/Chicago", "America/Winnipeg"),
    "CT": ("America/Chicago",),
    "MST": ("America/Denver", "America/Phoenix", "America/Edmonton"),
    "MDT": ("America/Denver", "America/Edmonton"),
    "MT": ("America/Denver",),
    "PST": ("America/Los_Angeles", "America/Vancouver", "Asia/Manila"),
    "PDT": ("America/Los_Angeles", "America/Vancouver"),
    "PT": ("America/Los_Angeles",),
    "AKST": ("America/Anchorage",),
    "HST": ("Pacific/Honolulu",),
    "GMT": ("Europe/London", "UTC"),
    "BST": ("Europe/London",),
    "WET": ("Europe/Lisbon",),
    "CET": ("Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome"),
    "CEST": ("Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome"),
    "MET": ("Europe/Berlin", "Europe/Paris"),
    "EET": ("Europe/Athens", "Europe/Helsinki", "Europe/Kyiv", "Africa/Cairo"),
    "EEST": ("Europe/Athens", "Europe/Helsinki", "Europe/Kyiv"),
    "MSK": ("Europe/Moscow",),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "PKT": ("Asia/Karachi",),
    "SGT": ("Asia/Singapore",),
    "HKT": ("Asia/Hong_Kong",),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "AEST": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane"),
    "AEDT": ("Australia/Sydney", "Australia/Melbourne"),
    "AWST": ("Australia/Perth",),
    "NZST": ("Pacific/Auckland",),
    "BRT": ("America/Sao_Paulo",),
    "ART": ("America/Argentina/Buenos_Aires",),
    "WAT": ("Africa/Lagos",),
    "EAT": ("Africa/Nairobi",),
    "SAST": ("Africa/Johannesburg",),
}


# The zones most people using each Discord client locale live in, most populous first.
LOCALE_ZONES: dict[str, tuple[str, ...]] = {
    "en-US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Asia/Kolkata"),
    "en-GB": ("Europe/London", "Europe/Dublin", "Australia/Sydney", "Asia/Kolkata", "Africa/Lagos"),
    "es-ES": ("Europe/Madrid", "Atlantic/Canary"),
    "es-419": ("America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires", "America/Lima"),
    "pt-BR": ("America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "Europe/Lisbon"),
    "fr": ("Europe/Paris", "Europe/Brussels", "America/Toronto", "Africa/Abidjan"),
    "de": ("Europe/Berlin", "Europe/Vienna", "Europe/Zurich"),
    "it": ("Europe/Rome",),
    "nl": ("Europe/Amsterdam", "Europe/Brussels"),
    "da": ("Europe/Copenhagen",),
    "no": ("Europe/Oslo",),
    "sv-SE": ("Europe/Stockholm",),
    "fi": ("Europe/Helsinki",),
    "pl": ("Europe/Warsaw",),
    "cs": ("Europe/Prague",),
    "hu": ("Europe/Budapest",),
    "ro": ("Europe/Bucharest",),
    "hr": ("Europe/Zagreb",),
    "lt": ("Europe/Vilnius",),
    "bg": ("Europe/Sofia",),
    "el": ("Europe/Athens",),
    "tr": ("Europe/Istanbul",),
    "uk": ("Europe/Kyiv",),
    "ru": ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Almaty"),
    "hi": ("Asia/Kolkata",),
    "th": ("Asia/Bangkok",),
    "vi": ("Asia/Ho_Chi_Minh",),
    "id": ("Asia/Jakarta", "Asia/Makassar"),
    "zh-CN": ("Asia/Shanghai",),
    "zh-TW": ("Asia/Taipei", "Asia/Hong_Kong"),
    "ja": ("Asia/Tokyo",),
    "ko": ("Asia/Seoul",),
}
WORLD_ZONES = (
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def guess_zones(locale: str | None, limit: int = 20) -> tuple[str, ...]:
    """Zones to offer first for a client locale (``en-US``, ``de``), then common ones worldwide."""
    wanted = locale or ""
    found = LOCALE_ZONES.get(wanted) or LOCALE_ZONES.get(wanted.split("-")[0], ())
    return tuple(dict.fromkeys([*found, *WORLD_ZONES]))[:limit]


class UnknownTimezone(ValueError):
    """Not a time zone the bot can use; ``suggestions`` are the zones probably meant."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


@lru_cache(maxsize=1)
def place_names() -> tuple[str, ...]:
    """Every IANA zone named after a place (Area/City), sorted, and UTC."""
    names = sorted(n for n in available_timezones() if "/" in n and not LEGACY.match(n))
    return (*names, "UTC")


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    return {name.lower(): name for name in place_names()}


@lru_cache(maxsize=1)
def _by_city() -> dict[str, tuple[str, ...]]:
    cities: dict[str, list[str]] = {}
    for name in place_names():
        city = name.rsplit("/", 1)[-1].lower()
        cities.setdefault(city, []).append(name)
    return {city: tuple(names) for city, names in cities.items()}


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def find_zone(text: str) -> ZoneInfo:
    """The zone a person meant by ``text``; UnknownTimezone (with suggestions) otherwise."""
    wanted = text.strip().replace(" ", "_")
    if not wanted:
        raise UnknownTimezone("Type a time zone such as Europe/Berlin, America/New_York or Asia/Kolkata.")
    upper = wanted.upper()
    if upper in ABBREVIATIONS:
        meant = ABBREVIATIONS[upper]
        raise UnknownTimezone(
            f"{text.strip()!r} is an abbreviation, not a place: it would be wrong for half the year where clocks "
            f"change. You probably mean {_listed(meant)}.",
            meant,
        )
    if wanted.lower() in ("utc", "etc/utc", "z", "zulu"):
        return ZoneInfo("UTC")
    found = _by_lower().get(wanted.lower())
    if found is not None:
        return ZoneInfo(found)
    cities = _by_city().get(wanted.lower())
    if cities is not None and len(cities) == 1:
        return ZoneInfo(cities[0])
    close = tuple(cities or difflib.get_close_matches(wanted.lower(), list(_by_lower()), n=3, cutoff=0.6))
    close = tuple(_by_lower().get(name, name) for name in close)
    hint = f" Did you mean {_listed(close)}?" if close else ""
    raise UnknownTimezone(
        f"{text.strip()!r} is not a time zone I know.{hint} Use a place name such as Europe/Berlin, "
        "America/New_York or Asia/Kolkata (start typing to see suggestions).",
        close,
    )


_TIME = re.compile(r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>[ap]\.?m\.?)?$", re.IGNORECASE)


def parse_time_of_day(text: str) -> int:
    """'19:30', '7:30', '7:30pm', '7pm', '7 PM', 'noon', 'midnight' → minutes after midnight;
    ValueError saying what is accepted otherwise."""
    wanted = text.strip().lower()
    if wanted in ("noon", "midday"):
        return 12 * 60
    if wanted == "midnight":
        return 0
    match = _TIME.match(wanted)
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a time of day; use e.g. 19:30, 7:30pm or 7pm")
    hours, minutes = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half:
        if not 1 <= hours <= 12:
            raise ValueError(f"{text.strip()!r}: with am/pm the hour is 1–12")
        hours = hours % 12 + (12 if half == "pm" else 0)
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        raise ValueError(f"{text.strip()!r} is not a valid time of day; hours 0–23, minutes 00–59")
    return hours * 60 + minutes
