"""Building component rows that are not kept in memory: clicks are routed by custom_id."""

from __future__ import annotations

from typing import Any

import discord


def static_view(*rows: list[discord.ui.Item[Any]]) -> discord.ui.View:
    """A view to send once. It is stopped before sending, so discord.py does not keep it in
    memory: clicks reach the registered DynamicItems, which rebuild their state from the
    custom_id and the database (so they also work after a restart)."""
    view = discord.ui.View(timeout=None)
    for r, row in enumerate(rows):
        for item in row:
            item.row = r
            view.add_item(item)
    view.stop()
    return view


def link_button(label: str, url: str) -> discord.ui.Button[discord.ui.View]:
    return discord.ui.Button(label=label[:80], url=url, style=discord.ButtonStyle.link)
