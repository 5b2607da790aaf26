"""Building component rows that are not kept in memory: clicks are routed by custom_id."""

from __future__ import annotations

from typing import TypedDict

import discord

# Any component: a plain button or select, or a DynamicItem wrapping one.
Item = discord.ui.Item[discord.ui.View | discord.ui.LayoutView]
Row = list[Item]


class Message(TypedDict, total=False):
    """A message's text, embed and components, as send and edit take them."""

    content: str
    embed: discord.Embed
    view: discord.ui.View


class Post(Message, total=False):
    """A message to send with ``files`` (a question's diagram); edit with ``as_edit``."""

    files: list[discord.File]


class Edit(Message, total=False):
    """A message as an edit takes it: ``attachments`` are the files the message keeps."""

    attachments: list[discord.File]


def as_edit(message: Post) -> Edit:
    """``message`` for editing a message that showed something else: its files replace the old
    attachments (none: the old diagram goes)."""
    edit = Edit(attachments=message.get("files", []))
    if "content" in message:
        edit["content"] = message["content"]
    if "embed" in message:
        edit["embed"] = message["embed"]
    if "view" in message:
        edit["view"] = message["view"]
    return edit


def static_view(*rows: Row) -> discord.ui.View:
    """A view to send once. It is stopped before sending, so discord.py does not keep it in
    memory: clicks reach the registered DynamicItems, which rebuild their state from the
    custom_id and the database (so they also work after a restart)."""
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rows):
        for item in row:
            item.row = index
            view.add_item(item)
    view.stop()
    return view


def link_button(label: str, url: str) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(label=label[:80], url=url, style=discord.ButtonStyle.link)
