"""/stats: your numbers and a chart (reviews per day, cards by state, the forecast)."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.db import queries
from bot.study import stats as st
from bot.study import workload
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, personal
from bot.ui.replies import ack
from bot.ui.stats import nothing_yet_embed, stats_embed


class StatsCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="stats", description="Your reviews, retention, streak and forecast, with a chart")
    @everywhere
    async def stats(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        now = services.clock.now()
        async with services.read() as session:
            learner = await queries.learner_or_default(session, interaction.user.id, now)
            data = await st.compute(session, learner, now)
            calibration = await workload.calibration(session, learner, services.content, now)
        if data.empty:
            await interaction.followup.send(embed=nothing_yet_embed())
            return
        png = await self.bot.charts.render(data)
        await interaction.followup.send(
            embed=stats_embed(data, calibration), file=discord.File(io.BytesIO(png), "stats.png")
        )


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(StatsCog(bot))
