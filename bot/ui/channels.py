"""Study channels on Discord: posts, their answer buttons, tally and reveal, the list of a
server's channels, the permissions a channel needs, and leaderboards.

``AnswerButton`` is registered by the client (posts are sent by the scheduler, whatever
extensions are loaded); its state is in the custom_id (``sc:ans:<delivery>:<choice>``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import discord

from bot.content import AnyQuestion, Content, MultipleChoice, Shown, TrueFalse, present
from bot.db.models import StudyChannel
from bot.study import channels as svc
from bot.study.leaderboard import Standing
from bot.ui.components import Item, Row, static_view
from bot.ui.diagrams import show_diagram
from bot.ui.interaction import StudyInteraction, narrow
from bot.ui.replies import ack, guarded
from bot.ui.reports import ReportButton
from bot.ui.text import EMBED_DESCRIPTION, clip, md, plural
from scheduler.timeutil import format_days, format_hhmm

NEEDED = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
}

LETTERS = "ABCDE"
COLOUR = discord.Colour.purple()


Postable = discord.TextChannel | discord.Thread


def missing_permissions(channel: Postable, me: discord.Member) -> list[str]:
    """The permissions the bot lacks to post study questions in ``channel`` (names as shown
    in Discord's settings), none if it can."""
    perms = channel.permissions_for(me)
    needed = dict(NEEDED)
    if isinstance(channel, discord.Thread):
        needed["send_messages_in_threads"] = "Send Messages in Threads"
        needed.pop("send_messages")
    return [label for attr, label in needed.items() if not getattr(perms, attr)]


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"sc:ans:(?P<did>\d+):(?P<choice>\d)"
):
    def __init__(self, did: int, choice: int, label: str = "?") -> None:
        super().__init__(
            discord.ui.Button(label=label, custom_id=f"sc:ans:{did}:{choice}", style=discord.ButtonStyle.secondary)
        )
        self.did, self.choice = did, choice

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: Item,
        match: re.Match[str],
        /,
    ) -> AnswerButton:
        return cls(int(match["did"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_answer(typed, self.did, self.choice))


def answer_view(question: AnyQuestion, did: int) -> discord.ui.View:
    row: Row
    if isinstance(question, MultipleChoice):
        row = [AnswerButton(did, i, LETTERS[i]) for i in range(len(question.options))]
    else:
        row = [AnswerButton(did, 1, "True"), AnswerButton(did, 0, "False")]
    return static_view(row)


async def on_answer(interaction: StudyInteraction, did: int, choice: int) -> None:
    """A member answers a post: privately, into their own reviews; the tally follows."""
    services = interaction.client.services
    await ack(interaction, ephemeral=True, thinking=True)
    async with services.unit() as session:
        result = await svc.answer(
            session, services.content, did, interaction.user.id, interaction.guild_id, choice, services.clock.now()
        )
    report = static_view([ReportButton(result.question.id)])
    await interaction.followup.send(feedback(result.question, result.correct, did), ephemeral=True, view=report)
    interaction.client.posts.schedule_tally(did)


def tally(answers: int, correct: int) -> str:
    if answers == 0:
        return "No answers yet — be the first!"
    return f"{answers} answer{'s' if answers != 1 else ''} · {round(100 * correct / answers)}% correct"


def shown(question: AnyQuestion, did: int) -> Shown:
    """The post's question as everyone in the channel sees it (a variant drawn once per post)."""
    return present(question, svc.post_key(did), 0)


def _right(question: AnyQuestion, seen: Shown) -> str:
    if isinstance(question, MultipleChoice):
        return f"{LETTERS[question.correct_index]}. {md(seen.options[question.correct_index])}"
    return "True" if isinstance(question, TrueFalse) and question.answer else "False"


def post_embed(
    content: Content, question: AnyQuestion, did: int, answers: int = 0, correct: int = 0, *, revealed: bool = False
) -> discord.Embed:
    """A post (its diagram is the message's attachment, sent once; edits keep it)."""
    topic = content.topics.get(question.topic)
    title = f"🧠 Study question · {topic.name}" if topic else "🧠 Study question"
    seen = shown(question, did)
    body = md(seen.prompt)
    if isinstance(question, MultipleChoice):
        body += "\n\n" + "\n".join(f"**{LETTERS[i]}.** {md(text)}" for i, text in enumerate(seen.options))
    else:
        body = "**True or false?**\n" + body
    if revealed:
        body += f"\n\n✅ **Answer: {_right(question, seen)}**\n{md(seen.explanation)}"
    embed = discord.Embed(title=clip(title, 256), description=clip(body, EMBED_DESCRIPTION), colour=COLOUR)
    footer = tally(answers, correct)
    footer += " · answers are private; your answer counts toward your own reviews" if not revealed else " · closed"
    embed.set_footer(text=footer)
    return show_diagram(embed, question)


def feedback(question: AnyQuestion, correct: bool, did: int) -> str:
    """The private reply to a member's answer."""
    head = "✅ Correct!" if correct else "❌ Not quite."
    seen = shown(question, did)
    return clip(
        f"{head} Answer: **{_right(question, seen)}**\n{md(seen.explanation)}\n\n*Recorded in your own reviews.*", 2000
    )


def list_embed(channels: Sequence[StudyChannel], names: dict[int, str], now: datetime) -> discord.Embed:
    embed = discord.Embed(title="📚 Study channels in this server", colour=COLOUR)
    if not channels:
        embed.description = "None yet. Add one with `/studychannel add channel:#channel`."
        return embed
    for sc in channels[:25]:
        scope = ", ".join([f"level {n}" for n in sc.levels] + list(sc.topics)) or "the whole roadmap"
        lines = [
            f"{format_hhmm(sc.post_minute)} {sc.timezone}, {format_days(sc.days_mask)} · "
            f"{plural(sc.questions_per_post, 'question')} a post · {scope}"
        ]
        if sc.paused:
            lines.append(f"⏸️ paused — {sc.pause_reason or 'by an admin'}")
        elif sc.next_post_at is not None:
            lines.append(f"▶️ active · next post <t:{int(sc.next_post_at.timestamp())}:R>")
        if sc.last_error:
            lines.append(f"last error: {sc.last_error}")
        embed.add_field(
            name=clip(names.get(sc.channel_id, f"#{sc.channel_id}"), 256),
            value=clip("\n".join(lines), 1024),
            inline=False,
        )
    return embed


def leaderboard_embed(rows: Sequence[Standing], names: dict[int, str], *, period: str, by: str) -> discord.Embed:
    what = {"correct": "correct answers", "streak": "day streak"}[by]
    when = {"week": "this week", "all": "all time"}[period]
    embed = discord.Embed(title=f"🏆 Leaderboard — {what}, {when}", colour=COLOUR)
    if not rows:
        embed.description = "Nobody yet — answer a study-channel question to get on the board!"
        return embed
    medals = ["🥇", "🥈", "🥉"]
    embed.description = "\n".join(
        f"{medals[i] if i < 3 else f'`{i + 1}.`'} {names.get(row.user_id, f'<@{row.user_id}>')} — **{row.value}**"
        for i, row in enumerate(rows)
    )
    embed.set_footer(text="Hide yourself with /leaderboard optout state:on")
    return embed
