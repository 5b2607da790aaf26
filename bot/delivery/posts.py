"""Study-channel posts: each slot's questions, the reveal of the previous answer, and the
live tally (edited at most once per ``tally_delay`` seconds). A channel that can no longer
be used (deleted, bot removed, a permission lost) pauses itself instead of failing again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.db.models import Delivery, StudyChannel
from bot.delivery.outcomes import outcome_for_post
from bot.services import Services
from bot.study import channels as svc
from bot.ui import channels as ui
from bot.ui.diagrams import diagram_files
from scheduler.ledger import Claim, Outcome, message_nonce

if TYPE_CHECKING:
    from bot.client import StudyBot

log = logging.getLogger(__name__)
TALLY_DELAY = 5.0  # seconds between tally edits of one post (bounded edit rate)


class ChannelPosts:
    """Posts in study channels for one bot."""

    def __init__(self, bot: StudyBot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self.tally_delay = TALLY_DELAY
        self._tally: dict[int, asyncio.Task[None]] = {}

    def close(self) -> None:
        for task in self._tally.values():
            task.cancel()
        self._tally.clear()

    def _paused(self, sc: StudyChannel, reason: str) -> None:
        if not sc.paused:
            svc.pause(sc, reason, self.services.clock.now())
            sc.last_error = reason
            log.info("study channel %s paused: %s", sc.channel_id, reason)
        self.services.metrics.channel_posts.labels(result="paused").inc()

    async def _pause(self, sc_id: int, reason: str) -> None:
        async with self.services.unit() as session:
            sc = await session.get(StudyChannel, sc_id)
            if sc is not None:
                self._paused(sc, reason)

    def _postable(self, sc: StudyChannel) -> tuple[ui.Postable | None, Outcome | None]:
        """The channel to post in, from the cache (no request), or why it can't be used."""
        guild = self.bot.get_guild(sc.guild_id)
        found = guild.get_channel_or_thread(sc.channel_id) if guild else None
        channel = found if isinstance(found, discord.TextChannel | discord.Thread) else None
        if guild is None or channel is None:
            reason = "the bot is no longer in the server" if guild is None else "the channel was deleted"
            return None, Outcome("skipped", error=reason)
        missing = ui.missing_permissions(channel, guild.me)
        if missing:
            return None, Outcome("failed", error="missing permissions: " + ", ".join(missing))
        return channel, None

    async def deliver(self, claim: Claim) -> Outcome:
        """Post the slot's questions in the channel and reveal the previous one."""
        services = self.services
        async with services.unit() as session:
            sc = await session.get(StudyChannel, claim.target_id)
            if sc is None or sc.paused:
                return Outcome("skipped", error="paused or removed")
            channel, refusal = self._postable(sc)
            if refusal is not None:
                self._paused(sc, refusal.error or "unavailable")
                return refusal
            plan = await svc.plan_post(
                session, services.content, sc, claim.delivery_id, claim.slot, services.clock.now(), services.process_id
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

    async def _post(self, channel: ui.Postable, claim: Claim, plan: svc.PostPlan) -> Outcome:
        content, previous = self.services.content, plan.previous
        if previous is not None:
            await self._reveal(channel, previous)
        sent: dict[int, int] = {}
        for did, question in plan.posts:
            nonce = message_nonce("channel", did, claim.slot)
            async with self.services.limiter.slot():
                message = await channel.send(
                    embed=ui.post_embed(content, question, did),
                    view=ui.answer_view(question, did),
                    files=diagram_files(content, question),
                    nonce=nonce,
                )
            sent[did] = message.id
        extras = {did: mid for did, mid in sent.items() if did != claim.delivery_id}
        if extras:
            async with self.services.unit() as session:
                await svc.mark_sent(session, extras, self.services.clock.now())
        self.services.metrics.channel_posts.labels(result="sent").inc()
        return Outcome("sent", message_id=sent[plan.posts[0][0]], channel_id=plan.channel_id)

    async def _reveal(self, channel: ui.Postable, previous: Delivery) -> None:
        question = self.services.content.questions.get(previous.question_id or "")
        if previous.message_id is None or question is None:
            return
        embed = ui.post_embed(
            self.services.content, question, previous.id, previous.answers, previous.correct_answers, revealed=True
        )
        with contextlib.suppress(discord.NotFound):
            async with self.services.limiter.slot():
                await channel.get_partial_message(previous.message_id).edit(embed=embed, view=None)

    def schedule_tally(self, did: int) -> None:
        """Edit the post's tally at most once per ``tally_delay`` seconds."""
        if did in self._tally and not self._tally[did].done():
            return
        self._tally[did] = asyncio.create_task(self._update_tally(did), name=f"tally-{did}")

    async def _update_tally(self, did: int) -> None:
        await asyncio.sleep(self.tally_delay)
        self._tally.pop(did, None)
        async with self.services.read() as session:
            post = await session.get(Delivery, did)
            if post is None or post.message_id is None or post.channel_id is None or post.question_id is None:
                return
            channel_id, message_id, question_id = post.channel_id, post.message_id, post.question_id
            answers, correct = post.answers, post.correct_answers
        question = self.services.content.questions.get(question_id)
        channel = self.bot.get_channel(channel_id)
        if question is None or not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        try:
            async with self.services.limiter.slot():
                await channel.get_partial_message(message_id).edit(
                    embed=ui.post_embed(self.services.content, question, did, answers, correct)
                )
        except discord.HTTPException as exc:
            log.info("tally edit of %s failed: %s", message_id, exc)
