"""Rendering study-channel posts, their tally and reveal, the list, and leaderboards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord

from bot.content import AnyQuestion, Content, MultipleChoice
from bot.db.models import StudyChannel
from bot.study.channels import Standing
from bot.ui.text import EMBED_DESCRIPTION, clip, md
from scheduler.timeutil import format_days, format_hhmm

LETTERS = "ABCDE"
COLOUR = discord.Colour.purple()


def tally(answers: int, correct: int) -> str:
    if answers == 0:
        return "No answers yet — be the first!"
    return f"{answers} answer{'s' if answers != 1 else ''} · {round(100 * correct / answers)}% correct"


def post_embed(
    content: Content, q: AnyQuestion, answers: int = 0, correct: int = 0, *, revealed: bool = False
) -> discord.Embed:
    topic = content.topics.get(q.topic)
    title = f"🧠 Study question · {topic.name}" if topic else "🧠 Study question"
    body = md(q.prompt)
    if isinstance(q, MultipleChoice):
        body += "\n\n" + "\n".join(f"**{LETTERS[i]}.** {md(o.text)}" for i, o in enumerate(q.options))
    else:
        body = "**True or false?**\n" + body
    if revealed:
        if isinstance(q, MultipleChoice):
            right = f"{LETTERS[q.correct_index]}. {md(q.options[q.correct_index].text)}"
        else:
            right = "True" if q.answer else "False"
        body += f"\n\n✅ **Answer: {right}**\n{md(q.explanation)}"
    embed = discord.Embed(title=clip(title, 256), description=clip(body, EMBED_DESCRIPTION), colour=COLOUR)
    footer = tally(answers, correct)
    footer += " · answers are private; your answer counts toward your own reviews" if not revealed else " · closed"
    embed.set_footer(text=footer)
    return embed


def feedback(q: AnyQuestion, correct: bool) -> str:
    head = "✅ Correct!" if correct else "❌ Not quite."
    if isinstance(q, MultipleChoice):
        right = f"**{LETTERS[q.correct_index]}. {md(q.options[q.correct_index].text)}**"
    else:
        right = f"**{'True' if q.answer else 'False'}**"
    return clip(f"{head} Answer: {right}\n{md(q.explanation)}\n\n*Recorded in your own reviews.*", 2000)


def list_embed(channels: Sequence[StudyChannel], names: dict[int, str], now: datetime) -> discord.Embed:
    embed = discord.Embed(title="📚 Study channels in this server", colour=COLOUR)
    if not channels:
        embed.description = "None yet. Add one with `/studychannel add channel:#channel`."
        return embed
    for sc in channels[:25]:
        scope = ", ".join([f"level {n}" for n in sc.levels] + list(sc.topics)) or "the whole roadmap"
        lines = [
            f"{format_hhmm(sc.post_minute)} {sc.timezone}, {format_days(sc.days_mask)} · "
            f"{sc.questions_per_post} question(s) · {scope}"
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
        f"{medals[i] if i < 3 else f'`{i + 1}.`'} {names.get(r.user_id, f'<@{r.user_id}>')} — **{r.value}**"
        for i, r in enumerate(rows)
    )
    embed.set_footer(text="Hide yourself with /leaderboard optout state:on")
    return embed
