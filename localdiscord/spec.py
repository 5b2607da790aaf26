"""Validate request bodies against Discord's official OpenAPI spec, when present.

Two layers give one verdict. jsonschema (Draft 2020-12, with the snowflake leniency) is the
reference and the only source of error messages. In front of it, each operation's schema is
compiled once into plain predicates (``_Compiler``) that mirror jsonschema's keywords one for
one, so an accepted body costs one pass over it and no throw-away errors. Only a body the
predicates reject goes through jsonschema, for the messages; should the two ever disagree,
jsonschema's verdict stands and a warning is logged. A keyword the compiler does not
implement makes that operation use jsonschema alone, so no check is ever skipped.

Over 400 lines on purpose: the compiled predicates mirror the jsonschema reference keyword for
keyword, and sit beside it in one file so that the two can be read and compared together."""

from __future__ import annotations

import json
import logging
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

SPEC_URI = "urn:discord-openapi"
PERMISSION_BITS_MAX = (1 << 54) - 1  # the spec's maximum for a permission bit set
DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "shared" / "discord-openapi.json"

log = logging.getLogger(__name__)

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class SpecViolation:
    method: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.message}"


class SpecValidator:
    """Finds the operation for a request and validates its JSON body."""

    def __init__(self, spec_path: Path) -> None:
        from jsonschema import Draft202012Validator, validators
        from jsonschema._keywords import pattern as check_pattern
        from jsonschema._keywords import type as check_type
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        def snowflake_type(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Any:
            # Discord documents snowflakes as strings but accepts JSON integers too (discord.py
            # sends some ids as integers); and it documents permission bit sets as strings of
            # digits where the spec says integer (``default_member_permissions``). Only those
            # leniencies are added.
            if schema.get("format") == "snowflake" and isinstance(instance, int) and not isinstance(instance, bool):
                return
            if schema.get("maximum") == PERMISSION_BITS_MAX and isinstance(instance, str) and instance.isdigit():
                return
            yield from check_type(validator, types, instance, schema)

        def snowflake_pattern(validator: Any, patrn: Any, instance: Any, schema: dict[str, Any]) -> Any:
            if schema.get("format") == "snowflake" and isinstance(instance, int):
                return
            yield from check_pattern(validator, patrn, instance, schema)

        Draft202012Validator = validators.extend(
            Draft202012Validator, {"type": snowflake_type, "pattern": snowflake_pattern}
        )

        self.spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self._registry = Registry().with_resource(SPEC_URI, Resource.from_contents(self.spec, DRAFT202012))
        self._validator_cls = Draft202012Validator
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in self.spec["paths"]:
            rx = "^" + re.sub(r"\\\{[a-z_]+\\\}", r"[^/]+", re.escape(template)) + "$"
            self._routes.append((re.compile(rx), template))
        # Literal segments win over parameters (e.g. @original, @me).
        self._routes.sort(key=lambda r: r[1].count("{"))
        self._cache: dict[tuple[str, str, int | None], Any] = {}
        self._compiler = _Compiler(self.spec, set(Draft202012Validator.VALIDATORS))
        self._checks: dict[tuple[str, str], Check | None] = {}

    def template_for(self, path: str) -> str | None:
        return next((t for rx, t in self._routes if rx.match(path)), None)

    def validate(self, method: str, path: str, body: Any) -> list[SpecViolation]:
        template = self.template_for(path)
        if template is None:
            return [SpecViolation(method, path, "no such route in Discord's API spec")]
        if method.lower() not in self.spec["paths"][template]:
            return [SpecViolation(method, path, f"method not allowed by the spec for {template}")]
        check = self._check(method, template)
        if body is None or (check is not None and check(body)):
            return []
        found = self._reference_errors(method, path, template, body)
        if check is not None and not found:
            log.warning("compiled spec check rejected a body jsonschema accepts: %s %s", method, template)
        return found

    def reference_errors(self, method: str, path: str, body: Any) -> list[SpecViolation]:
        """What jsonschema alone finds in ``body`` (the verdict ``validate`` must agree with)."""
        template = self.template_for(path)
        if template is None or method.lower() not in self.spec["paths"][template] or body is None:
            return self.validate(method, path, body)
        return self._reference_errors(method, path, template, body)

    def compiled_verdict(self, method: str, path: str, body: Any) -> bool | None:
        """The compiled predicates' verdict on ``body``; None when nothing is compiled to check
        (no body, no such route, or a keyword the compiler lacks)."""
        template = self.template_for(path)
        if template is None or method.lower() not in self.spec["paths"][template] or body is None:
            return None
        check = self._check(method, template)
        return None if check is None else check(body)

    def _body_schema(self, method: str, template: str) -> Any:
        op = self.spec["paths"][template].get(method.lower()) or {}
        content = (op.get("requestBody") or {}).get("content") or {}
        return (content.get("application/json") or {}).get("schema")

    def _check(self, method: str, template: str) -> Check | None:
        """This operation's compiled body check, built once: None means jsonschema alone; an
        operation without a JSON body schema passes anything."""
        key = (method, template)
        if key not in self._checks:
            schema = self._body_schema(method, template)
            try:
                self._checks[key] = _always if schema is None else self._compiler.compile(schema)
            except _Unsupported as exc:
                log.info("spec: %s %s is checked by jsonschema alone (%s)", method, template, exc)
                self._checks[key] = None
        return self._checks[key]

    def _reference_errors(self, method: str, path: str, template: str, body: Any) -> list[SpecViolation]:
        validator = self._validator(method, template, body)
        if validator is None:
            return []
        out = []
        for err in validator.iter_errors(body):
            where = "/".join(str(p) for p in err.absolute_path) or "(body)"
            best = _best_error(err)
            out.append(SpecViolation(method, path, f"{where}: {best}"))
        return out[:10]

    def _validator(self, method: str, template: str, body: Any) -> Any:
        """The jsonschema validator for this operation's JSON body. A union discriminated by
        ``type`` (interaction callbacks) is narrowed to the branch for the body's type: the
        same verdict, an order of magnitude faster."""
        schema = self._body_schema(method, template)
        if schema is None:
            return None
        branch = self._branch_for(schema, body)
        key = (method, template, branch)
        if key not in self._cache:
            parts = ["paths", template, method.lower(), "requestBody", "content", "application/json", "schema"]
            if branch is not None:
                parts += ["anyOf", str(branch)]
            pointer = "/".join(_escape(p) for p in parts)
            self._cache[key] = self._validator_cls({"$ref": f"{SPEC_URI}#/{pointer}"}, registry=self._registry)
        return self._cache[key]

    def _branch_for(self, schema: dict[str, Any], body: Any) -> int | None:
        if "anyOf" not in schema or not isinstance(body, dict) or "type" not in body:
            return None
        matches = []
        for i, ref in enumerate(schema["anyOf"]):
            allowed = ((self._resolve(ref).get("properties") or {}).get("type") or {}).get("enum")
            if allowed is None:
                return None
            if body["type"] in allowed:
                matches.append(i)
        return matches[0] if len(matches) == 1 else None

    def _resolve(self, ref: dict[str, Any]) -> dict[str, Any]:
        return dict(_pointer(self.spec, ref.get("$ref", "#")))


def _pointer(document: Any, ref: str) -> Any:
    """The node a local ``$ref`` (``#/a/b~1c``) points at."""
    for part in unquote(ref.removeprefix("#")).split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


class _Unsupported(Exception):
    """A schema the compiled checks do not cover; its operation is checked by jsonschema alone."""


# jsonschema's Draft 2020-12 type checker: bool is not a number; 1.0 is an integer.
_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
    "number": lambda x: isinstance(x, numbers.Number) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
}
# Keywords compiled below; "format" only annotates (no format checker, as in the reference).
_COMPILED = {
    "$ref", "type", "const", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum",
    "properties", "required", "additionalProperties", "minProperties", "maxProperties",
    "items", "minItems", "maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "format",
}  # fmt: skip
# Keywords that would change how references resolve or which dialect applies.
_SCOPING = {"$id", "$anchor", "$dynamicAnchor", "$schema", "$vocabulary", "$recursiveAnchor"}


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def every(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop: all() would build a generator per call
            if not check(value):
                return False
        return True

    return every


class _Compiler:
    """Compiles schemas of the spec into predicates with jsonschema's verdicts. Each node is
    compiled once (operations share their components); a ``$ref`` cycle goes through a cell
    filled in when its target is done."""

    def __init__(self, spec: dict[str, Any], keywords: set[str]) -> None:
        from jsonschema._utils import equal, uniq

        self.spec, self.equal, self.uniq = spec, equal, uniq
        self.keywords = keywords  # every keyword the reference validator acts on
        self.memo: dict[int, Check] = {}

    def compile(self, node: Any) -> Check:
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            raise _Unsupported(f"schema {node!r}")
        done = self.memo.get(id(node))
        if done is not None:
            return done
        cell: list[Check] = []
        self.memo[id(node)] = lambda x: cell[0](x)
        try:
            built = self._build(node)
        except _Unsupported:
            self.memo.clear()  # nodes compiled meanwhile may hold this node's empty cell
            raise
        cell.append(built)
        self.memo[id(node)] = built
        return built

    def _build(self, node: dict[str, Any]) -> Check:
        unknown = sorted(k for k in node if (k in self.keywords and k not in _COMPILED) or k in _SCOPING)
        if unknown:
            raise _Unsupported(f"keywords {unknown}")
        built = (self._type(node), self._string(node), self._number(node), self._object(node), self._array(node))
        checks = [check for check in built if check is not None]
        checks += [self._member([node["const"]])] if "const" in node else []
        checks += [self._member(list(node["enum"]))] if "enum" in node else []
        checks += [self._ref(node["$ref"])] if "$ref" in node else []
        checks += [self.compile(sub) for sub in node.get("allOf", [])]
        if "anyOf" in node:
            branches = [self.compile(sub) for sub in node["anyOf"]]
            checks.append(lambda x: any(branch(x) for branch in branches))
        if "oneOf" in node:
            checks.append(self._one_of(node["oneOf"]))
        return _all(checks)

    def _one_of(self, branches: list[Any]) -> Check:
        consts = [const for const in (self._bare_const(sub) for sub in branches) if const is not None]
        values = [value for (value,) in consts]
        if len(consts) == len(branches) and self.uniq(values):
            # Discord's enums: distinct constants, so "exactly one" is "one of them".
            return self._member(values)
        checks = [self.compile(sub) for sub in branches]

        def exactly_one(value: Any) -> bool:
            found = False
            for check in checks:
                if check(value):
                    if found:
                        return False
                    found = True
            return found

        return exactly_one

    def _bare_const(self, node: Any) -> tuple[Any] | None:
        """``(value,)`` when ``node`` asserts nothing but ``const`` (annotations aside)."""
        if isinstance(node, dict) and "const" in node and not any(k in self.keywords for k in node if k != "const"):
            return (node["const"],)
        return None

    def _ref(self, ref: str) -> Check:
        if not ref.startswith("#"):
            raise _Unsupported(f"$ref {ref!r}")
        return self.compile(_pointer(self.spec, ref))

    def _type(self, node: dict[str, Any]) -> Check | None:
        if "type" not in node:
            return None
        names = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if any(name not in _TYPES for name in names):
            raise _Unsupported(f"type {node['type']!r}")
        kinds = [_TYPES[name] for name in names]
        if node.get("format") == "snowflake":
            # The leniency the reference adds: a JSON integer passes as a snowflake.
            kinds.insert(0, lambda x: isinstance(x, int) and not isinstance(x, bool))
        if node.get("maximum") == PERMISSION_BITS_MAX:
            # And the other one: a permission bit set as a string of digits.
            kinds.insert(0, lambda x: isinstance(x, str) and x.isdigit())
        if len(kinds) == 1:
            return kinds[0]
        if len(kinds) == 2:
            first, second = kinds
            return lambda x: first(x) or second(x)
        return lambda x: any(kind(x) for kind in kinds)

    def _member(self, options: list[Any]) -> Check:
        """Equal to one of ``options`` as jsonschema's ``equal`` has it: True is not 1, 1 is 1.0,
        containers compare deeply."""
        if all(isinstance(option, str | int) and not isinstance(option, bool) for option in options):
            strings = frozenset(option for option in options if isinstance(option, str))
            ints = frozenset(option for option in options if isinstance(option, int))
            # A str equals only a str; a number (1.0 == 1, hashed alike) only a number, never a bool.
            return lambda x: (
                x in strings
                if isinstance(x, str)
                else isinstance(x, int | float) and not isinstance(x, bool) and x in ints
            )
        equal = self.equal
        return lambda x: any(equal(x, option) for option in options)

    def _string(self, node: dict[str, Any]) -> Check | None:
        if not any(key in node for key in ("minLength", "maxLength", "pattern")):
            return None
        shortest, longest = node.get("minLength", 0), node.get("maxLength", math.inf)
        search = re.compile(node["pattern"]).search if "pattern" in node else None

        def string(value: Any) -> bool:
            if not isinstance(value, str):
                return True
            return shortest <= len(value) <= longest and (search is None or search(value) is not None)

        return string

    def _number(self, node: dict[str, Any]) -> Check | None:
        if "minimum" not in node and "maximum" not in node:
            return None
        low, high, is_number = node.get("minimum", -math.inf), node.get("maximum", math.inf), _TYPES["number"]
        # As the reference compares: NaN is neither below nor above a bound.
        return lambda x: not is_number(x) or not (x < low or x > high)

    def _object(self, node: dict[str, Any]) -> Check | None:
        keys = ("properties", "required", "additionalProperties", "minProperties", "maxProperties")
        if not any(key in node for key in keys):
            return None
        properties = {name: self.compile(sub) for name, sub in (node.get("properties") or {}).items()}
        required = list(node.get("required") or [])
        extra = self.compile(node["additionalProperties"]) if "additionalProperties" in node else None
        fewest, most = node.get("minProperties", 0), node.get("maxProperties", math.inf)

        def mapping(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if len(value) < fewest or len(value) > most:
                return False
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                check = properties.get(name, extra)
                if check is not None and not check(item):
                    return False
            return True

        return mapping

    def _array(self, node: dict[str, Any]) -> Check | None:
        if not any(key in node for key in ("items", "minItems", "maxItems", "uniqueItems")):
            return None
        each = self.compile(node["items"]) if "items" in node else None
        fewest, most, unique, uniq = (
            node.get("minItems", 0),
            node.get("maxItems", math.inf),
            node.get("uniqueItems"),
            self.uniq,
        )

        def array(value: Any) -> bool:
            if not isinstance(value, list):
                return True
            if len(value) < fewest or len(value) > most:
                return False
            if each is not None:
                for item in value:
                    if not each(item):
                        return False
            return not (unique and not uniq(value))

        return array


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _best_error(err: Any) -> str:
    """For anyOf/oneOf failures, the message of the branch that got furthest."""
    if err.context:
        # The branch that got furthest; a "null" alternative is the least informative.
        deepest = max(err.context, key=lambda e: (len(e.absolute_path), "'null'" not in e.message, -len(e.message)))
        return f"{'/'.join(str(p) for p in deepest.absolute_path)}: {deepest.message[:300]}"
    return str(err.message)[:300]


@lru_cache(maxsize=4)
def load_validator(spec_path: str) -> SpecValidator | None:
    p = Path(spec_path)
    return SpecValidator(p) if p.is_file() else None
