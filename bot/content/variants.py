"""Numeric variants and what a learner sees of a question.

Values are drawn deterministically from a *card key* (whose card, e.g. ``"<learner>/<question>"``)
and a *review number*: the same pair always gives the same numbers (two clicks, a restart), the
next review gives new ones. ``where:`` conditions redraw, at most ``MAX_REDRAWS`` times."""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
from dataclasses import dataclass

from bot.content import cloze
from bot.content.expr import Expr, ExprError, parse
from bot.content.schema import AnyQuestion, ClozeCard, Flashcard, MultipleChoice, TrueFalse

MAX_REDRAWS = 100
#: A variant question with at most this many value combinations is checked on every one.
EXHAUSTIVE_LIMIT = 5000
PLACEHOLDER = re.compile(r"\{=\s*([^{}]*?)\s*\}|\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Shown:
    """A question as presented: placeholders filled with this draw's values.

    ``answer``: the flashcard's answer, the cloze card's hidden text; ``revealed`` (cloze): the
    text split into (text, is the hidden deletion) pieces, for bolding the answer."""

    prompt: str
    options: tuple[str, ...]
    answer: str
    explanation: str
    revealed: tuple[tuple[str, bool], ...] = ()
    values: tuple[tuple[str, float], ...] = ()


def has_variants(question: AnyQuestion) -> bool:
    return isinstance(question, MultipleChoice | ClozeCard) and bool(question.variables)


def format_number(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` places, trailing zeros dropped (``-0`` shown as ``0``)."""
    rounded = round(value, decimals)
    if rounded == 0:
        return "0"
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rng(card_key: str, number: int, attempt: int) -> random.Random:
    digest = hashlib.sha256(f"{card_key}\x1f{number}\x1f{attempt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def conditions(question: MultipleChoice | ClozeCard) -> list[Expr]:
    names = set(question.variables or {})
    return [parse(text, names, logic=True) for text in question.where]


def draw(question: AnyQuestion, card_key: str, number: int) -> dict[str, float]:
    """The variable values for (card, review number): the first draw meeting every ``where:``
    condition. ExprError if none is found in ``MAX_REDRAWS`` draws."""
    if not isinstance(question, MultipleChoice | ClozeCard) or not question.variables:
        return {}
    checks = conditions(question)
    for attempt in range(MAX_REDRAWS):
        rng = _rng(card_key, number, attempt)
        values = {name: rng.choice(spec.values()) for name, spec in question.variables.items()}
        if all(check.evaluate(values) for check in checks):
            return values
    raise ExprError(f"where: was not met in {MAX_REDRAWS} draws; widen the ranges or relax the conditions")


def fill(text: str, values: dict[str, float], decimals: int) -> str:
    """``text`` with ``{name}`` and ``{= expr}`` replaced; ExprError on a bad placeholder."""
    names = set(values)

    def one(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            name = match.group(2)
            if name not in values:
                raise ExprError(f"{{{name}}} is not a variable ({', '.join(sorted(names))})")
            return format_number(values[name], decimals)
        return format_number(parse(match.group(1), names).evaluate(values), decimals)

    return PLACEHOLDER.sub(one, text)


def present(question: AnyQuestion, card_key: str, number: int) -> Shown:
    """What the learner sees of ``question`` for (card, review number)."""
    return shown_with(question, draw(question, card_key, number))


def shown_with(question: AnyQuestion, values: dict[str, float]) -> Shown:
    """``question`` with these variable values filled in."""
    decimals = question.decimals if isinstance(question, MultipleChoice | ClozeCard) else 2

    def text(raw: str) -> str:
        return fill(raw, values, decimals) if values else raw

    kept = tuple(sorted(values.items()))
    if isinstance(question, ClozeCard):
        parts = question.parts
        pieces = tuple(
            (text(part), False) if isinstance(part, str) else (text(part.answer), part.number == question.number)
            for part in parts
        )
        hidden = " … ".join(text(answer) for answer in cloze.answers(parts, question.number))
        return Shown(text(cloze.masked(parts, question.number)), (), hidden, text(question.explanation), pieces, kept)
    if isinstance(question, MultipleChoice):
        options = tuple(text(o.text) for o in question.options)
        return Shown(
            text(question.prompt), options, options[question.correct_index], text(question.explanation), (), kept
        )
    if isinstance(question, TrueFalse):
        return Shown(question.prompt, (), "True" if question.answer else "False", question.explanation)
    assert isinstance(question, Flashcard)
    return Shown(question.prompt, (), question.answer, question.explanation)


def every_value_set(question: AnyQuestion, limit: int = EXHAUSTIVE_LIMIT) -> list[dict[str, float]] | None:
    """Every combination of the variables' values that meets ``where:``, when there are at most
    ``limit`` combinations; None when there are more (then draws are sampled)."""
    if not isinstance(question, MultipleChoice | ClozeCard) or not question.variables:
        return None
    domains = {name: spec.values() for name, spec in question.variables.items()}
    if math.prod(len(values) for values in domains.values()) > limit:
        return None
    checks = conditions(question)
    combos = (dict(zip(domains, chosen, strict=True)) for chosen in itertools.product(*domains.values()))
    return [values for values in combos if all(check.evaluate(values) for check in checks)]


def check_draws(question: AnyQuestion, draws: int) -> list[str]:
    """Problems over every combination of values (when there are at most ``EXHAUSTIVE_LIMIT``)
    or else over ``draws`` draws (review numbers 0…draws-1 of one card): an expression that
    errors or is not finite, or a distractor equal to the key once rounded."""
    if not has_variants(question):
        return []
    try:
        every = every_value_set(question)
    except ExprError as exc:
        return [f"where: {exc}"]
    if every is not None:
        cases = [(f"values {index + 1} of {len(every)}", values) for index, values in enumerate(every)]
    else:
        cases = []
        for number in range(draws):
            try:
                cases.append((f"draw {number}", draw(question, "check", number)))
            except ExprError as exc:
                return [f"draw {number}: {exc}"]
    for label, values in cases:
        problem = _one_case(question, label, values)
        if problem:
            return [problem]
    return []


def _one_case(question: AnyQuestion, label: str, values: dict[str, float]) -> str | None:
    try:
        shown = shown_with(question, values)
    except ExprError as exc:
        return f"{label}: {exc}"
    if not isinstance(question, MultipleChoice):
        return None
    key = shown.options[question.correct_index].casefold()
    same = [i for i, o in enumerate(shown.options) if i != question.correct_index and o.casefold() == key]
    if same:
        given = ", ".join(f"{k}={format_number(v, 6)}" for k, v in shown.values)
        return f"{label} ({given}): option {same[0] + 1} shows {shown.options[same[0]]!r}, the same as the key"
    if len({o.casefold() for o in shown.options}) != len(shown.options):
        return f"{label}: two distractors show the same text"
    return None
