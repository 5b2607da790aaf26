"""Text for Discord: markdown-safe content and length limits."""

from __future__ import annotations

import re

# Discord's limits (see DESIGN.md)
CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_DESCRIPTION = 100
CUSTOM_ID = 100
AUTOCOMPLETE = 25

_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_SPECIAL = re.compile(r"([*_~|\\])")


def md(text: str) -> str:
    """Escape Discord markdown in content text, keeping `code` spans and ``` blocks as written.

    Authors may use backticks for code; anything else (π_θ, V*(s)) is shown literally.
    """
    parts = _CODE.split(text)
    return "".join(p if i % 2 else _SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, never breaking the limit."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
