"""/progress: completion per level and the next topic whose prerequisites you have."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study import progress
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, personal
from bot.ui.replies import ack
from bot.ui.stats import progress_embed


class ProgressCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="progress", description="Roadmap completion per level and what to learn next")
    @everywhere
    async def progress_cmd(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        async with services.read() as session:
            levels = await progress.roadmap_progress(
                session, services.content, interaction.user.id, services.clock.now()
            )
        await interaction.followup.send(embed=progress_embed(services.content, levels))


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(ProgressCog(bot))
