"""A test extension whose command description the test can change between restarts."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from tests import probe_state


async def setup(bot: commands.Bot) -> None:
    @app_commands.command(name="probe", description=probe_state.DESCRIPTION)
    async def probe(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("probe", ephemeral=True)

    bot.tree.add_command(probe)
