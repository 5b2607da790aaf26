"""*Report a problem*: the button on every answer's feedback, its form, and the thank-you.

``ReportButton`` is shared (quiz, digest and study-channel feedback all show it), so the
client registers it; its state is the question id in the custom_id (``report:<question>``).
The click answers with a modal (a reason to pick, an optional description ≤ 500
characters); the submission is stored once per learner and question.
"""

from __future__ import annotations

import re

import discord

from bot.study import item_analysis, reports
from bot.ui.components import Item
from bot.ui.interaction import StudyInteraction, narrow
from bot.ui.replies import ack, guarded
from bot.ui.text import clip, plural

LABEL = "Report a problem"
REPORT_FIELDS = 10
TITLE = "Report a problem with this question"
FORM_TIMEOUT = 30 * 60
THANKS = "🙏 Thank you! Your report is with the maintainers: reports like yours make the questions better."
ALREADY = "You have already reported this question — thank you, it is with the maintainers."


class ReportButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"report:(?P<qid>[a-z0-9-]+)"):
    """``report:<question id>``: opens the report form for that question."""

    def __init__(self, question_id: str) -> None:
        custom_id = f"report:{question_id}"
        super().__init__(discord.ui.Button(label=LABEL, style=discord.ButtonStyle.secondary, custom_id=custom_id))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: Item,
        match: re.Match[str],
        /,
    ) -> ReportButton:
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: open_form(typed, self.question_id))


class ReportForm(discord.ui.Modal):
    """What is wrong with the question: a reason and, optionally, a few words."""

    def __init__(self, question_id: str) -> None:
        super().__init__(title=TITLE, timeout=FORM_TIMEOUT, custom_id=f"report:{question_id}")
        self.question_id = question_id
        self.reason: discord.ui.Select[discord.ui.View] = discord.ui.Select(
            custom_id="report:reason",
            placeholder="Choose one",
            options=[discord.SelectOption(label=label, value=key) for key, label in reports.REASONS.items()],
        )
        self.details: discord.ui.TextInput[ReportForm] = discord.ui.TextInput(
            custom_id="report:text",
            style=discord.TextStyle.paragraph,
            placeholder="Option B is also right because …",
            required=False,
            max_length=reports.MAX_TEXT,
        )
        self.add_item(discord.ui.Label(text="What is wrong?", component=self.reason))
        self.add_item(discord.ui.Label(text="Tell us more (optional)", component=self.details))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: submit(typed, self.question_id, self.reason.values, self.details.value))


async def open_form(interaction: StudyInteraction, question_id: str) -> None:
    """Answer the click with the report form (a modal is the click's only response)."""
    await interaction.response.send_modal(ReportForm(question_id))


async def submit(interaction: StudyInteraction, question_id: str, picked: list[str], text: str) -> None:
    """Store the report and thank the learner privately (once per question)."""
    services = interaction.client.services
    await ack(interaction, ephemeral=True, thinking=True)
    async with services.unit() as session:
        stored = await reports.submit(
            session,
            services.content,
            interaction.user.id,
            question_id,
            picked[0] if picked else "",
            text or "",
            services.clock.now(),
        )
    await interaction.followup.send(THANKS if stored else ALREADY, ephemeral=True)


def content_report_embed(items: list[item_analysis.ItemStats], *, days: int | None, version: str) -> discord.Embed:
    """The top flagged questions for owners (``/admin content-report``); the CLI has them all."""
    flagged = [item for item in items if item.flags]
    window = f"the last {plural(days, 'day')}" if days is not None else "all time"
    embed = discord.Embed(title="⚑ Questions that need a look", colour=discord.Colour.orange())
    reviews = sum(item.attempts for item in items)
    embed.description = (
        f"{window.capitalize()}: {plural(len(items), 'question')} answered or reported, "
        f"{plural(reviews, 'review')}; **{len(flagged)} flagged**. Content version `{version}`."
    )
    if not flagged:
        embed.description += "\nNothing flagged: no reports, no likely mis-keyed, too hard or too easy questions."
    for item in flagged[:REPORT_FIELDS]:
        body = "\n".join(item_analysis.describe(item))
        name = clip(f"{item.question_id} — {', '.join(item.flags)}", 256)
        embed.add_field(name=name, value=clip(body, 1024), inline=False)
    if len(flagged) > REPORT_FIELDS:
        embed.set_footer(text=f"{len(flagged) - REPORT_FIELDS} more: python -m bot content report")
    return embed
