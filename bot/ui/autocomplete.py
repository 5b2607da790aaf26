"""Autocomplete for topics, levels and time zones: forgiving of case and typos."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.content import Content, Topic
from bot.study.lookup import normalise, rank_topics
from bot.ui.interaction import services_of
from bot.ui.text import AUTOCOMPLETE, clip
from scheduler.zones import place_names


def topic_label(content: Content, topic: Topic) -> str:
    return clip(f"{topic.name} (L{topic.level})", 100)


async def topic_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    content = services_of(interaction).content
    return [app_commands.Choice(name=topic_label(content, t), value=t.id) for t in rank_topics(content, current)]


async def level_choices(interaction: discord.Interaction, current: int | str) -> list[app_commands.Choice[int]]:
    content = services_of(interaction).content
    wanted = normalise(str(current or ""))
    found = []
    for level in content.levels:
        label = f"{level.number} – {level.name}"
        if not wanted or wanted in normalise(label):
            found.append(app_commands.Choice(name=clip(label, 100), value=level.number))
    return found[:AUTOCOMPLETE]


async def timezone_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    wanted = current.strip().lower().replace(" ", "_")
    names = place_names()
    hits = [n for n in names if n.lower().startswith(wanted)]
    hits += [n for n in names if wanted in n.lower() and not n.lower().startswith(wanted)]
    return [app_commands.Choice(name=clip(name, 100), value=name) for name in hits[:AUTOCOMPLETE]]
