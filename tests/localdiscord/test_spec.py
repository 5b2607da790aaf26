"""Spec validation: the compiled checks give jsonschema's verdicts, and messages name the field.

``SpecValidator.validate`` accepts a body on the compiled predicates alone and asks jsonschema
(the reference, ``reference_errors``) only for the messages of a rejected one. These tests hold
the two to the same verdicts: on bodies the bot sends to each route it uses, on mutations of
them, and on a small spec that exercises each keyword's corner cases."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localdiscord.spec import DEFAULT_SPEC, SpecValidator, load_validator

needs_spec = pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason="Discord's OpenAPI spec is not at ../shared/discord-openapi.json"
)

SNOWFLAKE = 1577458769711857665
BUTTON = {"type": 2, "style": 2, "disabled": False, "label": "A", "custom_id": "quiz:ans:1:0:1"}
LINK = {"type": 2, "style": 5, "disabled": False, "label": "Open resource", "url": "https://example.com/"}
SELECT = {
    "type": 3,
    "custom_id": "pick",
    "placeholder": "Pick one",
    "min_values": 1,
    "max_values": 1,
    "options": [{"label": "One", "value": "1", "default": False}, {"label": "Two", "value": "2", "description": "d"}],
}
ROWS = [{"type": 1, "components": [BUTTON, LINK]}, {"type": 1, "components": [SELECT]}]
EMBED = {
    "type": "rich",
    "title": "Quiz · 1/2 · Logistic regression",
    "description": "What does a binary logistic regression model compute?",
    "color": 5793266,
    "footer": {"text": "Level 1 · easy"},
    "fields": [{"name": "Learn more", "value": "[ESL](https://example.com/)", "inline": False}],
    "flags": 0,
}
MESSAGE = {
    "content": "hello",
    "embeds": [EMBED],
    "components": ROWS,
    "tts": False,
    "nonce": "1577458769711857665",
    "enforce_nonce": True,
    "allowed_mentions": {"parse": [], "replied_user": False},
    "message_reference": {"message_id": SNOWFLAKE, "fail_if_not_exists": False},  # discord.py sends ints
}
FOLLOWUP = {"embeds": [EMBED], "components": ROWS, "tts": False, "flags": 64}
COMMANDS: list[dict[str, Any]] = [
    {
        "name": "quiz",
        "description": "Review what's due",
        "type": 1,
        "options": [
            {"type": 3, "name": "topic", "description": "Only this topic", "required": False, "autocomplete": True},
            {"type": 4, "name": "count", "description": "How many", "required": False, "min_value": 1, "max_value": 50},
            {
                "type": 3,
                "name": "mode",
                "description": "review or cram",
                "choices": [{"name": "cram", "value": "cram"}],
            },
        ],
        "nsfw": False,
        "dm_permission": True,
        "default_member_permissions": None,
        "contexts": None,
        "integration_types": None,
    }
]
CALLBACK = "/interactions/1577458771473465372/tok-en_1/callback"
WEBHOOK = f"/webhooks/{SNOWFLAKE}/tok-en_1"

# (method, path, body): what the bot sends on each route of localdiscord/rest.py that has a body.
VALID: list[tuple[str, str, Any]] = [
    ("PUT", f"/applications/{SNOWFLAKE}/commands", COMMANDS),
    ("PUT", f"/applications/{SNOWFLAKE}/guilds/1/commands", COMMANDS),
    ("PUT", f"/applications/{SNOWFLAKE}/commands", []),
    ("POST", "/users/@me/channels", {"recipient_id": str(SNOWFLAKE)}),
    ("POST", "/users/@me/channels", {"recipient_id": SNOWFLAKE}),
    ("POST", "/channels/1/messages", MESSAGE),
    ("POST", "/channels/1/messages", {"content": "just text"}),
    ("PATCH", "/channels/1/messages/2", {"content": None, "embeds": [EMBED], "components": []}),
    ("POST", CALLBACK, {"type": 1}),
    ("POST", CALLBACK, {"type": 4, "data": {"tts": False, "embeds": [EMBED], "components": ROWS, "flags": 64}}),
    ("POST", CALLBACK, {"type": 5, "data": {"flags": 64}}),
    ("POST", CALLBACK, {"type": 6}),
    ("POST", CALLBACK, {"type": 7, "data": {"embeds": [EMBED], "components": ROWS}}),
    ("POST", CALLBACK, {"type": 8, "data": {"choices": [{"name": "Backprop (L2)", "value": "backpropagation"}]}}),
    (
        "POST",
        CALLBACK,
        {
            "type": 9,
            "data": {
                "custom_id": "note",
                "title": "Note",
                "components": [
                    {"type": 1, "components": [{"type": 4, "custom_id": "text", "style": 1, "label": "Text"}]}
                ],
            },
        },
    ),
    ("POST", WEBHOOK, FOLLOWUP),
    ("PATCH", f"{WEBHOOK}/messages/@original", FOLLOWUP),
    ("PATCH", f"{WEBHOOK}/messages/{SNOWFLAKE}", {"content": "edited", "components": []}),
]


def replaced(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    out = copy.deepcopy(body)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


# (method, path, body, what the first message must name)
INVALID: list[tuple[str, str, Any, str]] = [
    ("POST", "/channels/1/messages", {"embeds": [{"title": "x" * 257}]}, "embeds/0/title"),
    ("POST", "/channels/1/messages", {"content": "x" * 4001}, "content"),
    ("POST", "/channels/1/messages", {"embeds": [{"title": "t"}] * 11}, "embeds"),
    ("POST", "/channels/1/messages", {"tts": "yes"}, "tts"),
    ("POST", "/channels/1/messages", replaced(MESSAGE, ("message_reference", "message_id"), True), "message_id"),
    ("POST", "/channels/1/messages", replaced(MESSAGE, ("message_reference", "message_id"), 1.0), "message_id"),
    ("POST", "/channels/1/messages", replaced(MESSAGE, ("message_reference", "message_id"), "12a"), "message_id"),
    ("POST", "/channels/1/messages", replaced(MESSAGE, ("allowed_mentions", "parse"), ["all"]), "parse/0"),
    ("POST", "/channels/1/messages", replaced(MESSAGE, ("components", 0, "components", 0, "style"), 9), "components/0"),
    ("PATCH", "/channels/1/messages/2", {"flags": "x"}, "flags"),
    ("POST", CALLBACK, {"type": 4, "data": {"content": "x" * 2001}}, "data/content"),
    ("POST", CALLBACK, {"type": 42}, "type"),
    ("POST", CALLBACK, {"type": 9, "data": {"custom_id": "m", "title": "T", "components": []}}, "data/components"),
    ("POST", WEBHOOK, {"embeds": [{"description": "d" * 4097}]}, "embeds/0/description"),
    ("POST", WEBHOOK, replaced(FOLLOWUP, ("flags",), "64"), "flags"),
    ("PATCH", f"{WEBHOOK}/messages/@original", replaced(FOLLOWUP, ("embeds", 0, "color"), "red"), "embeds"),
    ("PUT", f"/applications/{SNOWFLAKE}/commands", replaced(COMMANDS, (0, "description"), "d" * 101), "0/description"),
    (
        "PUT",
        f"/applications/{SNOWFLAKE}/guilds/1/commands",
        replaced(COMMANDS, (0, "options", 0, "type"), 99),
        "0/options/0",
    ),
    ("PUT", f"/applications/{SNOWFLAKE}/commands", [{"name": "q", "description": "d"}] * 131, "(body)"),
    ("POST", "/users/@me/channels", {"recipient_id": False}, "recipient_id"),
]


@pytest.fixture(scope="module")
def spec() -> SpecValidator:
    if not DEFAULT_SPEC.is_file():
        pytest.skip("Discord's OpenAPI spec is not at ../shared/discord-openapi.json")
    validator = load_validator(str(DEFAULT_SPEC))
    assert validator is not None
    return validator


def label(case: tuple[Any, ...]) -> str:
    return f"{case[0]} {case[1]} {json.dumps(case[2])[:60]}"


@needs_spec
@pytest.mark.parametrize("case", VALID, ids=label)
def test_bodies_the_bot_sends_are_accepted(spec: SpecValidator, case: tuple[str, str, Any]) -> None:
    method, path, body = case
    assert spec.reference_errors(method, path, body) == []
    assert spec.compiled_verdict(method, path, body) is True
    assert spec.validate(method, path, body) == []


@needs_spec
@pytest.mark.parametrize("case", INVALID, ids=label)
def test_invalid_bodies_are_rejected_naming_the_field(spec: SpecValidator, case: tuple[str, str, Any, str]) -> None:
    method, path, body, field = case
    assert spec.compiled_verdict(method, path, body) is False
    found = spec.validate(method, path, body)
    assert found, body
    assert found == spec.reference_errors(method, path, body)
    assert str(found[0]).startswith(f"{method} {path}: ") and field in str(found[0]), str(found[0])


@needs_spec
def test_accepting_builds_no_jsonschema_validator() -> None:
    """Valid bodies are settled by the compiled checks: jsonschema (its validators, their
    child validators and errors) is not involved until a body is rejected."""
    fresh = SpecValidator(DEFAULT_SPEC)
    for method, path, body in VALID:
        assert fresh.validate(method, path, body) == []
    assert fresh._cache == {}
    fresh.validate("POST", "/channels/1/messages", {"tts": "yes"})
    assert len(fresh._cache) == 1


@needs_spec
def test_every_operation_with_a_json_body_is_compiled(spec: SpecValidator) -> None:
    """No operation falls back to jsonschema alone (which is correct but ~50x slower)."""
    fallbacks = [
        f"{method} {template}"
        for template, item in spec.spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and spec._body_schema(method.upper(), template) is not None
        if spec._check(method.upper(), template) is None
    ]
    assert fallbacks == []


MUTANTS: list[Any] = [None, True, 0, -1, 1.0, 2**70, "", "1234", "x" * 4001, [], {}, [None]]


def mutations(body: Any) -> Iterator[Any]:
    """Every node of ``body`` replaced by each mutant, dropped, doubled, or given a stranger."""
    stack: list[tuple[Any, ...]] = [()]
    while stack:
        path = stack.pop()
        node = body
        for part in path:
            node = node[part]
        if isinstance(node, dict):
            stack += [(*path, key) for key in node]
        elif isinstance(node, list):
            stack += [(*path, index) for index in range(len(node))]
        if not path:
            continue
        for mutant in MUTANTS:
            yield replaced(body, path, mutant)
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        changed = copy.deepcopy(body)
        target = changed
        for part in path[:-1]:
            target = target[part]
        if isinstance(parent, dict):
            del target[path[-1]]
            yield changed
            yield replaced(body, (*path[:-1], "unexpected"), 1)
        else:
            target.append(copy.deepcopy(target[path[-1]]))
            yield changed


# Small bodies with each structure the routes take (jsonschema is slow on the invalid ones).
MUTATED: list[tuple[str, str, Any]] = [
    (
        "POST",
        "/channels/1/messages",
        {
            "content": "hi",
            "embeds": [{"title": "t", "color": 1, "fields": [{"name": "n", "value": "v"}]}],
            "components": [{"type": 1, "components": [BUTTON]}],
            "message_reference": {"message_id": SNOWFLAKE},
        },
    ),
    ("POST", CALLBACK, {"type": 4, "data": {"flags": 64, "components": [{"type": 1, "components": [SELECT]}]}}),
    ("POST", CALLBACK, {"type": 8, "data": {"choices": [{"name": "a", "value": "b"}]}}),
    ("POST", WEBHOOK, {"embeds": [{"footer": {"text": "f"}}], "components": [{"type": 1, "components": [LINK]}]}),
    (
        "PUT",
        f"/applications/{SNOWFLAKE}/commands",
        [{"name": "q", "description": "d", "options": [COMMANDS[0]["options"][1]]}],
    ),
    ("POST", "/users/@me/channels", {"recipient_id": "1"}),
]


@needs_spec
@pytest.mark.parametrize("case", MUTATED, ids=label)
def test_compiled_verdict_matches_jsonschema_on_mutations(spec: SpecValidator, case: tuple[str, str, Any]) -> None:
    method, path, body = case
    disagree, rejected = [], 0
    for mutant in mutations(body):
        reference = not spec.reference_errors(method, path, mutant)
        rejected += not reference
        if spec.compiled_verdict(method, path, mutant) is not reference:
            disagree.append(json.dumps(mutant)[:300])
    assert disagree == []
    assert rejected  # the mutations do reach rejections


# A small spec for each compiled keyword's corner cases, checked against jsonschema.
MINI_SCHEMAS: dict[str, Any] = {
    "Snowflake": {"type": "string", "pattern": "^(0|[1-9][0-9]*)$", "format": "snowflake"},
    "Node": {  # recursive, as Discord's components are
        "type": "object",
        "properties": {
            "id": {"$ref": "#/components/schemas/Snowflake"},
            "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
        "required": ["id"],
        "additionalProperties": False,
    },
    "Kind": {"type": "integer", "oneOf": [{"title": "A", "const": 1}, {"title": "B", "const": 2}], "format": "int32"},
    "Both": {"oneOf": [{"type": "integer"}, {"type": "number"}]},  # an int is valid under both
    "Consts": {"oneOf": [{"const": 1}, {"const": 1.0}]},  # equal constants: never exactly one
    "Mixed": {"enum": [1, "1", None, True, [1, 2], {"a": 1}]},
    "Bounded": {"type": ["number", "string", "null"], "minimum": 1, "maximum": 10, "minLength": 2, "maxLength": 3},
    "Unique": {"type": "array", "uniqueItems": True, "minItems": 1, "maxItems": 4},
    "Bag": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 1, "maxProperties": 2},
    "Any": {"anyOf": [{"type": "string", "maxLength": 1}, {"allOf": [{"type": "integer"}, {"minimum": 5}]}]},
    "Sibling": {
        "$ref": "#/components/schemas/Snowflake",
        "maxLength": 3,
        "description": "$ref siblings apply in 2020-12",
    },
}
MINI_BODIES: dict[str, list[Any]] = {
    "Snowflake": ["1", "0", "01", "1a", 12, True, False, 1.0, [None], [], -5],
    "Node": [
        {"id": 1},
        {"id": None},
        {"id": "1", "kids": [None]},
        {"id": "1", "kids": [{"id": 2, "kids": []}]},
        {"id": "1", "kids": [{"id": "x"}]},
        {"id": "1", "kids": [{}]},
        {"id": 1, "x": 1},
        {},
        [],
    ],
    "Kind": [1, 2, 3, 1.0, 2.5, True, "1", [1]],
    "Both": [1, 1.5, 1.0, True, "1"],
    "Consts": [1, 1.0, 2, True],
    "Mixed": [1, 1.0, "1", True, False, 0, [1, 2], [2, 1], [1.0, 2], {"a": 1}, {"a": True}, "x"],
    "Bounded": [0, 1, 10, 10.5, "a", "ab", "abcd", True, [], 5],
    "Unique": [
        [1, 2],
        [1, 1],
        [1, 1.0],
        [1, True],
        [0, False],
        [[1], [True]],
        [{"a": 1}, {"a": 1}],
        ["a", "b", "a"],
        [],
        [1, 2, 3, 4, 5],
        "no",
    ],
    "Bag": [{"a": 1}, {"a": 1, "b": 2}, {"a": 1, "b": 2, "c": 3}, {}, {"a": "1"}, {"a": 1.0}, {"a": True}, 7],
    "Any": ["", "a", "ab", 5, 4, 5.0, True, [None]],
    "Sibling": ["123", "1234", 1234, "12x"],
}


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> SpecValidator:
    paths = {
        f"/mini/{name.lower()}": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
            }
        }
        for name in MINI_SCHEMAS
    }
    path = tmp_path_factory.mktemp("spec") / "mini.json"
    path.write_text(json.dumps({"openapi": "3.1.0", "paths": paths, "components": {"schemas": MINI_SCHEMAS}}))
    return SpecValidator(path)


@pytest.mark.parametrize("name", MINI_BODIES)
def test_keyword_corner_cases_match_jsonschema(mini: SpecValidator, name: str) -> None:
    route = f"/mini/{name.lower()}"
    for body in MINI_BODIES[name]:
        reference = mini.reference_errors("POST", route, body)
        assert mini.compiled_verdict("POST", route, body) is (not reference), (name, body, reference)
        assert mini.validate("POST", route, body) == reference
    # The null the corner cases leave out: a body of None is no body, which nothing checks.
    assert mini.compiled_verdict("POST", route, None) is None


def test_snowflake_leniency(mini: SpecValidator) -> None:
    assert mini.validate("POST", "/mini/snowflake", 1577458769711857665) == []
    assert mini.validate("POST", "/mini/snowflake", "1577458769711857665") == []
    for not_an_id in (True, 1.0, "01", "12a"):
        assert mini.validate("POST", "/mini/snowflake", not_an_id), not_an_id


def test_a_keyword_the_compiler_lacks_leaves_the_operation_to_jsonschema(tmp_path: Path) -> None:
    schema = {"type": "integer", "multipleOf": 3}
    paths = {"/odd": {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}}}}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"openapi": "3.1.0", "paths": paths}))
    odd = SpecValidator(path)
    assert odd.compiled_verdict("POST", "/odd", 4) is None
    assert odd.validate("POST", "/odd", 6) == []
    found = odd.validate("POST", "/odd", 4)
    assert found and "not a multiple of 3" in str(found[0])


def test_routes_and_methods_outside_the_spec(mini: SpecValidator) -> None:
    assert "no such route" in str(mini.validate("POST", "/nope", {})[0])
    assert "method not allowed" in str(mini.validate("DELETE", "/mini/node", None)[0])
    assert mini.validate("POST", "/mini/node", None) == []  # no body: nothing to check
