"""The daily digest DM on Discord: its intro and its Snooze / Skip today buttons.

``DigestButton`` is shared (the scheduler sends digests whatever extensions are loaded), so
the client registers it once. State lives in the custom_id (``dg:<action>:<session>``)."""

from __future__ import annotations

import re

import discord

from bot.study import digest as digests
from bot.ui.components import Item, Row
from bot.ui.interaction import StudyInteraction, narrow
from bot.ui.replies import ack, guarded
from bot.ui.text import clip

REMINDER = "⏰ Here's your review again — whenever you're ready."


class DigestButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"dg:(?P<action>snooze|skip):(?P<sid>\d+)"
):
    def __init__(self, action: str, sid: int, label: str = "?", emoji: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=f"dg:{action}:{sid}", emoji=emoji, style=discord.ButtonStyle.secondary
            )
        )
        self.action, self.sid = action, sid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: Item,
        match: re.Match[str],
        /,
    ) -> DigestButton:
        return cls(match["action"], int(match["sid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_digest_button(typed, self.action, self.sid))


def digest_row(sid: int) -> Row:
    """The row a digest DM adds below the question: Snooze 1 h, Skip today."""
    return [DigestButton("snooze", sid, "Snooze 1 h", "⏰"), DigestButton("skip", sid, "Skip today", "🌙")]


def intro(digest: digests.Digest) -> str:
    """The line above today's first question."""
    if digest.reminder:
        return REMINDER
    parts = [f"📬 **Your daily review** — {digest.due} due"]
    if digest.new:
        parts.append(f" · {digest.new} new")
    first = "Here's one" if digest.step.total == 1 else f"Here are {digest.step.total}"
    parts.append(f". {first} to start; `/quiz` any time for more.")
    return clip("".join(parts), 2000)


async def on_digest_button(interaction: StudyInteraction, action: str, sid: int) -> None:
    services = interaction.client.services
    await ack(interaction)
    now = services.clock.now()
    async with services.unit() as session:
        if action == "snooze":
            until = await digests.snooze(session, sid, interaction.user.id, now)
            text = f"⏰ Snoozed — I'll bring it back <t:{int(until.timestamp())}:t>."
        else:
            await digests.skip_today(session, services.content, sid, interaction.user.id, now)
            text = "🌙 Skipped for today. See you tomorrow!"
    await interaction.edit_original_response(content=text, embed=None, view=None)
