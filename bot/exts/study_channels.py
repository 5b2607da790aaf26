"""/studychannel: server admins turn channels into study channels (posts, answers and the
tally are sent by ``bot.delivery.posts``; the answer buttons are shared components)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.errors import InvalidInput, NotAllowed
from bot.study import channels as svc
from bot.study.mydata import paused_by
from bot.ui import channels as ui
from bot.ui.autocomplete import timezone_choices
from bot.ui.installs import SERVER, SERVER_INSTALL
from bot.ui.interaction import StudyInteraction
from bot.ui.replies import ack

StudyTarget = discord.TextChannel | discord.Thread


def _guild_check(interaction: StudyInteraction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Study channels belong to a server: run this in one.", title="Servers only")
    return interaction.guild_id


def _require_manage(interaction: StudyInteraction) -> None:
    if not interaction.permissions.manage_guild:
        raise NotAllowed(
            "You need the **Manage Server** permission to set up study channels.", title="Manage Server needed"
        )


def _same_guild(interaction: StudyInteraction, channel: StudyTarget) -> None:
    if channel.guild.id != interaction.guild_id:
        raise NotAllowed("That channel belongs to another server.", title="Another server's channel")


def _usable(interaction: StudyInteraction, channel: StudyTarget) -> StudyTarget:
    """The channel as this server's cache has it, if the bot can post there (else a refusal
    that names the missing permissions)."""
    guild = interaction.guild
    real = guild.get_channel_or_thread(channel.id) if guild else None
    if guild is None or not isinstance(real, discord.TextChannel | discord.Thread):
        raise InvalidInput(
            "I can't see that channel. Check that I have View Channel there.", title="Channel not visible"
        )
    missing = ui.missing_permissions(real, guild.me)
    if missing:
        raise InvalidInput(
            f"I'm missing these permissions in {real.mention}: **{', '.join(missing)}**. "
            "Grant them (channel settings → Permissions), then try again.",
            title="Missing permissions",
        )
    return real


def _missing_now(interaction: StudyInteraction, channel: StudyTarget) -> list[str]:
    guild = interaction.guild
    real = guild.get_channel_or_thread(channel.id) if guild else None
    if guild is None or not isinstance(real, discord.TextChannel | discord.Thread):
        return ["View Channel"]
    return ui.missing_permissions(real, guild.me)


class StudyChannelsCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    # ------------------------------------------------------------ Discord events

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        async with self.bot.services.unit() as session:
            await svc.channel_deleted(session, channel.id, self.bot.services.clock.now())

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        async with self.bot.services.unit() as session:
            await svc.bot_removed(session, guild.id, self.bot.services.clock.now())

    # ------------------------------------------------------------ commands

    group = app_commands.Group(
        name="studychannel",
        description="Post study questions in a channel on a schedule",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
        allowed_contexts=SERVER,
        allowed_installs=SERVER_INSTALL,
    )

    async def _save(
        self, interaction: StudyInteraction, channel: StudyTarget, options: svc.ScheduleOptions, *, edit: bool
    ) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        _same_guild(interaction, channel)
        await ack(interaction, ephemeral=True, thinking=True)
        _usable(interaction, channel)
        services = self.bot.services
        now = services.clock.now()
        async with services.unit() as session:
            existing = await svc.get_channel(session, guild_id, channel.id) if edit else None
            schedule = svc.parse_schedule(services.content, base=existing, **options)
            sc = await svc.save(session, guild_id, channel.id, interaction.user.id, schedule, now, existing=existing)
            embed = ui.list_embed([sc], {channel.id: f"#{channel.name}"}, now)
        embed.title = "✅ Study channel saved"
        await interaction.followup.send(embed=embed, ephemeral=True)

    @group.command(name="add", description="Make a channel a study channel")
    @app_commands.describe(
        channel="Where to post",
        time="Post time, HH:MM (24 h, default 12:00)",
        timezone="Time zone of the post time (default UTC)",
        days="e.g. daily, weekdays, mon,wed,fri (default daily)",
        questions="Questions per post, 1–4 (default 1)",
        levels="Roadmap levels, e.g. 0,1 (default: all)",
        topics="Topics, comma-separated (default: all)",
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    async def add(
        self,
        interaction: StudyInteraction,
        channel: StudyTarget,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        questions: int | None = None,
        levels: str | None = None,
        topics: str | None = None,
    ) -> None:
        options = svc.ScheduleOptions(
            levels=levels, topics=topics, time=time, timezone=timezone, days=days, questions=questions
        )
        await self._save(interaction, channel, options, edit=False)

    @group.command(name="edit", description="Change a study channel's schedule or scope")
    @app_commands.autocomplete(timezone=timezone_choices)
    async def edit(
        self,
        interaction: StudyInteraction,
        channel: StudyTarget,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        questions: int | None = None,
        levels: str | None = None,
        topics: str | None = None,
    ) -> None:
        options = svc.ScheduleOptions(
            levels=levels, topics=topics, time=time, timezone=timezone, days=days, questions=questions
        )
        await self._save(interaction, channel, options, edit=True)

    async def _change(self, interaction: StudyInteraction, channel: StudyTarget, action: str) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        _same_guild(interaction, channel)
        await ack(interaction, ephemeral=True, thinking=True)
        services = self.bot.services
        now = services.clock.now()
        async with services.unit() as session:
            sc = await svc.get_channel(session, guild_id, channel.id)
            if action == "pause":
                svc.pause(sc, paused_by(interaction.user.id), now)
                text = f"⏸️ Paused posting in <#{channel.id}>. `/studychannel resume` restarts it."
            elif action == "resume":
                missing = _missing_now(interaction, channel)
                if missing:
                    raise InvalidInput(
                        f"I'm still missing: **{', '.join(missing)}** in <#{channel.id}>.", title="Missing permissions"
                    )
                svc.resume(sc, now)
                assert sc.next_post_at is not None
                text = f"▶️ Resumed. Next post <t:{int(sc.next_post_at.timestamp())}:R>."
            else:
                await svc.remove(session, sc)
                text = f"🗑️ <#{channel.id}> is no longer a study channel. Past answers stay in members' reviews."
        await interaction.followup.send(text, ephemeral=True)

    @group.command(name="pause", description="Stop posting in a study channel for now")
    async def pause(self, interaction: StudyInteraction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "pause")

    @group.command(name="resume", description="Start posting again in a paused study channel")
    async def resume(self, interaction: StudyInteraction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "resume")

    @group.command(name="remove", description="Stop using a channel as a study channel")
    async def remove(self, interaction: StudyInteraction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "remove")

    @group.command(name="list", description="This server's study channels, schedules and status")
    async def list_(self, interaction: StudyInteraction) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        await ack(interaction, ephemeral=True, thinking=True)
        services = self.bot.services
        async with services.read() as session:
            rows = await svc.list_channels(session, guild_id)
        names = {}
        for sc in rows:
            found = interaction.guild.get_channel_or_thread(sc.channel_id) if interaction.guild else None
            names[sc.channel_id] = f"#{found.name}" if found else f"#deleted-channel ({sc.channel_id})"
        await interaction.followup.send(embed=ui.list_embed(rows, names, services.clock.now()), ephemeral=True)


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(StudyChannelsCog(bot))
