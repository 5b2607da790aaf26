"""/settings scheduler (the parameters in use per kind, and going back to community ones) and
the workload advice of /settings retention, as embeds and buttons."""

from __future__ import annotations

import re

import discord

from bot.db.models import Learner, ParameterSet
from bot.errors import NotAllowed
from bot.study import parameters as store
from bot.study.parameters import KindOverview
from bot.study.workload import EMPTY_DECK, Deck, Point
from bot.ui.components import Item, Message, static_view
from bot.ui.interaction import narrow
from bot.ui.replies import ack, guarded

COLOUR = discord.Colour.gold()
KIND_NAMES = {"recognition": "Recognition (multiple choice, true/false)", "recall": "Recall (flashcards, cloze)"}
NOT_YOURS = "These are someone else's settings — run `/settings scheduler` for your own."


def _when(row: ParameterSet) -> str:
    return f"<t:{int(row.fitted_at.timestamp())}:R>"


def _gain(row: ParameterSet) -> str:
    if row.log_loss is None or not row.previous_log_loss:
        return ""
    better = 100 * (row.previous_log_loss - row.log_loss) / row.previous_log_loss
    return (
        f"; on later reviews held out from the fit they predict recall {better:.1f}% better than the "
        f"{row.previous} set (log loss {row.previous_log_loss:.3f} → {row.log_loss:.3f})"
    )


def _kind_text(found: KindOverview, learner: Learner, min_reviews: int) -> str:
    used, row = found.in_use, found.in_use.row
    if used.source == store.PERSONAL and row is not None:
        lines = [f"**Your own parameters**, fitted {_when(row)} from {row.reviews:,} of your reviews{_gain(row)}."]
    elif used.source == store.COMMUNITY and row is not None:
        lines = [
            f"**Community parameters**, fitted {_when(row)} from {row.reviews:,} reviews by all learners{_gain(row)}."
        ]
    else:
        lines = [
            "**FSRS defaults** (fitted on other people's flashcards): the bot has no better set for this kind yet."
        ]
    if not learner.personal_parameters:
        lines.append("You chose community parameters: your own are not fitted or used.")
    elif used.source != store.PERSONAL:
        if found.reviews < min_reviews:
            lines.append(f"Your own set comes after {min_reviews:,} reviews of this kind (you have {found.reviews:,}).")
        else:
            lines.append("You have enough reviews for your own set: it is fitted at the next daily refit.")
    latest = found.latest_personal
    if latest is not None and not latest.adopted and learner.personal_parameters:
        lines.append(f"Your latest own fit ({_when(latest)}) was kept out: {latest.reason}.")
    return "\n".join(lines)


def scheduler_message(overview: list[KindOverview], learner: Learner, min_reviews: int) -> Message:
    """Which parameters schedule each kind, and a button to switch between own and community
    (back to community only while a set of the learner's own is in use)."""
    embed = discord.Embed(
        title="🧠 Your scheduler",
        colour=COLOUR,
        description="Your reviews are timed by FSRS. Its parameters come from your own reviews, "
        "everyone's reviews of this question bank, or its defaults; a new set is used only if it "
        "predicts later reviews better than the one in use.",
    )
    for found in overview:
        embed.add_field(name=KIND_NAMES[found.in_use.kind], value=_kind_text(found, learner, min_reviews), inline=False)
    buttons: list[Item]
    if not learner.personal_parameters:
        buttons = [SchedulerChoice("personal", learner.id, "Use my own parameters again")]
    elif any(found.in_use.source == store.PERSONAL for found in overview):
        buttons = [SchedulerChoice("community", learner.id, "Back to community parameters")]
    else:
        buttons = []  # nothing to go back from: no set of your own is in use
    return {"embed": embed, "view": static_view(buttons)}


class SchedulerChoice(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"fsrs:(?P<action>community|personal):(?P<uid>\d+)",
):
    """``fsrs:community:<user>`` goes back to community parameters; ``fsrs:personal:<user>``
    uses the learner's own again (once fitted)."""

    def __init__(self, action: str, uid: int, label: str = "?") -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=f"fsrs:{action}:{uid}"))
        self.action, self.uid = action, uid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> SchedulerChoice:
        return cls(match["action"], int(match["uid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)

        async def choose() -> None:
            if typed.user.id != self.uid:
                raise NotAllowed(NOT_YOURS, title="Not your settings")
            await ack(typed)
            services = typed.client.services
            now = services.clock.now()
            async with services.unit() as session:
                learner = await store.set_personal(session, services.content, self.uid, self.action == "personal", now)
                found = await store.overview(session, learner, services.content)
                message = scheduler_message(found, learner, services.settings.fsrs_personal_min_reviews)
            await typed.edit_original_response(**message)

        await guarded(typed, choose)


def workload_embed(points: list[Point], deck: Deck) -> discord.Embed:
    """The table of reviews a day and cards remembered per desired retention, current marked."""
    source = (
        f"your {sum(deck.cards.values()):,} cards and the parameters scheduling them"
        if deck.own
        else "a 100-card deck (you have no cards yet)"
    )
    lines = ["  retention  reviews/day  remembered"]
    for point in points:
        mark = "▶" if round(point.retention, 2) == deck.current else " "
        flag = " ⚠" if point.warning else ""
        lines.append(f"{mark} {point.retention:8.2f} {point.reviews_per_day:12.1f} {point.remembered:11.0f}{flag}")
    embed = discord.Embed(
        title="🎯 Desired retention: what it costs",
        colour=COLOUR,
        description=f"Your setting: **{deck.current:.2f}** (▶). The next 365 days at each desired retention, "
        f"simulated by FSRS from {source}, with your daily limits ({deck.new_per_day} new, "
        f"{deck.reviews_per_day} reviews).\n```\n" + "\n".join(lines) + "\n```",
    )
    warned = list(dict.fromkeys(point.warning for point in points if point.warning))  # low first
    if warned:
        embed.add_field(name="⚠ Warnings", value="\n".join(f"• {text}" for text in warned), inline=False)
    embed.set_image(url="attachment://workload.png")
    size = sum(deck.cards.values()) if deck.own else EMPTY_DECK
    embed.set_footer(
        text=f"Change it with /settings retention value:0.90 · remembered: how many of the {size:,} cards "
        "you'd recall on day 365"
    )
    return embed
