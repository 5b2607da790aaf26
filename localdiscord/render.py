"""Render messages as plain text for a terminal (the offline console)."""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime
from typing import Any

from localdiscord.state import Message

WIDTH = 100
_TS = re.compile(r"<t:(\d+)(?::([tTdDfFR]))?>")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)]+)\)")


def _timestamp(m: re.Match[str]) -> str:
    when = datetime.fromtimestamp(int(m.group(1)), UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def plain(text: str) -> str:
    """Discord markdown to terminal text: timestamps and links spelled out, escapes removed."""
    text = _TS.sub(_timestamp, text)
    text = _LINK.sub(r"\1 <\2>", text)
    text = re.sub(r"(?<![*\\])\*([^*\n]+)\*(?!\*)", r"\1", text)  # *emphasis*
    text = re.sub(r"\\([*_~|\\`>])", r"\1", text)
    return text.replace("**", "").replace("`", "")


def _wrap(text: str, indent: str = "  ") -> list[str]:
    out: list[str] = []
    for para in plain(text).split("\n"):
        out.extend(textwrap.wrap(para, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent.rstrip()])
    return out


def render(message: Message, numbered: list[dict[str, Any]] | None = None) -> str:
    """A message as text. Interactive components are numbered; ``numbered`` collects them."""
    lines: list[str] = []
    tag = " (only you can see this)" if message.ephemeral else ""
    where = "DM" if message.channel.type == 1 else f"#{message.channel.name}"
    lines.append(f"── {message.author.username} in {where}{tag} ──")
    if message.content:
        lines.extend(_wrap(message.content, ""))
    for e in message.embeds:
        if e.get("author"):
            lines.append(f"  {plain(e['author']['name'])}")
        if e.get("title"):
            lines.append(f"┃ {plain(e['title'])}")
        if e.get("description"):
            lines.extend(_wrap(e["description"], "┃ "))
        for f in e.get("fields") or []:
            lines.append(f"┃ ▸ {plain(f['name'])}")
            lines.extend(_wrap(f["value"], "┃   "))
        if e.get("footer"):
            lines.append(f"┃ ({plain(e['footer']['text'])})")
    for a in message.attachments:
        lines.append(f"  📎 {a['filename']} ({a['size']} bytes)")
    comps: list[str] = []
    for row in message.components:
        row_text = []
        for c in row.get("components") or []:
            if c.get("type") == 2 and c.get("style") == 5:
                row_text.append(f"[link: {c.get('label')} <{c.get('url')}>]")
                continue
            if numbered is None:
                continue
            numbered.append(c)
            n = len(numbered)
            if c.get("type") == 2:
                label = (c.get("emoji") or {}).get("name", "") + " " + (c.get("label") or "")
                row_text.append(f"[{n}] {label.strip()}" + (" (disabled)" if c.get("disabled") else ""))
            elif c.get("type") == 3:
                opts = "; ".join(f"{i + 1}) {o['label']}" for i, o in enumerate(c.get("options") or []))
                row_text.append(f"[{n}] {c.get('placeholder') or 'Choose'}: {opts}")
        if row_text:
            comps.append("  " + "  ".join(row_text))
    lines.extend(comps)
    return "\n".join(lines)
