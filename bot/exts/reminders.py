"""/reminders: the daily review DM on or off, with a welcome DM that finds closed DMs at once."""

from __future__ import annotations

import logging
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study import learners
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack
from bot.ui.settings import OPEN_DMS_HELP, welcome_embed

log = logging.getLogger(__name__)


class RemindersCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="reminders", description="Turn your daily review DM on or off")
    @app_commands.describe(state="on: a daily digest by DM at your time; off: no DMs")
    async def reminders(self, interaction: StudyInteraction, state: Literal["on", "off"]) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        now, uid = services.clock.now(), interaction.user.id
        async with services.unit() as session:
            learner = await learners.set_reminders(session, uid, state == "on", now)
            when = learner.next_digest_at
        if state == "off":
            await interaction.followup.send(
                "🔕 Daily reviews are off. `/reminders on` brings them back.", ephemeral=True
            )
            return
        try:
            await self.bot.dm.send(uid, {"embed": welcome_embed(when)})
        except discord.Forbidden as exc:
            async with services.unit() as session:
                await learners.welcome_dm_refused(session, uid, now)
            services.metrics.dms.labels(result="closed").inc()
            log.info("welcome DM to %s refused (%s)", uid, exc.code)
            await interaction.followup.send(OPEN_DMS_HELP, ephemeral=True)
            return
        async with services.unit() as session:
            await learners.welcome_dm_sent(session, uid, now)
        next_text = f" Next digest <t:{int(when.timestamp())}:R>." if when else ""
        await interaction.followup.send(f"✅ Daily reviews are on — I've sent you a DM.{next_text}", ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(RemindersCog(bot))
