"""YAML parsed with the position of every value and key, for file:line:col errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentIssue:
    file: str
    line: int
    column: int
    message: str
    warning: bool = False
    rule: str = ""  # a lint rule's name; empty for validity problems

    def __str__(self) -> str:
        kind = "warning" if self.warning else "error"
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.file}:{self.line}:{self.column}: {kind}: {self.message}{rule}"


Pos = tuple[int, int]


class Doc:
    """A parsed YAML document plus the position of every value and key."""

    def __init__(
        self, data: Any, values: dict[tuple[Any, ...], Pos], keys: dict[tuple[Any, ...], Pos], source: str = ""
    ):
        self.data, self.values, self.keys, self.source = data, values, keys, source

    def pos(self, loc: tuple[Any, ...], *, key: bool = False) -> Pos:
        if key and loc in self.keys:
            return self.keys[loc]
        while loc not in self.values and loc:
            loc = loc[:-1]
        return self.values.get(loc, (1, 1))


def node_pos(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


def parse_yaml(path: Path, rel: str, issues: list[ContentIssue]) -> Doc | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ContentIssue(rel, 1, 1, f"cannot read file: {exc}"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        line, col = (where.line + 1, where.column + 1) if where else (1, 1)
        problem = exc.problem or str(exc)
        if exc.context:
            problem = f"{exc.context}: {problem}"
        issues.append(ContentIssue(rel, line, col, f"invalid YAML: {problem}"))
        return None
    finally:
        loader.dispose()
    if node is None:
        issues.append(ContentIssue(rel, 1, 1, "file is empty"))
        return None
    values: dict[tuple[Any, ...], Pos] = {}
    keys: dict[tuple[Any, ...], Pos] = {}
    constructor = SafeConstructor()

    def build(node: yaml.Node, loc: tuple[Any, ...]) -> Any:
        values[loc] = node_pos(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = build(key_node, (*loc, "<key>"))
                if not isinstance(key, str | int | bool) or key is None:
                    issues.append(ContentIssue(rel, *node_pos(key_node), "mapping keys must be plain words"))
                    continue
                if key in out:
                    issues.append(ContentIssue(rel, *node_pos(key_node), f"duplicate key {key!r}"))
                keys[(*loc, key)] = node_pos(key_node)
                out[key] = build(value_node, (*loc, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(value, (*loc, i)) for i, value in enumerate(node.value)]
        try:
            return constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            issues.append(ContentIssue(rel, *node_pos(node), f"invalid value: {exc.problem}"))
            return None

    data = build(node, ())
    return Doc(data, values, keys, text)
