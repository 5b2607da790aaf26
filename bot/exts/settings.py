"""/settings: time zone, digest time and size, day start, retention (and its workload advice),
daily limits, vacation, the scheduler's parameters."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.client import StudyBot
from bot.db import queries
from bot.db.models import Learner
from bot.study import learners, workload
from bot.study import parameters as fsrs_parameters
from bot.ui.autocomplete import timezone_choices
from bot.ui.installs import BOTH_INSTALLS, EVERYWHERE
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack
from bot.ui.scheduler import SchedulerChoice, scheduler_message, workload_embed
from bot.ui.settings import settings_embed

Change = Callable[[AsyncSession, datetime], Awaitable[Learner]]


class SettingsCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SchedulerChoice)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SchedulerChoice)

    settings = app_commands.Group(
        name="settings",
        description="Your study settings",
        allowed_contexts=EVERYWHERE,
        allowed_installs=BOTH_INSTALLS,
    )

    async def _update(
        self, interaction: StudyInteraction, change: Change, note: Callable[[Learner], str | None] = lambda _: None
    ) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        now = services.clock.now()
        async with services.unit() as session:
            learner = await change(session, now)
            embed = settings_embed(learner, now)
            extra = note(learner)
        content = "Saved." if extra is None else f"Saved. {extra}"
        await interaction.followup.send(content=content, embed=embed, ephemeral=True)

    @settings.command(name="show", description="See your current settings")
    async def show(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        now = services.clock.now()
        async with services.read() as session:
            embed = settings_embed(await queries.learner_or_default(session, interaction.user.id, now), now)
        await interaction.followup.send(embed=embed, ephemeral=True)

    @settings.command(name="timezone", description="Your time zone, e.g. Europe/Berlin")
    @app_commands.describe(name="A city or Area/City name, any letter case (start typing to search)")
    @app_commands.autocomplete(name=timezone_choices)
    async def timezone(self, interaction: StudyInteraction, name: str) -> None:
        uid = interaction.user.id
        await self._update(interaction, lambda session, now: learners.set_timezone(session, uid, name, now))

    @settings.command(name="digest-time", description="When your daily digest arrives, your time (19:30, 7:30pm, 7pm)")
    @app_commands.describe(time="Your local time: 19:30, 7:30pm or 7pm")
    async def digest_time(self, interaction: StudyInteraction, time: str) -> None:
        uid = interaction.user.id
        await self._update(interaction, lambda session, now: learners.set_digest_time(session, uid, time, now))

    @settings.command(name="digest-size", description="How many questions a digest starts with (1–25)")
    async def digest_size(self, interaction: StudyInteraction, count: int) -> None:
        uid = interaction.user.id
        await self._update(
            interaction, lambda session, now: learners.set_number(session, uid, "digest_size", count, now)
        )

    @settings.command(name="day-start", description="The hour your study day starts (0–12, default 4)")
    async def day_start(self, interaction: StudyInteraction, hour: int) -> None:
        uid = interaction.user.id
        await self._update(
            interaction, lambda session, now: learners.set_number(session, uid, "day_cutoff_hour", hour, now)
        )

    @settings.command(
        name="retention", description="How much you want to remember, 0.70–0.97; without a value: what each costs"
    )
    @app_commands.describe(value="0.70–0.97 (default 0.90); leave it out to see the workload of each")
    async def retention(self, interaction: StudyInteraction, value: float | None = None) -> None:
        uid = interaction.user.id
        if value is not None:
            await self._update(
                interaction,
                lambda session, now: learners.set_number(session, uid, "desired_retention", value, now),
                lambda learner: workload.saved_warning(learner.desired_retention),
            )
            return
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        now = services.clock.now()
        async with services.read() as session:
            learner = await queries.learner_or_default(session, uid, now)
            deck = await workload.deck_of(session, learner, services.content)
        points = await asyncio.to_thread(workload.advice, deck)
        rows = [(point.retention, point.reviews_per_day, point.remembered) for point in points]
        png = await self.bot.charts.render_workload(rows, deck.current)
        await interaction.followup.send(
            embed=workload_embed(points, deck), file=discord.File(io.BytesIO(png), "workload.png"), ephemeral=True
        )

    @settings.command(name="scheduler", description="Which FSRS parameters time your reviews, and how well they fit")
    async def scheduler(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        now = services.clock.now()
        async with services.read() as session:
            learner = await queries.learner_or_default(session, interaction.user.id, now)
            found = await fsrs_parameters.overview(session, learner, services.content)
        message = scheduler_message(found, learner, services.settings.fsrs_personal_min_reviews)
        await interaction.followup.send(**message, ephemeral=True)

    @settings.command(name="limits", description="Daily limits for new questions and reviews")
    async def limits(self, interaction: StudyInteraction, new: int | None = None, reviews: int | None = None) -> None:
        uid = interaction.user.id
        await self._update(interaction, lambda session, now: learners.set_limits(session, uid, new, reviews, now))

    @settings.command(name="vacation", description="Pause digests until a date (YYYY-MM-DD), or `off`")
    async def vacation(self, interaction: StudyInteraction, until: str) -> None:
        uid = interaction.user.id
        await self._update(interaction, lambda session, now: learners.set_vacation(session, uid, until, now))


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(SettingsCog(bot))
