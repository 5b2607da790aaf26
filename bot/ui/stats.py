"""/stats and /progress as embeds."""

from __future__ import annotations

import math
from collections.abc import Sequence

import discord

from bot.content import Content
from bot.study import progress
from bot.study import stats as st
from bot.study.workload import Calibration
from bot.ui.text import clip, plural

COLOUR = discord.Colour.blue()


FEW_DUE_REVIEWS = 100  # below this, say how far luck alone moves the share


def _chance(found: Calibration) -> str:
    """How far luck alone moves the achieved share (95 %), for a small count."""
    if found.reviews >= FEW_DUE_REVIEWS:
        return ""
    spread = 200 * math.sqrt(found.desired * (1 - found.desired) / found.reviews)
    return f" (few yet: luck alone moves this by about ±{round(spread)} points, 95% of the time)"


def calibration_text(calibration: Sequence[Calibration]) -> str:
    """Per kind: desired against achieved retention at due reviews (30 days)."""
    lines = []
    for found in calibration:
        desired = f"desired {round(100 * found.desired)}%"
        if found.achieved is None:
            lines.append(f"{found.kind.capitalize()}: {desired}, no due reviews yet")
            continue
        achieved = f"recalled **{round(100 * found.achieved)}%** of {plural(found.reviews, 'due review')}"
        lines.append(f"{found.kind.capitalize()}: {desired}, {achieved}{_chance(found)}")
    return "\n".join(lines)


def stats_embed(stats: st.Stats, calibration: Sequence[Calibration] = ()) -> discord.Embed:
    embed = discord.Embed(title="📊 Your study stats", colour=COLOUR)
    embed.add_field(name="Streak", value=f"🔥 **{plural(stats.current_streak, 'day')}** · best {stats.best_streak}")
    retention = (
        "—"
        if stats.retention_30d is None
        else f"**{round(100 * stats.retention_30d)}%** of {plural(stats.retention_30d_n, 'review')}"
    )
    embed.add_field(name="True retention (30 days)", value=retention)
    last7 = sum(n for day, n in stats.reviews_by_day.items() if (stats.today - day).days < 7)
    embed.add_field(name="Reviews", value=f"{last7} this week · {stats.total_reviews} in all")
    cards = stats.cards_by_state
    embed.add_field(
        name="Cards",
        value=f"{cards['new']} new · {cards['learning'] + cards['relearning']} learning · "
        f"{cards['review']} learned" + (f" · {cards['suspended']} suspended" if cards["suspended"] else ""),
    )
    embed.add_field(name="Due", value=f"{stats.forecast[0]} today · {sum(stats.forecast[:7])} this week")
    embed.add_field(
        name="Time studied",
        value=f"{st.format_duration(stats.study_seconds_90d)} (90 days) · "
        f"{st.format_duration(stats.study_seconds_total)} in all",
    )
    if calibration:
        embed.add_field(name="Calibration (30 days)", value=calibration_text(calibration), inline=False)
    embed.set_image(url="attachment://stats.png")
    embed.set_footer(text="A study day is a local day (from your day-start hour) with at least one answer.")
    return embed


def nothing_yet_embed() -> discord.Embed:
    return discord.Embed(
        title="📊 Nothing to chart yet",
        colour=COLOUR,
        description="Your stats start with your first answer. Try `/quiz topic:…` or browse `/roadmap` — "
        "every review you do shows up here: streaks, retention and what's due next.",
    )


def progress_embed(content: Content, levels: list[progress.LevelProgress]) -> discord.Embed:
    embed = discord.Embed(title="🗺️ Your roadmap progress", colour=COLOUR)
    for level in levels:
        done = sum(t.status == "done" for t in level.topics)
        skipped = sum(t.status == "skipped" for t in level.topics)
        mastered = sum(t.mastered and t.status not in ("done", "skipped") for t in level.topics)
        embed.add_field(
            name=clip(f"{level.level.emoji} {level.level.title}", 256),
            inline=False,
            value=f"`{progress.bar(level.fraction)}` {round(100 * level.fraction)}% · {done} done · "
            f"{skipped} skipped · {mastered} mastered (of {len(level.topics)})",
        )
    upcoming = progress.suggest_next(content, levels)
    if upcoming is not None:
        needs = [content.topics[p].name for p in upcoming.prerequisites]
        embed.description = (
            f"**Next up: {upcoming.name}** (Level {upcoming.level})"
            + (f" — builds on {', '.join(needs)}" if needs else "")
            + f"\n`/roadmap topic:{upcoming.id}` to open it, `/quiz topic:{upcoming.id}` to start."
        )
    else:
        embed.description = "🎉 Every topic is done, skipped or mastered!"
    return embed
