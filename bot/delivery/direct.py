"""Direct messages: the daily digest, its snooze reminder, and any other DM the bot sends.

A DM costs one request when the learner's DM channel id is known (it is stored after the
first DM); every send goes through the shared rate limiter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.delivery.outcomes import UNKNOWN_CHANNEL, outcome_for_dm
from bot.services import Services
from bot.study import digest as digests
from bot.study import dm
from bot.ui import digest as ui
from bot.ui.components import Message
from bot.ui.quiz import render_step
from scheduler.ledger import Claim, Outcome

if TYPE_CHECKING:
    from bot.client import StudyBot


class DirectMessages:
    """Sends DMs for one bot."""

    def __init__(self, bot: StudyBot, services: Services) -> None:
        self.bot = bot
        self.services = services

    async def _channel_id(self, learner_id: int, known: int | None) -> int:
        if known:
            return known
        async with self.services.read() as session:
            cached = await dm.channel_id(session, learner_id)
        if cached:
            return cached
        async with self.services.limiter.slot():
            channel = await self.bot.create_dm(discord.Object(learner_id))
        async with self.services.unit() as session:
            await dm.set_channel(session, learner_id, channel.id)
        return channel.id

    async def send(
        self, learner_id: int, message: Message, *, channel_id: int | None = None, nonce: str | None = None
    ) -> discord.Message:
        """One DM through the shared limiter. A stale channel id is replaced once; other
        refusals (e.g. 50007, closed DMs) raise. With a ``nonce``, a repeat within Discord's
        nonce window returns the first message instead of sending a second."""
        known = channel_id
        for attempt in (1, 2):
            target = await self._channel_id(learner_id, known)
            channel = self.bot.get_partial_messageable(target, type=discord.ChannelType.private)
            try:
                async with self.services.limiter.slot():
                    if nonce is None:
                        return await channel.send(**message)
                    return await channel.send(nonce=nonce, **message)
            except discord.NotFound as exc:
                if exc.code != UNKNOWN_CHANNEL or attempt == 2:
                    raise
                known = None
                async with self.services.unit() as session:
                    await dm.set_channel(session, learner_id, None)
        raise AssertionError("unreachable")

    async def deliver(self, claim: Claim) -> Outcome:
        """Send a claimed digest or snooze reminder (the scheduler's deliver for both)."""
        services, metrics = self.services, self.services.metrics
        async with services.unit() as session:
            digest = await digests.for_delivery(
                session, services.content, claim.delivery_id, claim.kind, claim.target_id, services.clock.now()
            )
        if isinstance(digest, str):
            return Outcome("skipped", error=digest)
        message = render_step(services.content, digest.step, ui.digest_row(digest.step.session.id))
        message["content"] = ui.intro(digest)
        try:
            sent = await self.send(claim.target_id, message, channel_id=digest.dm_channel_id, nonce=claim.nonce)
        except Exception as exc:  # noqa: BLE001 - mapped to an outcome, or re-raised
            outcome = outcome_for_dm(exc)
            metrics.dms.labels(result="closed" if outcome.status == "closed" else "failed").inc()
            return outcome
        metrics.dms.labels(result="sent").inc()
        return Outcome("sent", message_id=sent.id, channel_id=sent.channel.id)
