"""Learner settings and the next-digest time. No Discord here.

Every setter validates its input and raises InvalidInput with a message that says what
is accepted; the next digest time is recomputed whenever something it depends on changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import queries
from bot.db.models import Delivery, Learner
from bot.errors import InvalidInput
from bot.study import dm
from scheduler import srs
from scheduler.timeutil import local_date, next_slot, zone
from scheduler.zones import UnknownTimezone, find_zone, parse_time_of_day

MAX_DIGEST_SIZE = 25


def compute_next_digest(learner: Learner, after: datetime) -> datetime | None:
    """The next digest time strictly after ``after``, or None when digests are off or DMs closed."""
    if not learner.digest_enabled or learner.dm_status == "closed":
        return None
    return next_slot(after, zone(learner.timezone), learner.digest_minute)


async def reschedule(session: AsyncSession, learner: Learner, now: datetime) -> None:
    """Recompute the learner's next digest time after a change it depends on. A local day
    whose digest was already sent (or skipped) gets none again: the next one is the day after."""
    upcoming = compute_next_digest(learner, now)
    if upcoming is not None:
        tz = zone(learner.timezone)
        day = local_date(upcoming, tz).isoformat()
        taken = await session.scalar(
            select(Delivery.id).where(Delivery.kind == "digest", Delivery.target_id == learner.id, Delivery.slot == day)
        )
        if taken is not None:
            upcoming = compute_next_digest(learner, upcoming)
    learner.next_digest_at = upcoming


def next_digest_shown(learner: Learner, now: datetime) -> datetime | None:
    """When the learner's next digest will really be sent (if something is due then): after
    a vacation, not during it."""
    upcoming = learner.next_digest_at
    if upcoming is None or learner.vacation_until is None:
        return upcoming
    tz = zone(learner.timezone)
    while local_date(upcoming, tz, learner.day_cutoff_hour) <= learner.vacation_until:
        upcoming = next_slot(upcoming, tz, learner.digest_minute)
    return upcoming


def on_vacation(learner: Learner, now: datetime) -> bool:
    """Is today (the learner's local study day) within their vacation?"""
    if learner.vacation_until is None:
        return False
    return local_date(now, zone(learner.timezone), learner.day_cutoff_hour) <= learner.vacation_until


async def set_timezone(session: AsyncSession, uid: int, name: str, now: datetime) -> Learner:
    """Set the learner's time zone from what they typed (any letter case, a city, or an IANA
    name); an abbreviation such as EST is refused with the zones it probably means."""
    try:
        tz = find_zone(name)
    except UnknownTimezone as exc:
        raise InvalidInput(str(exc), title="Unknown time zone") from None
    learner = await queries.ensure_learner(session, uid, now)
    learner.timezone = tz.key
    await reschedule(session, learner, now)
    return learner


async def set_digest_time(session: AsyncSession, uid: int, text: str, now: datetime) -> Learner:
    """Set the local digest time from 19:30, 7:30pm, 7pm and the like (InvalidInput otherwise)."""
    try:
        minute = parse_time_of_day(text)
    except ValueError as exc:
        raise InvalidInput(str(exc), title="Not a time of day") from None
    learner = await queries.ensure_learner(session, uid, now)
    learner.digest_minute = minute
    await reschedule(session, learner, now)
    return learner


async def set_number(session: AsyncSession, uid: int, field: str, value: float, now: datetime) -> Learner:
    """Set a numeric setting within its allowed range (InvalidInput saying the range otherwise)."""
    limits: dict[str, tuple[float, float, str]] = {
        "digest_size": (1, MAX_DIGEST_SIZE, "questions per digest"),
        "day_cutoff_hour": (0, 12, "the hour your day starts"),
        "new_per_day": (0, 100, "new questions per day"),
        "reviews_per_day": (1, 1000, "reviews per day"),
    }
    learner = await queries.ensure_learner(session, uid, now)
    if field == "desired_retention":
        learner.desired_retention = _retention(value)
        return learner
    lo, hi, what = limits[field]
    if not lo <= value <= hi or int(value) != value:
        raise InvalidInput(
            f"{what.capitalize()} must be a whole number from {int(lo)} to {int(hi)}.", title="Out of range"
        )
    setattr(learner, field, int(value))
    return learner


def _retention(value: float) -> float:
    """A desired retention as stored (two decimals, as the scheduler uses it), or InvalidInput
    saying the range, and what was probably meant when it was typed as a percentage."""
    rounded = round(float(value), 2)
    if srs.MIN_RETENTION <= rounded <= srs.MAX_RETENTION:
        return srs.check_retention(rounded)
    hint = ""
    if srs.MIN_RETENTION <= (guess := round(float(value) / 100, 2)) <= srs.MAX_RETENTION:
        hint = f" It is a fraction, not a percentage: did you mean {guess:.2f}?"
    raise InvalidInput(
        f"Desired retention must be from {srs.MIN_RETENTION:.2f} to {srs.MAX_RETENTION:.2f}; you gave {value:g}."
        f"{hint} 0.90 means you'd recall about 90% of cards when they come up for review.",
        title="Retention out of range",
    )


async def set_vacation(session: AsyncSession, uid: int, text: str, now: datetime) -> Learner:
    """``YYYY-MM-DD`` (inclusive) or ``off``."""
    learner = await queries.ensure_learner(session, uid, now)
    wanted = text.strip().lower()
    if wanted in ("off", "none", "no", "end"):
        if learner.vacation_until is not None and learner.vacations:
            # Ending early: the recorded period ends yesterday (it never covers today).
            today = local_date(now, zone(learner.timezone), learner.day_cutoff_hour)
            start, _ = learner.vacations[-1]
            end = today - timedelta(days=1)
            learner.vacations = [
                *learner.vacations[:-1],
                *([[start, end.isoformat()]] if end.isoformat() >= start else []),
            ]
        learner.vacation_until = None
        return learner
    try:
        until = date.fromisoformat(wanted)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date; use YYYY-MM-DD (e.g. 2026-12-31), or `off`.", title="Not a date"
        ) from None
    today = local_date(now, zone(learner.timezone), learner.day_cutoff_hour)
    if until < today:
        raise InvalidInput(
            f"{until.isoformat()} is in the past; pick a day from {today.isoformat()} on.", title="Date in the past"
        )
    if (until - today).days > 366:
        raise InvalidInput("A vacation can last at most a year.", title="Vacation too long")
    learner.vacation_until = until
    periods = [p for p in (learner.vacations or []) if p[0] != today.isoformat()]
    learner.vacations = [*periods[-19:], [today.isoformat(), until.isoformat()]]
    return learner


