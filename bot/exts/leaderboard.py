"""/leaderboard: a server's top members from study-channel answers; members can opt out."""

from __future__ import annotations

from typing import Literal

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.errors import InvalidInput
from bot.study import leaderboard
from bot.ui import channels as ui
from bot.ui.installs import SERVER, SERVER_INSTALL
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack


def _guild_check(interaction: StudyInteraction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Leaderboards belong to a server: run this in one.", title="Servers only")
    return interaction.guild_id


class LeaderboardCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    group = app_commands.Group(
        name="leaderboard",
        description="This server's study leaderboard",
        guild_only=True,
        allowed_contexts=SERVER,
        allowed_installs=SERVER_INSTALL,
    )

    @group.command(name="view", description="Top members by correct answers or streak")
    async def view(
        self,
        interaction: StudyInteraction,
        period: Literal["week", "all"] = "week",
        by: Literal["correct", "streak"] = "correct",
    ) -> None:
        guild_id = _guild_check(interaction)
        services = self.bot.services
        await ack(interaction, thinking=True)
        async with services.read() as session:
            rows = await leaderboard.leaderboard(session, guild_id, period=period, by=by, now=services.clock.now())
        # Mentions render as names inside embeds and never ping; no member cache needed.
        names = {row.user_id: f"<@{row.user_id}>" for row in rows}
        await interaction.followup.send(embed=ui.leaderboard_embed(rows, names, period=period, by=by))

    @group.command(name="optout", description="Hide or show yourself on leaderboards")
    async def optout(self, interaction: StudyInteraction, state: Literal["on", "off"]) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        async with services.unit() as session:
            await leaderboard.opt_out(session, interaction.user.id, state == "on", services.clock.now())
        text = "🙈 You're hidden from leaderboards." if state == "on" else "👀 You're back on leaderboards."
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(LeaderboardCog(bot))
