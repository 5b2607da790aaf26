"""A learner's settings as an embed, and the welcome DM."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.db.models import Learner
from bot.study import learners
from bot.study.learners import next_digest_shown
from scheduler.timeutil import format_hhmm

if TYPE_CHECKING:
    from bot.client import StudyBot

log = logging.getLogger(__name__)

COLOUR = discord.Colour.gold()
OPEN_DMS_HELP = (
    "I couldn't send you a direct message: your DMs are closed to me. To receive daily reviews, open "
    "**User Settings → Content & Social → Direct messages from server members** (or right-click the server → "
    "**Privacy Settings → Direct Messages**), then run `/reminders on` again."
)
REMINDERS_OFF = "🔕 Daily reviews are off. `/reminders on` brings them back."


def settings_embed(learner: Learner, now: datetime) -> discord.Embed:
    embed = discord.Embed(title="⚙️ Your study settings", colour=COLOUR)
    status = "on" if learner.digest_enabled else "off"
    if learner.dm_status == "closed":
        status = "off — your DMs are closed to me (`/reminders on` after opening them)"
    embed.add_field(
        name="Daily digest",
        value=f"{status}, at **{format_hhmm(learner.digest_minute)}** "
        f"({learner.timezone}), up to {learner.digest_size} questions",
        inline=False,
    )
    upcoming = next_digest_shown(learner, now)
    if upcoming is not None:
        when = f"<t:{int(upcoming.timestamp())}:F>, if something is due then"
        if learner.vacation_until is not None and upcoming != learner.next_digest_at:
            when += " (after your vacation)"
        embed.add_field(name="Next digest", value=when, inline=False)
    embed.add_field(name="Time zone", value=learner.timezone)
    embed.add_field(name="Day starts at", value=f"{learner.day_cutoff_hour:02d}:00")
    embed.add_field(name="Desired retention", value=f"{learner.desired_retention:.2f}")
    embed.add_field(name="Daily limits", value=f"{learner.new_per_day} new · {learner.reviews_per_day} reviews")
    vacation = f"until {learner.vacation_until.isoformat()}" if learner.vacation_until else "none"
    embed.add_field(name="Vacation", value=vacation)
    embed.set_footer(text="Change with /settings … · turn digests on or off with /reminders")
    return embed


def welcome_embed(next_digest: datetime | None) -> discord.Embed:
    """The DM sent when reminders are turned on (it also finds out whether DMs are open)."""
    embed = discord.Embed(
        title="👋 Daily reviews are on",
        colour=COLOUR,
        description=(
            "I'll send you a short review here every day at your chosen time, only when something is due. "
            "Answer with the buttons; **Snooze 1 h** or **Skip today** if it's not a good moment.\n\n"
            "Set your time zone and time with `/settings timezone` and `/settings digest-time`."
        ),
    )
    if next_digest is not None:
        embed.add_field(name="Next digest", value=f"<t:{int(next_digest.timestamp())}:F>")
    return embed


async def turn_reminders_on(bot: StudyBot, uid: int) -> str:
    """Turn the daily digest on and send the welcome DM, which finds closed DMs at once;
    returns the line to show the learner (`/reminders on` and `/start` both use it)."""
    services = bot.services
    now = services.clock.now()
    async with services.unit() as session:
        learner = await learners.set_reminders(session, uid, True, now)
        when = learner.next_digest_at
    try:
        await bot.dm.send(uid, {"embed": welcome_embed(when)})
    except discord.Forbidden as exc:
        async with services.unit() as session:
            await learners.welcome_dm_refused(session, uid, now)
        services.metrics.dms.labels(result="closed").inc()
        log.info("welcome DM to %s refused (%s)", uid, exc.code)
        return OPEN_DMS_HELP
    async with services.unit() as session:
        await learners.welcome_dm_sent(session, uid, now)
    next_text = f" Next digest <t:{int(when.timestamp())}:R>." if when else ""
    return f"✅ Daily reviews are on — I've sent you a DM.{next_text}"
