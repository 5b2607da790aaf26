"""A small, safe arithmetic language for numeric variants (never Python ``eval``).

Grammar (lowest precedence first)::

    expr   := or
    or     := and ("or" and)*            -- only in where: conditions
    and    := not ("and" not)*
    not    := "not" not | cmp
    cmp    := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum    := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := "-" unary | "+" unary | power
    power  := atom (("^" | "**") unary)?     -- right-associative
    atom   := number | name | function "(" expr ("," expr)* ")" | "(" expr ")"

Names are the question's variables and the constants ``pi`` and ``e``; functions are
``sqrt log log2 log10 exp abs min max round floor ceil``. Anything else (attribute access,
subscripts, strings, other names or calls) is refused when the expression is parsed.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "exp": math.exp,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
}
ARITY = {"min": (2, 8), "max": (2, 8), "round": (1, 2), "log": (1, 2)}
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 300

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>\*\*|<=|>=|==|!=|[-+*/^(),<>]))"
)
_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


class ExprError(ValueError):
    """An expression that is not in the language, or that cannot be evaluated."""


# A parsed expression is a tree of tuples: ("num", x), ("var", name), ("neg", node),
# ("bin", op, left, right), ("call", name, args), ("not", node), ("and"/"or", left, right).
Node = tuple[object, ...]


@dataclass
class _Parser:
    tokens: list[tuple[str, str, int]]
    names: frozenset[str]
    logic: bool
    index: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        if self.index >= len(self.tokens):
            raise ExprError("the expression ends too early")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        _, value, at = self.take()
        if value != text:
            raise ExprError(f"expected {text!r} at character {at + 1}, found {value!r}")

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.peek() == "or":
            self._logic_word("or")
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.peek() == "and":
            self._logic_word("and")
            node = ("and", node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.peek() == "not":
            self._logic_word("not")
            return ("not", self.parse_not())
        return self.parse_compare()

    def _logic_word(self, word: str) -> None:
        _, _, at = self.take()
        if not self.logic:
            raise ExprError(f"{word!r} (character {at + 1}) is only allowed in where: conditions")

    def parse_compare(self) -> Node:
        node = self.parse_sum()
        op = self.peek()
        if op in _COMPARE:
            _, _, at = self.take()
            if not self.logic:
                raise ExprError(f"comparison {op!r} (character {at + 1}) is only allowed in where: conditions")
            node = ("cmp", op, node, self.parse_sum())
        return node

    def parse_sum(self) -> Node:
        node = self.parse_term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.parse_term())
        return node

    def parse_term(self) -> Node:
        node = self.parse_unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.parse_unary())
        return node

    def parse_unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return ("neg", self.parse_unary())
        if self.peek() == "+":
            self.take()
            return self.parse_unary()
        return self.parse_power()

    def parse_power(self) -> Node:
        node = self.parse_atom()
        if self.peek() in ("^", "**"):
            self.take()
            node = ("bin", "^", node, self.parse_unary())
        return node

    def parse_atom(self) -> Node:
        kind, value, at = self.take()
        if kind == "num":
            return ("num", float(value))
        if value == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind == "name":
            return self._name(value, at)
        raise ExprError(f"unexpected {value!r} at character {at + 1}")

    def _name(self, name: str, at: int) -> Node:
        if name in FUNCTIONS:
            self.expect("(")
            args = [self.parse_or()]
            while self.peek() == ",":
                self.take()
                args.append(self.parse_or())
            self.expect(")")
            low, high = ARITY.get(name, (1, 1))
            if not low <= len(args) <= high:
                raise ExprError(f"{name}() takes {low}–{high} arguments, got {len(args)}")
            return ("call", name, tuple(args))
        if self.peek() == "(":
            raise ExprError(f"{name!r} is not an allowed function ({', '.join(FUNCTIONS)})")
        if name in self.names or name in CONSTANTS:
            return ("var", name)
        raise ExprError(f"unknown name {name!r} (variables: {', '.join(sorted(self.names)) or 'none'}; pi, e)")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            stripped = len(text[at:]) - len(text[at:].lstrip())
            bad = text[at + stripped]
            hint = " (attribute access is not allowed)" if bad == "." else ""
            hint = " (subscripts are not allowed)" if bad in "[]" else hint
            raise ExprError(f"unexpected {bad!r} at character {at + stripped + 1}{hint}")
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind), match.start(kind)))
        at = match.end()
    return tokens


@dataclass(frozen=True)
class Expr:
    """A parsed expression; ``evaluate`` computes it for some variable values."""

    source: str
    tree: Node

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The value (a bool as 1.0 / 0.0); ExprError if it cannot be computed or is not finite."""
        try:
            result = float(_eval(self.tree, values))
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ExprError(f"{self.source!r} cannot be computed: {exc}") from None
        if not math.isfinite(result):
            raise ExprError(f"{self.source!r} is not a finite number ({result})")
        return result


def parse(text: str, names: frozenset[str] | set[str], *, logic: bool = False) -> Expr:
    """Parse ``text`` using only the given variable names; ``logic`` allows comparisons and
    and/or/not (for where: conditions). ExprError says what is wrong and where. Parsed once per
    (text, names, logic): every draw of a variant reuses the tree."""
    return _parse(text, frozenset(names), logic)


@functools.lru_cache(maxsize=8192)
def _parse(text: str, names: frozenset[str], logic: bool) -> Expr:
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    tokens = _tokens(text)
    if not tokens:
        raise ExprError("the expression is empty")
    parser = _Parser(tokens, names, logic)
    tree = parser.parse_or()
    if parser.index != len(tokens):
        _, value, at = tokens[parser.index]
        raise ExprError(f"unexpected {value!r} at character {at + 1}")
    return Expr(text, tree)


def _eval(node: Node, values: Mapping[str, float]) -> float:
    kind = node[0]
    if kind == "num":
        return float(node[1])  # type: ignore[arg-type]
    if kind == "var":
        name = str(node[1])
        return values[name] if name in values else CONSTANTS[name]
    if kind == "neg":
        return -_eval(node[1], values)  # type: ignore[arg-type]
    if kind == "call":
        args = [_eval(arg, values) for arg in node[2]]  # type: ignore[attr-defined]
        if node[1] == "round" and len(args) == 2:
            return float(round(args[0], int(args[1])))
        return float(FUNCTIONS[str(node[1])](*args))
    if kind == "not":
        return float(not _eval(node[1], values))  # type: ignore[arg-type]
    left, right = node[2 if kind in ("bin", "cmp") else 1], node[3 if kind in ("bin", "cmp") else 2]
    if kind == "and":
        return float(bool(_eval(left, values)) and bool(_eval(right, values)))  # type: ignore[arg-type]
    if kind == "or":
        return float(bool(_eval(left, values)) or bool(_eval(right, values)))  # type: ignore[arg-type]
    lhs, rhs = _eval(left, values), _eval(right, values)  # type: ignore[arg-type]
    if kind == "cmp":
        return float(_COMPARE[str(node[1])](lhs, rhs))
    return _arith(str(node[1]), lhs, rhs)


def _arith(op: str, lhs: float, rhs: float) -> float:
    if op == "+":
        return lhs + rhs
    if op == "-":
        return lhs - rhs
    if op == "*":
        return lhs * rhs
    if op == "/":
        return lhs / rhs
    if abs(rhs) > 1000 or (lhs == 0 and rhs < 0):
        raise ArithmeticError("power out of range")
    return float(lhs**rhs)
