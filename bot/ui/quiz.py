"""Rendering quiz steps, feedback and summaries as embeds and buttons."""

from __future__ import annotations

from typing import Any

import discord

from bot.content import Content, Flashcard, MultipleChoice, TrueFalse
from bot.study.quiz import Feedback, Step, Summary
from bot.ui.components import link_button, static_view
from bot.ui.text import EMBED_DESCRIPTION, clip, md
from scheduler.srs import Rating

LETTERS = "ABCDE"
COLOUR = discord.Colour.blurple()
RIGHT = discord.Colour.green()
WRONG = discord.Colour.red()
SOURCE_LABEL = {"quiz": "Quiz", "digest": "Daily review", "cram": "Cram practice", "channel": "Study channel"}
RATING_LABEL = {Rating.AGAIN: "Again", Rating.HARD: "Hard", Rating.GOOD: "Good", Rating.EASY: "Easy"}

ButtonFactory = Any  # (action, session_id, position, arg, label, style, disabled) -> Item


def _title(content: Content, step: Step) -> str:
    q = step.question
    topic = content.topics.get(q.topic) if q else None
    label = SOURCE_LABEL.get(step.session.source, "Quiz")
    head = f"{label} · {step.position + 1}/{step.total}"
    return clip(f"{head} · {topic.name}" if topic else head, 256)


def question_embed(content: Content, step: Step) -> discord.Embed:
    q = step.question
    if q is None:
        return discord.Embed(
            title=_title(content, step),
            colour=COLOUR,
            description="This question was removed from the course. Press **Next** to continue.",
        )
    body = md(q.prompt)
    if isinstance(q, MultipleChoice):
        lines = [f"**{LETTERS[i]}.** {md(q.options[idx].text)}" for i, idx in enumerate(step.order)]
        body += "\n\n" + "\n".join(lines)
    elif isinstance(q, TrueFalse):
        body = "**True or false?**\n" + body
    else:
        body += "\n\n*Recall the answer, then press **Show answer** and rate yourself honestly.*"
    embed = discord.Embed(title=_title(content, step), description=clip(body, EMBED_DESCRIPTION), colour=COLOUR)
    topic = content.topics.get(q.topic)
    footer = f"Level {topic.level}" if topic else ""
    if q.difficulty:
        footer += f" · {q.difficulty}"
    if footer:
        embed.set_footer(text=footer)
    return embed


def question_view(step: Step, button: ButtonFactory, extra: list[Any] | None = None) -> discord.ui.View:
    """Answer buttons, a Stop button, and optionally one ``extra`` row (e.g. Snooze / Skip today)."""
    q, sid, pos = step.question, step.session.id, step.position
    gray, blue = discord.ButtonStyle.secondary, discord.ButtonStyle.primary
    if q is None:
        return static_view([button("next", sid, pos, None, "Next", blue)], *([extra] if extra else []))
    if isinstance(q, MultipleChoice):
        row = [button("ans", sid, pos, idx, LETTERS[i], gray) for i, idx in enumerate(step.order)]
    elif isinstance(q, TrueFalse):
        row = [button("ans", sid, pos, 1, "True", gray), button("ans", sid, pos, 0, "False", gray)]
    else:
        row = [button("show", sid, pos, None, "Show answer", blue)]
    stop = button("stop", sid, pos, None, "Stop", discord.ButtonStyle.danger)
    return static_view(row, [stop, *(extra or [])])


def flashcard_embed(content: Content, step: Step) -> discord.Embed:
    q = step.question
    assert isinstance(q, Flashcard)
    embed = discord.Embed(title=_title(content, step), colour=COLOUR)
    embed.description = clip(f"{md(q.prompt)}\n\n**Answer:** {md(q.answer)}\n\n{md(q.explanation)}", EMBED_DESCRIPTION)
    embed.set_footer(text="How well did you remember it?")
    return embed


def flashcard_view(step: Step, button: ButtonFactory) -> discord.ui.View:
    sid, pos = step.session.id, step.position
    styles = {
        Rating.AGAIN: discord.ButtonStyle.danger,
        Rating.HARD: discord.ButtonStyle.secondary,
        Rating.GOOD: discord.ButtonStyle.primary,
        Rating.EASY: discord.ButtonStyle.success,
    }
    return static_view([button("rate", sid, pos, int(r), RATING_LABEL[r], styles[r]) for r in Rating])


def _answer_text(fb: Feedback) -> str:
    question = fb.step.question
    if isinstance(question, MultipleChoice):
        order = fb.step.order
        idx = question.correct_index
        letter = LETTERS[order.index(idx)] if idx in order else ""
        return f"**{letter}. {md(question.options[idx].text)}**"
    if isinstance(question, TrueFalse):
        return f"**{'True' if question.answer else 'False'}**"
    assert isinstance(question, Flashcard)
    return md(question.answer)


def feedback_embed(content: Content, fb: Feedback) -> discord.Embed:
    q = fb.step.question
    assert q is not None
    if fb.correct is None:
        title, colour = f"Rated {RATING_LABEL[fb.rating]}", COLOUR
    elif fb.correct:
        title, colour = "✅ Correct!", RIGHT
    else:
        title, colour = "❌ Not quite", WRONG
    parts = [md(q.prompt), "", f"Answer: {_answer_text(fb)}", "", md(q.explanation)]
    if fb.requeued:
        parts += ["", "🔁 You'll see this one again before the end of this session."]
    embed = discord.Embed(title=title, description=clip("\n".join(parts), EMBED_DESCRIPTION), colour=colour)
    if fb.resource is not None:
        embed.add_field(name="Learn more", value=clip(f"[{fb.resource.title}]({fb.resource.url})", 1024), inline=False)
    embed.set_footer(text=f"{fb.step.position + 1}/{fb.step.total}")
    return embed


def feedback_view(fb: Feedback, button: ButtonFactory) -> discord.ui.View:
    sid, pos = fb.step.session.id, fb.step.position
    last = pos + 1 >= fb.step.total
    rows = [[button("next", sid, pos, None, "Finish" if last else "Next", discord.ButtonStyle.primary)]]
    if fb.correct and fb.step.session.source != "cram":
        rows.append(
            [
                button(
                    "adj",
                    sid,
                    pos,
                    int(r),
                    f"Felt {RATING_LABEL[r].lower()}",
                    discord.ButtonStyle.success if r == fb.rating else discord.ButtonStyle.secondary,
                    disabled=r == fb.rating,
                )
                for r in (Rating.HARD, Rating.GOOD, Rating.EASY)
            ]
        )
    if fb.resource is not None:
        rows[0].append(link_button("Open resource", fb.resource.url))
    return static_view(*rows)


def summary_embed(s: Summary) -> discord.Embed:
    if s.answered == 0:
        desc = "Session ended. Come back any time with `/quiz`."
    else:
        pct = round(100 * s.correct / s.answered)
        desc = f"You answered **{s.answered}** question(s) and got **{s.correct}** right ({pct}%)."
    if s.cram:
        desc += "\nCram practice doesn't change your review schedule."
    elif s.due_now:
        desc += f"\n**{s.due_now}** more due now — run `/quiz` to keep going."
    elif s.next_due is not None:
        desc += f"\nNext review <t:{int(s.next_due.timestamp())}:R>."
    return discord.Embed(title="🎓 Session complete", description=desc, colour=RIGHT)
