"""Autocomplete and lookup for topics, levels and time zones: forgiving of typos."""

from __future__ import annotations

import difflib
from typing import Any

import discord
from discord import app_commands

from bot.content import Content, Topic
from bot.ui.text import AUTOCOMPLETE, clip


def _norm(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def rank_topics(content: Content, query: str, limit: int = AUTOCOMPLETE) -> list[Topic]:
    """Topics best matching ``query``: exact, prefix, word prefix, substring, then fuzzy."""
    q = _norm(query)
    topics = list(content.topics.values())
    if not q:
        return topics[:limit]
    scored: list[tuple[float, int, Topic]] = []
    for i, t in enumerate(topics):
        name, tid = _norm(t.name), _norm(t.id)
        words = name.split() + tid.split()
        if q in (name, tid):
            score = 100.0
        elif name.startswith(q) or tid.startswith(q):
            score = 90.0
        elif any(w.startswith(q) for w in words):
            score = 80.0
        elif q in name or q in tid:
            score = 70.0
        else:
            ratio = max(
                difflib.SequenceMatcher(None, q, name).ratio(),
                difflib.SequenceMatcher(None, q, tid).ratio(),
                max((difflib.SequenceMatcher(None, q, w).ratio() for w in words), default=0.0),
            )
            if ratio < 0.6:
                continue
            score = 60.0 * ratio
        scored.append((score, i, t))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [t for _, _, t in scored[:limit]]


def find_topic(content: Content, text: str) -> Topic | None:
    """The topic a user meant: an id, an exact name, or the single best fuzzy match."""
    if text in content.topics:
        return content.topics[text]
    ranked = rank_topics(content, text, limit=2)
    if not ranked:
        return None
    q = _norm(text)
    if len(ranked) == 1 or _norm(ranked[0].name) == q or _norm(ranked[0].id) == q:
        return ranked[0]
    # Accept a clearly best match only.
    a = difflib.SequenceMatcher(None, q, _norm(ranked[0].name)).ratio()
    b = difflib.SequenceMatcher(None, q, _norm(ranked[1].name)).ratio()
    return ranked[0] if a - b > 0.15 or q in _norm(ranked[0].name) else None


def topic_label(content: Content, t: Topic) -> str:
    return clip(f"{t.name} (L{t.level})", 100)


async def topic_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    content: Content = interaction.client.services.content  # type: ignore[attr-defined]
    return [app_commands.Choice(name=topic_label(content, t), value=t.id) for t in rank_topics(content, current)]


async def level_choices(interaction: discord.Interaction, current: int | str) -> list[app_commands.Choice[int]]:
    content: Content = interaction.client.services.content  # type: ignore[attr-defined]
    q = _norm(str(current or ""))
    out = []
    for lv in content.levels:
        label = f"{lv.number} – {lv.name}"
        if not q or q in _norm(label):
            out.append(app_commands.Choice(name=clip(label, 100), value=lv.number))
    return out[:AUTOCOMPLETE]


def choices_from(items: list[tuple[str, Any]]) -> list[app_commands.Choice[Any]]:
    return [app_commands.Choice(name=clip(n, 100), value=v) for n, v in items[:AUTOCOMPLETE]]
