"""/leaderboard: a server's top members from study-channel answers; members can opt out."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.db import queries
from bot.errors import InvalidInput
from bot.study import channels as svc
from bot.ui import channels as ui
from bot.ui.replies import ack


def _guild_check(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Leaderboards belong to a server: run this in one.")
    return interaction.guild_id


class Leaderboard(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @property
    def services(self) -> Any:
        return self.bot.services  # type: ignore[attr-defined]

    leaderboard = app_commands.Group(name="leaderboard", description="This server's study leaderboard", guild_only=True)

    @leaderboard.command(name="view", description="Top members by correct answers or streak")
    async def view(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "all"] = "week",
        by: Literal["correct", "streak"] = "correct",
    ) -> None:
        guild_id = _guild_check(interaction)
        await ack(interaction, thinking=True)
        async with self.services.read() as s:
            rows = await svc.leaderboard(s, guild_id, period=period, by=by, now=self.services.clock.now())
        # Mentions render as names inside embeds and never ping; no member cache needed.
        names = {r.user_id: f"<@{r.user_id}>" for r in rows}
        await interaction.followup.send(embed=ui.leaderboard_embed(rows, names, period=period, by=by))

    @leaderboard.command(name="optout", description="Hide or show yourself on leaderboards")
    async def optout(self, interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
        await ack(interaction, ephemeral=True, thinking=True)
        async with self.services.unit() as s:
            learner = await queries.ensure_learner(s, interaction.user.id, self.services.clock.now())
            learner.leaderboard_opt_out = state == "on"
        text = "🙈 You're hidden from leaderboards." if state == "on" else "👀 You're back on leaderboards."
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Leaderboard(bot))
