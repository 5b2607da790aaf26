"""Per-question checks of the loader: cloze expansion into cards, numeric variants that parse
and draw, and diagrams (``image:``) that exist, are PNGs within Discord's upload limit, and are
used. Problems come back as (location within the question, message) for file:line:col."""

from __future__ import annotations

from pathlib import Path

from bot.content import cloze
from bot.content.expr import ExprError, parse
from bot.content.schema import AnyQuestion, Cloze, ClozeCard, MultipleChoice
from bot.content.variants import PLACEHOLDER, draw, present
from bot.yamlpos import Doc, Pos

# Discord's attachment limit without boosts (10 MiB); a diagram is far smaller in practice.
MAX_IMAGE_BYTES = 10 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOAD_DRAWS = 3  # draws tried at every load; `content check` tries every combination or 200

Problem = tuple[tuple[object, ...], str]


def text_pos(doc: Doc, loc: tuple[object, ...], text: str, offset: int) -> Pos:
    """The line:col of character ``offset`` of a one-line scalar ``text`` at ``loc`` (the
    value's own position when it spans lines or has escapes)."""
    line, col = doc.pos(loc)
    lines = doc.source.splitlines()
    if 0 < line <= len(lines):
        raw = lines[line - 1]
        start = col - 1 + (1 if raw[col - 1 : col] in ("'", '"') else 0)
        if raw[start : start + offset] == text[:offset]:
            return line, start + offset + 1
    return line, col


def expand_cloze(question: Cloze) -> list[ClozeCard]:
    """One card per distinct deletion number; ClozeError when the text is malformed."""
    parts = cloze.parse_cloze(question.text)
    data = question.model_dump(exclude={"type", "text", "topic"})
    cards = []
    for index, number in enumerate(cloze.numbers(parts)):
        fields = {**data, "id": f"{question.id}-c{number}", "replaces": question.replaces if index == 0 else ()}
        cards.append(
            ClozeCard(
                type="cloze", prompt=question.text, number=number, parent=question.id, topic=question.topic, **fields
            )
        )
    return cards


def _texts(question: AnyQuestion) -> list[tuple[tuple[object, ...], str]]:
    field = "text" if isinstance(question, ClozeCard) else "prompt"
    texts: list[tuple[tuple[object, ...], str]] = [
        ((field,), question.prompt),
        (("explanation",), question.explanation),
    ]
    if isinstance(question, MultipleChoice):
        texts += [(("options", i, "text"), o.text) for i, o in enumerate(question.options)]
    return texts


def variant_problems(question: AnyQuestion) -> list[Problem]:
    """Placeholders and where: conditions that do not parse, and draws that fail."""
    if not isinstance(question, MultipleChoice | ClozeCard) or not question.variables:
        return []
    names = set(question.variables)
    problems: list[Problem] = []
    for index, condition in enumerate(question.where):
        try:
            parse(condition, names, logic=True)
        except ExprError as exc:
            problems.append((("where", index), f"where: {exc}"))
    for loc, text in _texts(question):
        for match in PLACEHOLDER.finditer(text):
            if match.group(2) is not None and match.group(2) not in names:
                problems.append((loc, f"{{{match.group(2)}}} is not a variable ({', '.join(sorted(names))})"))
            elif match.group(1) is not None:
                try:
                    parse(match.group(1), names)
                except ExprError as exc:
                    problems.append((loc, f"{{= {match.group(1)}}}: {exc}"))
    if problems:
        return problems
    try:
        for number in range(LOAD_DRAWS):
            draw(question, "load", number)
            present(question, "load", number)
    except ExprError as exc:
        problems.append((("variables",), str(exc)))
    return problems


def image_problem(images: Path, name: str) -> str | None:
    """Why ``content/images/<name>`` cannot be attached, or None."""
    path = images / name
    if not path.is_file():
        return f"image {name!r} does not exist in {images.name}/ (draw it with images/src/draw_all.py)"
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return f"image {name!r} is {size:,} bytes, over Discord's upload limit of {MAX_IMAGE_BYTES:,}"
    with path.open("rb") as handle:
        if handle.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
            return f"image {name!r} is not a PNG file"
    return None


def unused_images(images: Path, used: set[str]) -> list[str]:
    """PNGs in ``content/images/`` that no question names."""
    if not images.is_dir():
        return []
    return sorted(p.name for p in images.glob("*.png") if p.name not in used)
