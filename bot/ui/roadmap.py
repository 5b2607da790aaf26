"""Rendering /roadmap views and /resources pages within Discord's limits, for any content size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.content import Content, Resource, Topic
from bot.study.progress import STATUS_ICONS, LevelProgress, TopicState, bar
from bot.ui.text import EMBED_TOTAL, FIELD_VALUE, OPTION_DESCRIPTION, OPTION_LABEL, SELECT_OPTIONS, clip, md

COLOUR = discord.Colour.teal()
TOPICS_PER_PAGE = SELECT_OPTIONS
TYPE_ICONS = {
    "docs": "📄",
    "course": "🎓",
    "book": "📚",
    "article": "📝",
    "paper": "📜",
    "video": "🎬",
    "tool": "🛠️",
    "community": "👥",
}


def _fields(embed: discord.Embed, name: str, lines: Sequence[str], *, budget: int) -> int:
    """Add ``lines`` as one or more fields of ≤ 1,024 characters; returns characters used."""
    used, chunk, part = 0, "", 0
    for line in lines:
        line = clip(line, FIELD_VALUE)
        if len(chunk) + len(line) + 1 > FIELD_VALUE:
            used += _add(embed, name if part == 0 else f"{name} (cont.)", chunk, budget - used)
            chunk, part = "", part + 1
        chunk += line + "\n"
    if chunk:
        used += _add(embed, name if part == 0 else f"{name} (cont.)", chunk, budget - used)
    return used


def _add(embed: discord.Embed, name: str, value: str, budget: int) -> int:
    name = clip(name, 256)
    if len(embed.fields) >= 25 or budget < len(name) + 20:
        return 0
    value = clip(value.rstrip(), min(FIELD_VALUE, budget - len(name)))
    embed.add_field(name=name, value=value, inline=False)
    return len(name) + len(value)


def _budget(embed: discord.Embed) -> int:
    return EMBED_TOTAL - len(embed) - 10


# ---------------------------------------------------------------- overview


def overview_embed(content: Content, levels: list[LevelProgress], next_topic: Topic | None) -> discord.Embed:
    done = sum(lp.complete for lp in levels)
    total = sum(len(lp.topics) for lp in levels)
    embed = discord.Embed(title=clip(f"🚀 {content.roadmap.title}", 256), colour=COLOUR)
    embed.description = clip(md(content.roadmap.description), 1500) + (
        f"\n\n**Your progress:** {bar(done / total if total else 0)} {round(100 * done / total) if total else 0}% "
        f"· {done}/{total} topics"
    )
    if next_topic is not None:
        embed.set_footer(text=clip(f"Suggested next: {next_topic.name} (Level {next_topic.level})", 200))
    more = ("…", "More levels: pick one below.")
    for index, lp in enumerate(levels):
        name = clip(f"{lp.level.emoji} {lp.level.title}", 256)
        value = f"`{bar(lp.fraction)}` {round(100 * lp.fraction)}% · {lp.complete}/{len(lp.topics)} topics"
        last = index == len(levels) - 1
        room = EMBED_TOTAL - len(embed) - len(name) - len(value) - (0 if last else len(more[0]) + len(more[1]))
        if len(embed.fields) >= 24 or room < 0:
            embed.add_field(name=more[0], value=more[1], inline=False)
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def level_options(content: Content, levels: list[LevelProgress], page: int = 0) -> list[discord.SelectOption]:
    chunk = levels[page * SELECT_OPTIONS : (page + 1) * SELECT_OPTIONS]
    return [
        discord.SelectOption(
            label=clip(lp.level.title, OPTION_LABEL),
            value=str(lp.level.number),
            description=clip(f"{round(100 * lp.fraction)}% complete", OPTION_DESCRIPTION),
            emoji=lp.level.emoji if len(lp.level.emoji) <= 2 else None,
        )
        for lp in chunk
    ]


# ---------------------------------------------------------------- level


@dataclass(frozen=True)
class LevelPage:
    level: LevelProgress
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.level.topics) // TOPICS_PER_PAGE))

    @property
    def topics(self) -> tuple[TopicState, ...]:
        return self.level.topics[self.page * TOPICS_PER_PAGE : (self.page + 1) * TOPICS_PER_PAGE]


def level_embed(lp: LevelPage) -> discord.Embed:
    lv = lp.level
    embed = discord.Embed(title=clip(f"{lv.level.emoji} {lv.level.title}", 256), colour=COLOUR)
    embed.description = clip(md(lv.level.description), 2000) + (
        f"\n\n`{bar(lv.fraction)}` {round(100 * lv.fraction)}% · {lv.complete}/{len(lv.topics)} topics "
        "done, skipped or mastered"
    )
    legend = " ".join(f"{icon} {label}" for label, icon in STATUS_ICONS.items())
    embed.set_footer(text=legend + (f" · page {lp.page + 1}/{lp.pages}" if lp.pages > 1 else ""))
    sections: dict[str | None, list[str]] = {}
    for tp in lp.topics:
        line = f"{tp.icon} {md(tp.topic.name)}"
        if tp.reviewed:
            line += f" · recall {round(100 * tp.recall)}%"
        sections.setdefault(tp.topic.section, []).append(line)
    for name, lines in sections.items():
        _fields(embed, md(name) if name else "Topics", lines, budget=_budget(embed))
    return embed


def topic_options(lp: LevelPage) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(
            label=clip(tp.topic.name, OPTION_LABEL),
            value=tp.topic.id,
            description=clip(tp.label.capitalize(), OPTION_DESCRIPTION),
        )
        for tp in lp.topics
    ]


# ---------------------------------------------------------------- topic


def topic_embed(content: Content, tp: TopicState, prereqs: list[TopicState]) -> discord.Embed:
    topic = tp.topic
    level = content.level(topic.level)
    embed = discord.Embed(
        title=clip(f"{tp.icon} {topic.name}", 256), description=clip(md(topic.description), 2000), colour=COLOUR
    )
    where = level.title if level else f"Level {topic.level}"
    if topic.section:
        where += f" · {topic.section}"
    embed.add_field(name="Where", value=clip(md(where), 1024), inline=False)
    if prereqs:
        embed.add_field(
            name="Builds on", value=clip(", ".join(f"{p.icon} {md(p.topic.name)}" for p in prereqs), 1024), inline=False
        )
    count = len(content.topic_questions(topic.id))
    status = f"{tp.icon} **{tp.label.capitalize()}**" + (" · in your daily reviews" if tp.enrolled else "")
    embed.add_field(name="Your status", value=status, inline=True)
    embed.add_field(
        name="Recall",
        value=f"`{bar(tp.recall)}` {round(100 * tp.recall)}%\n{tp.reviewed}/{count} questions reviewed",
        inline=True,
    )
    embed.set_footer(
        text="Mastered = recall ≥ 80% · recall is the share of this topic's questions you'd likely answer right now"
    )
    resources = content.resources_by_topic.get(topic.id, ())
    if resources:
        _fields(embed, "Resources", [resource_line(r) for r in resources], budget=_budget(embed))
    return embed


def resource_line(resource: Resource) -> str:
    line = f"{TYPE_ICONS.get(resource.type, '🔗')} [{md(resource.title)}]({resource.url}) · {resource.type}"
    return f"{line}\n  *{md(resource.description)}*" if resource.description else line


# ---------------------------------------------------------------- resources


def resource_groups(
    content: Content, resources: Sequence[Resource], level: int | None = None
) -> list[tuple[str, list[str]]]:
    """(heading, lines) grouped by level (general resources last), each resource listed once.

    A resource spanning several levels sits under ``level`` when the list is filtered to one,
    otherwise under the first level it covers, so the count above the list matches its rows.
    """

    def home(resource: Resource) -> int | None:
        if not resource.levels:
            return None
        return level if level in resource.levels else min(resource.levels)

    groups: list[tuple[str, list[str]]] = []
    for lv in content.levels:
        rs = [r for r in resources if home(r) == lv.number]
        if rs:
            groups.append((f"{lv.emoji} {lv.title}", [_res_line(content, r) for r in rs]))
    general = [r for r in resources if home(r) is None]
    if general:
        groups.append(("🛠 Tools & practice", [_res_line(content, r) for r in general]))
    return groups


def _res_line(content: Content, resource: Resource) -> str:
    topics = [content.topics[t].name for t in resource.topics if t in content.topics]
    extra = f" — {', '.join(topics[:3])}" + (f" +{len(topics) - 3}" if len(topics) > 3 else "") if topics else ""
    return clip(resource_line(resource) + md(extra), FIELD_VALUE)


def paginate(
    groups: list[tuple[str, list[str]]],
    *,
    max_chars: int = 4500,
    max_fields: int = 20,
) -> list[list[tuple[str, str]]]:
    """Split (heading, lines) into pages of fields that each fit one embed."""
    pages: list[list[tuple[str, str]]] = [[]]
    size = 0
    for heading, lines in groups:
        chunk, part = "", 0
        for line in [*lines, None]:
            if line is None or len(chunk) + len(line) + 1 > FIELD_VALUE:
                if chunk:
                    name = clip(heading if part == 0 else f"{heading} (cont.)", 256)
                    if size + len(name) + len(chunk) > max_chars or len(pages[-1]) >= max_fields:
                        pages.append([])
                        size = 0
                    pages[-1].append((name, chunk.rstrip()))
                    size += len(name) + len(chunk)
                    part += 1
                chunk = ""
            if line is not None:
                chunk += line + "\n"
    return [p for p in pages if p] or [[]]


def resources_embed(title: str, page: list[tuple[str, str]], index: int, total: int, note: str = "") -> discord.Embed:
    embed = discord.Embed(title=clip(title, 256), colour=COLOUR, description=clip(note, 1000) or None)
    for name, value in page:
        embed.add_field(name=name, value=value, inline=False)
    if total > 1:
        embed.set_footer(text=f"Page {index + 1}/{total}")
    return embed
