"""Owner tools: reload content without a restart (also on SIGHUP); the content report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.content import ContentError, format_summary
from bot.errors import NotAllowed
from bot.services import Services
from bot.study import item_analysis
from bot.ui.installs import SERVER, SERVER_INSTALL
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack
from bot.ui.reports import content_report_embed
from bot.ui.text import clip, plural

log = logging.getLogger(__name__)


async def reload_and_report(services: Services) -> tuple[bool, str]:
    """Validate and swap in the content folder; on failure the running content stays."""
    try:
        content = await services.reload_content()
    except ContentError as exc:
        errors = [str(i) for i in exc.issues if not i.warning]
        log.error("content reload failed; keeping the running content:\n%s", "\n".join(errors))
        return False, "\n".join(errors)
    return True, format_summary(content)


class AdminCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot
        self._sighup = False

    async def cog_load(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGHUP, self._on_sighup)
            self._sighup = True

    async def cog_unload(self) -> None:
        if self._sighup:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def _on_sighup(self) -> None:
        log.info("SIGHUP: reloading content")
        asyncio.ensure_future(reload_and_report(self.bot.services))  # noqa: RUF006

    admin = app_commands.Group(
        name="admin",
        description="Bot owner tools",
        default_permissions=discord.Permissions(administrator=True),
        guild_only=True,
        allowed_contexts=SERVER,
        allowed_installs=SERVER_INSTALL,
    )

    async def _owners_only(self, interaction: StudyInteraction, what: str) -> None:
        owners = set(self.bot.services.settings.owner_ids)
        if interaction.user.id not in owners and not await self.bot.is_owner(interaction.user):
            raise NotAllowed(f"Only the bot's owner can {what}.", title="Owners only")

    @admin.command(name="content-report", description="Questions that need a look, from learners' answers and reports")
    @app_commands.describe(days="only the last N days (default: all time)")
    async def content_report(
        self, interaction: StudyInteraction, days: app_commands.Range[int, 1, 3650] | None = None
    ) -> None:
        await self._owners_only(interaction, "see the content report")
        await ack(interaction, ephemeral=True, thinking=True)
        services = self.bot.services
        since = services.clock.now() - timedelta(days=days) if days is not None else None
        async with services.read() as session:
            items = await item_analysis.analyse(session, services.content, since)
        embed = content_report_embed(items, days=days, version=services.content.version)
        await interaction.followup.send(embed=embed, ephemeral=True)

    @admin.command(name="reload-content", description="Validate and load the content folder without restarting")
    async def reload_content(self, interaction: StudyInteraction) -> None:
        await self._owners_only(interaction, "reload content")
        await ack(interaction, ephemeral=True, thinking=True)
        ok, text = await reload_and_report(self.bot.services)
        if ok:
            embed = discord.Embed(title="Content reloaded", description=clip(text, 4000), colour=discord.Colour.green())
        else:
            errors = text.count("\n") + 1
            embed = discord.Embed(
                title=f"Content NOT reloaded: {plural(errors, 'error')}",
                description=clip("The running content stays in force.\n```\n" + text, 4090) + "\n```",
                colour=discord.Colour.red(),
            )
        await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(AdminCog(bot))
