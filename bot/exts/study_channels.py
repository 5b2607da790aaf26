"""/studychannel and /leaderboard: admins schedule questions in channels; members answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy import select

from bot.db.models import Delivery, StudyChannel
from bot.delivery import outcome_for_post
from bot.errors import InvalidInput, NotAllowed
from bot.exts.reminders import timezone_choices
from bot.study import channels as svc
from bot.study.mydata import paused_by
from bot.ui import channels as ui
from bot.ui.components import static_view
from bot.ui.replies import ack, guarded
from scheduler.dispatch import Claim, Outcome, message_nonce

log = logging.getLogger(__name__)
NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}
TALLY_DELAY = 5.0  # seconds between tally edits of one post (bounded edit rate)
StudyTarget = discord.TextChannel | discord.Thread


def missing_permissions(channel: Any, me: Any) -> list[str]:
    perms = channel.permissions_for(me)
    needed = dict(NEEDED)
    if isinstance(channel, discord.Thread):
        needed["send_messages_in_threads"] = "Send Messages in Threads"
        needed.pop("send_messages")
    return [label for attr, label in needed.items() if not getattr(perms, attr)]


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sc:ans:(?P<did>\d+):(?P<choice>\d)"):
    def __init__(self, did: int, choice: int, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(label=label, custom_id=f"sc:ans:{did}:{choice}", style=discord.ButtonStyle.secondary)
        )
        self.did, self.choice = did, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["did"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: on_answer(interaction, self.did, self.choice))


def answer_view(q: Any, did: int) -> discord.ui.View:
    row: list[discord.ui.Item[Any]]
    if hasattr(q, "options"):
        row = [AnswerButton(did, i, ui.LETTERS[i]) for i in range(len(q.options))]
    else:
        row = [AnswerButton(did, 1, "True"), AnswerButton(did, 0, "False")]
    return static_view(row)


async def on_answer(interaction: discord.Interaction, did: int, choice: int) -> None:
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction, ephemeral=True, thinking=True)
    async with services.unit() as s:
        fb = await svc.answer(
            s, services.content, did, interaction.user.id, interaction.guild_id, choice, services.clock.now()
        )
    await interaction.followup.send(ui.feedback(fb.question, fb.correct), ephemeral=True)
    cog = interaction.client.get_cog("StudyChannels")  # type: ignore[attr-defined]
    if cog is not None:
        cog.schedule_tally(did)


def _guild_check(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Study channels belong to a server: run this in one.")
    return interaction.guild_id


def _require_manage(interaction: discord.Interaction) -> None:
    perms = getattr(interaction, "permissions", None)
    if perms is None or not perms.manage_guild:
        raise NotAllowed("You need the **Manage Server** permission to set up study channels.")


def _same_guild(interaction: discord.Interaction, channel: Any) -> None:
    guild = getattr(channel, "guild", None)
    if guild is None or guild.id != interaction.guild_id:
        raise NotAllowed("That channel belongs to another server.")


class StudyChannels(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._tally: dict[int, asyncio.Task[None]] = {}
        self.tally_delay = TALLY_DELAY

    @property
    def services(self) -> Any:
        return self.bot.services  # type: ignore[attr-defined]

    @property
    def limiter(self) -> Any:
        return self.services.limiter

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnswerButton)
        for t in self._tally.values():
            t.cancel()

    # ------------------------------------------------------------ posting

    async def _pause(self, sc_id: int, reason: str) -> None:
        async with self.services.unit() as s:
            sc = await s.get(StudyChannel, sc_id)
            if sc is not None:
                self._paused(sc, reason)

    def _paused(self, sc: StudyChannel, reason: str) -> None:
        if not sc.paused:
            svc.pause(sc, reason, self.services.clock.now())
            sc.last_error = reason
            log.info("study channel %s paused: %s", sc.channel_id, reason)
        self.bot.metrics.channel_posts.inc(result="paused")  # type: ignore[attr-defined]

    def _postable(self, sc: StudyChannel) -> tuple[discord.TextChannel | discord.Thread | None, Outcome | None]:
        """The channel to post in, from the cache (no request), or why it can't be used."""
        guild = self.bot.get_guild(sc.guild_id)
        found = guild.get_channel_or_thread(sc.channel_id) if guild else None
        channel = found if isinstance(found, discord.TextChannel | discord.Thread) else None
        if guild is None or channel is None:
            reason = "the bot is no longer in the server" if guild is None else "the channel was deleted"
            return None, Outcome("skipped", error=reason)
        missing = missing_permissions(channel, guild.me)
        if missing:
            return None, Outcome("failed", error="missing permissions: " + ", ".join(missing))
        return channel, None

    async def deliver(self, claim: Claim) -> Outcome:
        """Post the slot's question(s) in the channel and reveal the previous one."""
        services, content = self.services, self.services.content
        async with services.unit() as s:
            sc = await s.get(StudyChannel, claim.target_id)
            if sc is None or sc.paused:
                return Outcome("skipped", error="paused or removed")
            channel, refusal = self._postable(sc)
            if refusal is not None:
                self._paused(sc, refusal.error or "unavailable")
                return refusal
            plan = await svc.plan_post(
                s, content, sc, claim.delivery_id, claim.slot, services.clock.now(), services.process_id
            )
        if isinstance(plan, str):
            return Outcome("skipped", error=plan)
        assert channel is not None
        try:
            return await self._post(channel, claim, plan)
        except discord.NotFound:
            await self._pause(claim.target_id, "the channel was deleted")
            return Outcome("failed", error="the channel was deleted")
        except discord.Forbidden as exc:
            reason = f"Discord refused the post ({exc.code}: {exc.text}); check the bot's permissions"
            await self._pause(claim.target_id, reason)
            return Outcome("failed", error=reason)
        except Exception as exc:  # noqa: BLE001 - mapped to an outcome (a retry), or re-raised
            return outcome_for_post(exc)

    async def _post(self, channel: discord.TextChannel | discord.Thread, claim: Claim, plan: svc.PostPlan) -> Outcome:
        content, prev = self.services.content, plan.previous
        if prev is not None:
            await self._reveal(channel, prev.message_id, prev.question_id, prev.answers, prev.correct_answers)
        sent: dict[int, int] = {}
        for did, q in plan.posts:
            await self.limiter.acquire()
            nonce = message_nonce("channel", did, claim.slot)
            msg = await channel.send(embed=ui.post_embed(content, q), view=answer_view(q, did), nonce=nonce)
            sent[did] = msg.id
        extras = {did: mid for did, mid in sent.items() if did != claim.delivery_id}
        if extras:
            async with self.services.unit() as s:
                await svc.mark_sent(s, extras, self.services.clock.now())
        self.bot.metrics.channel_posts.inc(result="sent")  # type: ignore[attr-defined]
        return Outcome("sent", message_id=sent[plan.posts[0][0]], channel_id=plan.channel_id)

    async def _reveal(
        self, channel: Any, message_id: int | None, question_id: str | None, answers: int, correct: int
    ) -> None:
        q = self.services.content.questions.get(question_id or "")
        if message_id is None or q is None:
            return
        await self.limiter.acquire()
        with contextlib.suppress(discord.NotFound):
            await channel.get_partial_message(message_id).edit(
                embed=ui.post_embed(self.services.content, q, answers, correct, revealed=True), view=None
            )

    def schedule_tally(self, did: int) -> None:
        """Edit the post's tally at most once per ``tally_delay`` seconds."""
        if did in self._tally and not self._tally[did].done():
            return
        self._tally[did] = asyncio.create_task(self._update_tally(did))

    async def _update_tally(self, did: int) -> None:
        await asyncio.sleep(self.tally_delay)
        self._tally.pop(did, None)
        async with self.services.read() as s:
            d = await s.get(Delivery, did)
            if d is None or d.message_id is None or d.channel_id is None or d.question_id is None:
                return
            info = (d.channel_id, d.message_id, d.question_id, d.answers, d.correct_answers)
        channel_id, message_id, question_id, answers, correct = info
        q = self.services.content.questions.get(question_id)
        channel = self.bot.get_channel(channel_id)
        if q is None or channel is None:
            return
        await self.limiter.acquire()
        try:
            await channel.get_partial_message(message_id).edit(  # type: ignore[union-attr]
                embed=ui.post_embed(self.services.content, q, answers, correct)
            )
        except discord.HTTPException as exc:
            log.info("tally edit of %s failed: %s", message_id, exc)

    # ------------------------------------------------------------ Discord events

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        async with self.services.unit() as s:
            sc = await s.scalar(select(StudyChannel).where(StudyChannel.channel_id == channel.id))
            if sc is not None and not sc.paused:
                svc.pause(sc, "the channel was deleted", self.services.clock.now())
                sc.last_error = "the channel was deleted"

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        async with self.services.unit() as s:
            for sc in await s.scalars(select(StudyChannel).where(StudyChannel.guild_id == guild.id)):
                if not sc.paused:
                    svc.pause(sc, "the bot was removed from the server", self.services.clock.now())

    # ------------------------------------------------------------ commands

    group = app_commands.Group(
        name="studychannel",
        description="Post study questions in a channel on a schedule",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    async def _save(self, interaction: discord.Interaction, channel: Any, *, edit: bool, **opts: Any) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        _same_guild(interaction, channel)
        await ack(interaction, ephemeral=True, thinking=True)
        real = interaction.guild.get_channel_or_thread(channel.id) if interaction.guild else None
        if real is None:
            raise InvalidInput("I can't see that channel. Check that I have View Channel there.")
        missing = missing_permissions(real, interaction.guild.me)  # type: ignore[union-attr]
        if missing:
            raise InvalidInput(
                f"I'm missing these permissions in {real.mention}: **{', '.join(missing)}**. "
                "Grant them (channel settings → Permissions), then try again."
            )
        now = self.services.clock.now()
        async with self.services.unit() as s:
            existing = await svc.get_channel(s, guild_id, channel.id) if edit else None
            sched = svc.parse_schedule(self.services.content, base=existing, **opts)
            sc = await svc.save(s, guild_id, channel.id, interaction.user.id, sched, now, existing=existing)
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
        interaction: discord.Interaction,
        channel: StudyTarget,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        questions: int | None = None,
        levels: str | None = None,
        topics: str | None = None,
    ) -> None:
        await self._save(
            interaction,
            channel,
            edit=False,
            time=time,
            timezone=timezone,
            days=days,
            questions=questions,
            levels=levels,
            topics=topics,
        )

    @group.command(name="edit", description="Change a study channel's schedule or scope")
    @app_commands.autocomplete(timezone=timezone_choices)
    async def edit(
        self,
        interaction: discord.Interaction,
        channel: StudyTarget,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        questions: int | None = None,
        levels: str | None = None,
        topics: str | None = None,
    ) -> None:
        await self._save(
            interaction,
            channel,
            edit=True,
            time=time,
            timezone=timezone,
            days=days,
            questions=questions,
            levels=levels,
            topics=topics,
        )

    async def _change(self, interaction: discord.Interaction, channel: Any, action: str) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        _same_guild(interaction, channel)
        await ack(interaction, ephemeral=True, thinking=True)
        now = self.services.clock.now()
        async with self.services.unit() as s:
            sc = await svc.get_channel(s, guild_id, channel.id)
            if action == "pause":
                svc.pause(sc, paused_by(interaction.user.id), now)
                text = f"⏸️ Paused posting in <#{channel.id}>. `/studychannel resume` restarts it."
            elif action == "resume":
                if interaction.guild is not None:
                    real = interaction.guild.get_channel_or_thread(channel.id)
                    missing = missing_permissions(real, interaction.guild.me) if real else ["View Channel"]
                    if missing:
                        raise InvalidInput(f"I'm still missing: **{', '.join(missing)}** in <#{channel.id}>.")
                svc.resume(sc, now)
                assert sc.next_post_at is not None
                text = f"▶️ Resumed. Next post <t:{int(sc.next_post_at.timestamp())}:R>."
            else:
                await s.delete(sc)
                text = f"🗑️ <#{channel.id}> is no longer a study channel. Past answers stay in members' reviews."
        await interaction.followup.send(text, ephemeral=True)

    @group.command(name="pause", description="Stop posting in a study channel for now")
    async def pause(self, interaction: discord.Interaction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "pause")

    @group.command(name="resume", description="Start posting again in a paused study channel")
    async def resume(self, interaction: discord.Interaction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "resume")

    @group.command(name="remove", description="Stop using a channel as a study channel")
    async def remove(self, interaction: discord.Interaction, channel: StudyTarget) -> None:
        await self._change(interaction, channel, "remove")

    @group.command(name="list", description="This server's study channels, schedules and status")
    async def list_(self, interaction: discord.Interaction) -> None:
        guild_id = _guild_check(interaction)
        _require_manage(interaction)
        await ack(interaction, ephemeral=True, thinking=True)
        async with self.services.read() as s:
            rows = list(
                await s.scalars(select(StudyChannel).where(StudyChannel.guild_id == guild_id).order_by(StudyChannel.id))
            )
        names = {}
        for sc in rows:
            ch = interaction.guild.get_channel_or_thread(sc.channel_id) if interaction.guild else None
            names[sc.channel_id] = f"#{ch.name}" if ch else f"#deleted-channel ({sc.channel_id})"
        await interaction.followup.send(embed=ui.list_embed(rows, names, self.services.clock.now()), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(StudyChannels(bot))
