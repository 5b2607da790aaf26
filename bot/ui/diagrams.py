"""Diagrams on Discord: a question's PNG sent as the message's one attachment and shown as its
embed image (``attachment://<name>``)."""

from __future__ import annotations

import discord

from bot.content import AnyQuestion, Content


def diagram_files(content: Content, question: AnyQuestion | None) -> list[discord.File]:
    """The attachment a message showing ``question`` carries: its diagram, or nothing."""
    if question is None or question.image is None or question.image not in content.images:
        return []
    return [discord.File(content.images[question.image], filename=question.image)]


def show_diagram(embed: discord.Embed, question: AnyQuestion | None) -> discord.Embed:
    """Point the embed's image at the message's diagram attachment (if the question has one)."""
    if question is not None and question.image is not None:
        embed.set_image(url=f"attachment://{question.image}")
    return embed