async def set_reminders(session: AsyncSession, uid: int, on: bool, now: datetime) -> Learner:
    """Turn the daily digest on or off; turning it on retries closed DMs once."""
    learner = await queries.ensure_learner(session, uid, now)
    learner.digest_enabled = on
    learner.paused = not on
    if on:
        dm.retry_after_opt_in(learner)
    learner.snooze_until = None
    await reschedule(session, learner, now)
    return learner


async def welcome_dm_refused(session: AsyncSession, uid: int, now: datetime) -> None:
    """Discord refused the welcome DM: the learner's DMs are closed (no digests until they
    opt in again)."""
    dm.closed(await queries.ensure_learner(session, uid, now))


async def welcome_dm_sent(session: AsyncSession, uid: int, now: datetime) -> None:
    """The welcome DM arrived: the learner's DMs are open."""
    dm.opened(await queries.ensure_learner(session, uid, now))


async def set_limits(session: AsyncSession, uid: int, new: int | None, reviews: int | None, now: datetime) -> Learner:
    """Daily limits for new questions and for reviews (either or both)."""
    learner = await queries.ensure_learner(session, uid, now)
    if new is not None:
        learner = await set_number(session, uid, "new_per_day", new, now)
    if reviews is not None:
        learner = await set_number(session, uid, "reviews_per_day", reviews, now)
    return learner
