"""/help: what the bot does and every command with an example, with a *Get started* button."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study.channels import channel_here
from bot.ui.components import static_view
from bot.ui.help import help_embed
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, bot_present, personal
from bot.ui.replies import ack
from bot.ui.start import GetStarted


class HelpCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What I do, and every command with an example")
    @everywhere
    async def help(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        in_server = interaction.guild_id is not None and bot_present(interaction)
        study_channel = None
        if in_server and interaction.channel_id is not None:
            async with services.read() as session:
                study_channel = await channel_here(session, interaction.channel_id)
        embed = help_embed(services.content, in_server=in_server, study_channel=study_channel)
        await interaction.followup.send(embed=embed, view=static_view([GetStarted()]))


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(HelpCog(bot))
