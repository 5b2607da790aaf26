"""/start: the welcome flow (placement check, time zone, review time, reminders), whose
components are the shared ones in ``bot.ui.start``."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study import learners
from bot.ui import start as flow
from bot.ui.autocomplete import timezone_choices
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, personal
from bot.ui.replies import ack


class StartCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="start", description="Get started: a 3-minute placement check, your time zone, reminders"
    )
    @app_commands.describe(timezone="Your time zone, to set it at once (a city or Area/City; start typing)")
    @app_commands.autocomplete(timezone=timezone_choices)
    @everywhere
    async def start(self, interaction: StudyInteraction, timezone: str | None = None) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        uid = interaction.user.id
        note = None
        if timezone is not None:
            async with services.unit() as session:
                learner = await learners.set_timezone(session, uid, timezone, services.clock.now())
            note = f"🌍 Time zone set to **{learner.timezone}**."
        message = await flow.welcome(services, uid)
        if note:
            message["content"] = note
        await interaction.followup.send(**message)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(StartCog(bot))
