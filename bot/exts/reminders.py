"""/reminders: the daily review DM on or off, with a welcome DM that finds closed DMs at once."""

from __future__ import annotations

from typing import Literal

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study import learners
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack
from bot.ui.settings import REMINDERS_OFF, turn_reminders_on


class RemindersCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="reminders", description="Turn your daily review DM on or off")
    @app_commands.describe(state="on: a daily digest by DM at your time; off: no DMs")
    @everywhere
    async def reminders(self, interaction: StudyInteraction, state: Literal["on", "off"]) -> None:
        await ack(interaction, ephemeral=True, thinking=True)
        uid = interaction.user.id
        if state == "on":
            text = await turn_reminders_on(self.bot, uid)
        else:
            services = self.bot.services
            async with services.unit() as session:
                await learners.set_reminders(session, uid, False, services.clock.now())
            text = REMINDERS_OFF
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(RemindersCog(bot))
