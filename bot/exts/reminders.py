"""/settings and /reminders, the welcome DM, and the daily digest DM (sent by the scheduler)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy import select

from bot.db import queries
from bot.db.models import Learner, QuizSession
from bot.delivery import UNKNOWN_CHANNEL, outcome_for_dm
from bot.errors import NotAllowed, StaleInteraction
from bot.exts.quiz import render_step
from bot.study import digest as digests
from bot.study import dm, learners, quiz
from bot.ui.autocomplete import choices_from
from bot.ui.replies import ack, guarded
from bot.ui.text import clip
from scheduler.dispatch import Claim, Outcome
from scheduler.timeutil import format_hhmm, timezone_names

log = logging.getLogger(__name__)
OPEN_DMS_HELP = (
    "I couldn't send you a direct message: your DMs are closed to me. To receive daily reviews, open "
    "**User Settings → Content & Social → Direct messages from server members** (or right-click the server → "
    "**Privacy Settings → Direct Messages**), then run `/reminders on` again."
)
COLOUR = discord.Colour.gold()


def settings_embed(learner: Learner, now: Any) -> discord.Embed:
    e = discord.Embed(title="⚙️ Your study settings", colour=COLOUR)
    status = "on" if learner.digest_enabled else "off"
    if learner.dm_status == "closed":
        status = "off — your DMs are closed to me (`/reminders on` after opening them)"
    e.add_field(
        name="Daily digest",
        value=f"{status}, at **{format_hhmm(learner.digest_minute)}** "
        f"({learner.timezone}), up to {learner.digest_size} questions",
        inline=False,
    )
    if learner.next_digest_at is not None:
        e.add_field(name="Next digest", value=f"<t:{int(learner.next_digest_at.timestamp())}:F>", inline=False)
    e.add_field(name="Time zone", value=learner.timezone)
    e.add_field(name="Day starts at", value=f"{learner.day_cutoff_hour:02d}:00")
    e.add_field(name="Desired retention", value=f"{learner.desired_retention:.2f}")
    e.add_field(name="Daily limits", value=f"{learner.new_per_day} new · {learner.reviews_per_day} reviews")
    e.add_field(
        name="Vacation", value=f"until {learner.vacation_until.isoformat()}" if learner.vacation_until else "none"
    )
    e.set_footer(text="Change with /settings … · turn digests on or off with /reminders")
    return e


async def timezone_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    q = current.strip().lower().replace(" ", "_")
    names = timezone_names()
    hits = [n for n in names if n.lower().startswith(q)] + [
        n for n in names if q in n.lower() and not n.lower().startswith(q)
    ]
    return choices_from([(n, n) for n in hits])


class DigestButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"dg:(?P<action>snooze|skip):(?P<sid>\d+)"):
    def __init__(self, action: str, sid: int, label: str = "?", emoji: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=f"dg:{action}:{sid}", emoji=emoji, style=discord.ButtonStyle.secondary
            )
        )
        self.action, self.sid = action, sid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DigestButton:
        return cls(match["action"], int(match["sid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: on_digest_button(interaction, self.action, self.sid))


def digest_row(sid: int) -> list[Any]:
    return [DigestButton("snooze", sid, "Snooze 1 h", "⏰"), DigestButton("skip", sid, "Skip today", "🌙")]


async def on_digest_button(interaction: discord.Interaction, action: str, sid: int) -> None:
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction)
    now = services.clock.now()
    async with services.unit() as s:
        qs = await s.get(QuizSession, sid)
        if qs is None or qs.source != "digest":
            raise StaleInteraction("That digest no longer exists.")
        if qs.learner_id != interaction.user.id:
            raise NotAllowed("That digest belongs to someone else.")
        if qs.finished_at is not None:
            raise StaleInteraction("That digest is already finished.")
        learner = await queries.ensure_learner(s, qs.learner_id, now)
        if action == "snooze":
            learner.snooze_until = now + timedelta(hours=1)
            text = f"⏰ Snoozed — I'll bring it back <t:{int(learner.snooze_until.timestamp())}:t>."
        else:
            await quiz.stop(s, services.content, sid, qs.learner_id, now)
            learner.snooze_until = None
            text = "🌙 Skipped for today. See you tomorrow!"
    await interaction.edit_original_response(content=text, embed=None, view=None)


class Reminders(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.limiter = bot.services.limiter  # type: ignore[attr-defined]

    @property
    def services(self) -> Any:
        return self.bot.services  # type: ignore[attr-defined]

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DigestButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DigestButton)

    # ------------------------------------------------------------ sending DMs

    async def _dm_channel(self, learner_id: int, known: int | None = None) -> int:
        if known:
            return known
        async with self.services.read() as s:
            cached = await s.scalar(select(Learner.dm_channel_id).where(Learner.id == learner_id))
        if cached:
            return int(cached)
        await self.limiter.acquire()
        channel = await self.bot.create_dm(discord.Object(learner_id))
        async with self.services.unit() as s:
            await dm.set_channel(s, learner_id, channel.id)
        return channel.id

    async def send_dm(
        self, learner_id: int, *, channel_id: int | None = None, key: str | None = None, **payload: Any
    ) -> discord.Message:
        """One DM through the shared limiter: one request when the DM channel id is known.
        A stale channel id is replaced once; Forbidden (e.g. 50007) propagates."""
        for attempt in (1, 2):
            channel_id = await self._dm_channel(learner_id, channel_id if attempt == 1 else None)
            channel = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)
            await self.limiter.acquire()
            try:
                if key is not None:
                    payload["nonce"] = key
                return await channel.send(**payload)
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_CHANNEL or attempt == 2:
                    raise
                async with self.services.unit() as s:
                    await dm.set_channel(s, learner_id, None)
        raise AssertionError("unreachable")

    async def deliver(self, claim: Claim) -> Outcome:
        """Called by the dispatcher for each claimed digest or snooze reminder."""
        services, m = self.services, self.bot.metrics  # type: ignore[attr-defined]
        async with services.unit() as s:
            d = await digests.for_delivery(
                s, services.content, claim.delivery_id, claim.kind, claim.target_id, services.clock.now()
            )
        if isinstance(d, str):
            return Outcome("skipped", error=d)
        intro = "⏰ Here's your review again — whenever you're ready." if d.reminder else self._intro(d)
        try:
            msg = await self.send_dm(
                claim.target_id,
                channel_id=d.dm_channel_id,
                key=claim.nonce,
                content=intro,
                **render_step(services, d.step, digest_row(d.step.session.id)),
            )
        except Exception as exc:  # noqa: BLE001 - mapped to an outcome, or re-raised
            outcome = outcome_for_dm(exc)
            m.dms.inc(result="closed" if outcome.status == "closed" else "failed")
            return outcome
        m.dms.inc(result="sent")
        return Outcome("sent", message_id=msg.id, channel_id=msg.channel.id)

    @staticmethod
    def _intro(d: digests.Digest) -> str:
        parts = [f"📬 **Your daily review** — {d.due} due"]
        if d.new:
            parts.append(f" · {d.new} new")
        first = "Here's one" if d.step.total == 1 else f"Here are {d.step.total}"
        parts.append(f". {first} to start; `/quiz` any time for more.")
        return clip("".join(parts), 2000)

    # ------------------------------------------------------------ commands

    @app_commands.command(name="reminders", description="Turn your daily review DM on or off")
    @app_commands.describe(state="on: a daily digest by DM at your time; off: no DMs")
    async def reminders(self, interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        services = self.services
        await ack(interaction, ephemeral=True, thinking=True)
        now = services.clock.now()
        async with services.unit() as s:
            learner = await learners.set_reminders(s, interaction.user.id, state == "on", now)
            when = learner.next_digest_at
        if state == "off":
            await interaction.followup.send(
                "🔕 Daily reviews are off. `/reminders on` brings them back.", ephemeral=True
            )
            return
        welcome = discord.Embed(
            title="👋 Daily reviews are on",
            colour=COLOUR,
            description=(
                "I'll send you a short review here every day at your chosen time, only when something is due. "
                "Answer with the buttons; **Snooze 1 h** or **Skip today** if it's not a good moment.\n\n"
                "Set your time zone and time with `/settings timezone` and `/settings digest-time`."
            ),
        )
        if when is not None:
            welcome.add_field(name="Next digest", value=f"<t:{int(when.timestamp())}:F>")
        try:
            await self.send_dm(interaction.user.id, embed=welcome)
        except discord.Forbidden as exc:
            async with services.unit() as s:
                dm.closed(await queries.ensure_learner(s, interaction.user.id, now))
            self.bot.metrics.dms.inc(result="closed")  # type: ignore[attr-defined]
            log.info("welcome DM to %s refused (%s)", interaction.user.id, exc.code)
            await interaction.followup.send(OPEN_DMS_HELP, ephemeral=True)
            return
        async with services.unit() as s:
            dm.opened(await queries.ensure_learner(s, interaction.user.id, now))
        await interaction.followup.send(
            "✅ Daily reviews are on — I've sent you a DM."
            + (f" Next digest <t:{int(when.timestamp())}:R>." if when else ""),
            ephemeral=True,
        )

    settings = app_commands.Group(name="settings", description="Your study settings")

    async def _update(self, interaction: discord.Interaction, change: Any, note: str = "Saved.") -> None:
        await ack(interaction, ephemeral=True, thinking=True)
        now = self.services.clock.now()
        async with self.services.unit() as s:
            learner = await change(s, now)
            embed = settings_embed(learner, now)
        await interaction.followup.send(content=note, embed=embed, ephemeral=True)

    @settings.command(name="show", description="See your current settings")
    async def show(self, interaction: discord.Interaction) -> None:
        await ack(interaction, ephemeral=True, thinking=True)
        now = self.services.clock.now()
        async with self.services.read() as s:
            embed = settings_embed(await queries.learner_or_default(s, interaction.user.id, now), now)
        await interaction.followup.send(embed=embed, ephemeral=True)

    @settings.command(name="timezone", description="Your time zone, e.g. Europe/Berlin")
    @app_commands.describe(name="IANA time zone name (start typing to search)")
    @app_commands.autocomplete(name=timezone_choices)
    async def timezone(self, interaction: discord.Interaction, name: str) -> None:
        await self._update(interaction, lambda s, now: learners.set_timezone(s, interaction.user.id, name, now))

    @settings.command(name="digest-time", description="When your daily digest arrives (24-hour HH:MM, your time)")
    async def digest_time(self, interaction: discord.Interaction, time: str) -> None:
        await self._update(interaction, lambda s, now: learners.set_digest_time(s, interaction.user.id, time, now))

    @settings.command(name="digest-size", description="How many questions a digest starts with (1–25)")
    async def digest_size(self, interaction: discord.Interaction, count: int) -> None:
        await self._update(
            interaction, lambda s, now: learners.set_number(s, interaction.user.id, "digest_size", count, now)
        )

    @settings.command(name="day-start", description="The hour your study day starts (0–12, default 4)")
    async def day_start(self, interaction: discord.Interaction, hour: int) -> None:
        await self._update(
            interaction, lambda s, now: learners.set_number(s, interaction.user.id, "day_cutoff_hour", hour, now)
        )

    @settings.command(name="retention", description="How much you want to remember, 0.70–0.97 (default 0.90)")
    async def retention(self, interaction: discord.Interaction, value: float) -> None:
        await self._update(
            interaction, lambda s, now: learners.set_number(s, interaction.user.id, "desired_retention", value, now)
        )

    @settings.command(name="limits", description="Daily limits for new questions and reviews")
    async def limits(
        self, interaction: discord.Interaction, new: int | None = None, reviews: int | None = None
    ) -> None:
        async def change(s: Any, now: Any) -> Learner:
            learner = await queries.ensure_learner(s, interaction.user.id, now)
            if new is not None:
                learner = await learners.set_number(s, interaction.user.id, "new_per_day", new, now)
            if reviews is not None:
                learner = await learners.set_number(s, interaction.user.id, "reviews_per_day", reviews, now)
            return learner

        await self._update(interaction, change)

    @settings.command(name="vacation", description="Pause digests until a date (YYYY-MM-DD), or `off`")
    async def vacation(self, interaction: discord.Interaction, until: str) -> None:
        await self._update(interaction, lambda s, now: learners.set_vacation(s, interaction.user.id, until, now))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Reminders(bot))
