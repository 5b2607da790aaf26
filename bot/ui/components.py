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
