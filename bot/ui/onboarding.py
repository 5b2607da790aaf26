"""The embeds of /start's welcome flow: welcome, placement questions, result and settings steps.

Each function returns one embed; ``bot.ui.start`` adds the components and edits the one
message through the steps.
"""

from __future__ import annotations

import discord

from bot.content import Content, MultipleChoice
from bot.db.models import Learner, Placement
from bot.study.placement import PlacementQuestion, PlacementResult
from bot.ui.text import EMBED_DESCRIPTION, clip, md, plural
from scheduler.timeutil import format_hhmm

COLOUR = discord.Colour.teal()
LETTERS = "ABCDE"
SETTINGS_STEPS = 3


def _levels_text(content: Content, numbers: list[int]) -> str:
    names = [f"Level {n} – {lv.name}" if (lv := content.level(n)) else f"Level {n}" for n in numbers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def welcome(content: Content, previous: Placement | None) -> discord.Embed:
    """The first screen: what the bot does, and the placement check (or redoing it)."""
    embed = discord.Embed(title="👋 Welcome to your AI study companion", colour=COLOUR)
    lines = [
        f"I teach the AI learning roadmap: {plural(len(content.levels), 'level')}, "
        f"{plural(len(content.topics), 'topic')}, with quiz questions scheduled by spaced repetition "
        "so you review each one just before you'd forget it.",
        "",
    ]
    if previous is None:
        lines += [
            "**First, a quick placement check** so you start at your level, not at Level 0: "
            "up to 3 questions a level, about 3 minutes. Levels you pass are marked done; "
            "stop whenever you like.",
        ]
    else:
        when = f"<t:{int(previous.created_at.timestamp())}:D>"
        passed = previous.passed
        placed = f"you passed {_levels_text(content, passed)}" if passed else "you started at the beginning"
        lines += [
            f"You took the placement check on {when}: {placed}.",
            "**Redo it** if you know more now: your review history stays, only the placement marks move.",
        ]
    lines += ["", "Then: your time zone, the time of your daily review, and reminders. Every step can be skipped."]
    embed.description = "\n".join(lines)
    return embed


def placement_question(content: Content, step: PlacementQuestion) -> discord.Embed:
    level = content.level(step.placement.level)
    name = f"Level {level.number} · {level.name}" if level else f"Level {step.placement.level}"
    question = step.question
    body = md(question.prompt)
    if isinstance(question, MultipleChoice):
        body += "\n\n" + "\n".join(
            f"**{LETTERS[i]}.** {md(question.options[index].text)}" for i, index in enumerate(step.order)
        )
    else:
        body = "**True or false?**\n" + body
    if step.last is not None:
        body = ("✅ Right." if step.last else "❌ Not that one — no matter, keep going.") + "\n\n" + body
    embed = discord.Embed(
        title=clip(f"🧭 Placement · {name} · {step.number}/{step.of}", 256),
        description=clip(body, EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text="Answer what you know; a wrong answer just means you start there. Stop any time.")
    return embed


def placement_summary(content: Content, result: PlacementResult) -> str:
    """One paragraph on what the check decided and did."""
    if result.passed:
        text = (
            f"🎯 You passed {_levels_text(content, result.passed)}: I marked "
            f"{plural(result.marked, 'topic')} as done (placement check) and recorded "
            f"{plural(result.recorded, 'answer')} as reviews, so your schedule starts from what you know."
        )
    elif result.outcome == "skipped":
        text = "You skipped the placement check."
    else:
        text = "🎯 No level passed this time, so you start at the beginning — that's what the roadmap is for."
    if result.start is not None:
        text += f" You start with **{md(result.start.name)}** (Level {result.start.level}), now in your reviews."
    else:
        text += " You passed every level — browse `/roadmap` to pick what to review."
    return text


def timezone_step(learner: Learner, result: str | None) -> discord.Embed:
    lines = [result, ""] if result else []
    lines += [
        f"Your daily review arrives at your local time. Your time zone is **{learner.timezone}** now.",
        "Pick yours below, or **Type it** (a city works too: `Berlin`, `new york`).",
    ]
    return discord.Embed(
        title=f"🌍 Your time zone (1 of {SETTINGS_STEPS})", description="\n".join(lines), colour=COLOUR
    )


def time_step(learner: Learner, note: str | None) -> discord.Embed:
    lines = [note, ""] if note else []
    lines += [
        f"When should your daily review arrive? Now: **{format_hhmm(learner.digest_minute)}** ({learner.timezone}).",
        "Pick a time, or **Type it** (`19:30`, `7:30pm`, `7pm`).",
    ]
    return discord.Embed(title=f"⏰ Review time (2 of {SETTINGS_STEPS})", description="\n".join(lines), colour=COLOUR)


def reminders_step(learner: Learner, note: str | None) -> discord.Embed:
    lines = [note, ""] if note else []
    state = "on" if learner.digest_enabled and learner.dm_status != "closed" else "off"
    lines += [
        f"Daily reviews by DM are **{state}**. With them on, I send a short review at "
        f"{format_hhmm(learner.digest_minute)} ({learner.timezone}) — only when something is due — "
        "answered with buttons; snooze or skip a day whenever you like.",
    ]
    return discord.Embed(
        title=f"🔔 Daily reminders (3 of {SETTINGS_STEPS})", description="\n".join(lines), colour=COLOUR
    )


def finished(learner: Learner, start: str | None, note: str | None) -> discord.Embed:
    """The last screen: what is set, and how to go on."""
    lines = [note, ""] if note else []
    reminders = "on" if learner.digest_enabled and learner.dm_status != "closed" else "off"
    lines += [
        f"🌍 Time zone: **{learner.timezone}**",
        f"⏰ Daily review: **{format_hhmm(learner.digest_minute)}**, reminders **{reminders}**",
    ]
    if start:
        lines.append(f"📚 Starting with: **{md(start)}**")
    lines += [
        "",
        "Press **Start my first quiz**, or any time: `/quiz` to review, `/roadmap` to browse and choose topics, "
        "`/progress` to see how far you are, `/help` for everything else.",
    ]
    return discord.Embed(title="✅ You're all set", description="\n".join(lines), colour=COLOUR)
