"""Cloze text in Anki's syntax: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.

A deletion may contain single-brace placeholders (``{{c1::{= a*b}}}``) but never another
deletion; every ``{{`` must be closed by ``}}``."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\{\{c(\d+)::")
HIDDEN = "[…]"


class ClozeError(ValueError):
    """Malformed cloze text; ``offset`` is the 0-based character where it goes wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Deletion:
    number: int
    answer: str
    hint: str | None


# The parsed text: plain strings and deletions, in order.
Part = str | Deletion


def _close(text: str, start: int) -> int:
    """The index of the ``}}`` closing a deletion whose content starts at ``start``."""
    depth, at = 0, start
    while at < len(text):
        if text.startswith("{{", at) and depth == 0:
            raise ClozeError("cloze deletions cannot nest", at)
        char = text[at]
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                if text.startswith("}}", at):
                    return at
                raise ClozeError("unbalanced '}' inside a cloze deletion", at)
            depth -= 1
        at += 1
    raise ClozeError("cloze deletion is not closed with '}}'", start)


def parse_cloze(text: str) -> tuple[Part, ...]:
    """Split cloze text into plain parts and deletions; ClozeError when malformed."""
    parts: list[Part] = []
    at = 0
    while at < len(text):
        match = _OPEN.search(text, at)
        plain = text[at : match.start() if match else len(text)]
        for token in ("{{", "}}"):
            if token in plain:
                where = at + plain.index(token)
                raise ClozeError(f"unbalanced {token!r}: a deletion is written {{{{c1::answer}}}}", where)
        if plain:
            parts.append(plain)
        if match is None:
            break
        number = int(match.group(1))
        if number < 1:
            raise ClozeError("deletion numbers start at c1", match.start())
        end = _close(text, match.end())
        body = text[match.end() : end]
        answer, sep, hint = body.partition("::")
        if not answer.strip():
            raise ClozeError(f"deletion c{number} is empty", match.start())
        if sep and not hint.strip():
            raise ClozeError(f"deletion c{number} has an empty hint", match.start())
        parts.append(Deletion(number, answer.strip(), hint.strip() if sep else None))
        at = end + 2
    if not any(isinstance(part, Deletion) for part in parts):
        raise ClozeError("a cloze needs at least one deletion like {{c1::answer}}", 0)
    return tuple(parts)


def numbers(parts: tuple[Part, ...]) -> list[int]:
    """The distinct deletion numbers, in ascending order (one card each)."""
    return sorted({part.number for part in parts if isinstance(part, Deletion)})


def masked(parts: tuple[Part, ...], number: int) -> str:
    """The card's front: deletion ``number`` hidden as ``[…]`` (or ``[hint]``), others filled in."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.number == number:
            out.append(f"[{part.hint}]" if part.hint else HIDDEN)
        else:
            out.append(part.answer)
    return "".join(out)


def filled(parts: tuple[Part, ...]) -> str:
    """The whole text with every deletion filled in."""
    return "".join(part if isinstance(part, str) else part.answer for part in parts)


def answers(parts: tuple[Part, ...], number: int) -> list[str]:
    """What deletion ``number`` hides (one entry per occurrence)."""
    return [part.answer for part in parts if isinstance(part, Deletion) and part.number == number]
