"""Discord's body limits, enforced on every message-like payload (no spec needed)."""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]
Problem = tuple[Path, str, str]


def _max(problems: list[Problem], path: Path, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append((path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def embed_length(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def check_embeds(embeds: list[dict[str, Any]], problems: list[Problem]) -> None:
    if len(embeds) > 10:
        problems.append((("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    total = 0
    for i, e in enumerate(embeds):
        p: Path = ("embeds", i)
        _max(problems, (*p, "title"), e.get("title"), 256)
        _max(problems, (*p, "description"), e.get("description"), 4096)
        _max(problems, (*p, "footer", "text"), (e.get("footer") or {}).get("text"), 2048)
        _max(problems, (*p, "author", "name"), (e.get("author") or {}).get("name"), 256)
        fields = e.get("fields") or []
        if len(fields) > 25:
            problems.append(((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for j, f in enumerate(fields):
            _max(problems, (*p, "fields", j, "name"), f.get("name"), 256)
            _max(problems, (*p, "fields", j, "value"), f.get("value"), 1024)
            for key in ("name", "value"):
                if not (f.get(key) or "").strip():
                    problems.append(((*p, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required"))
        total += embed_length(e)
    if total > 6000:
        problems.append((("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))


def check_components(rows: list[dict[str, Any]], problems: list[Problem]) -> None:
    if len(rows) > 5:
        problems.append((("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
    ids: set[str] = set()
    for i, row in enumerate(rows):
        p: Path = ("components", i)
        if row.get("type") != 1:
            problems.append(((*p, "type"), "UNION_TYPE_CHOICES", "Top-level components must be action rows."))
            continue
        children = row.get("components") or []
        if not children:
            problems.append(((*p, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
        selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
        if selects and len(children) > 1:
            problems.append(
                ((*p, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select must be alone in its row.")
            )
        if len(children) > 5:
            problems.append(((*p, "components"), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
        for j, c in enumerate(children):
            q: Path = (*p, "components", j)
            cid = c.get("custom_id")
            if c.get("type") == 2 and c.get("style") == 5:
                if not c.get("url"):
                    problems.append(((*q, "url"), "BASE_TYPE_REQUIRED", "This field is required"))
            elif cid is None:
                problems.append(((*q, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required"))
            else:
                _max(problems, (*q, "custom_id"), cid, 100)
                if cid in ids:
                    problems.append(
                        (
                            (*q, "custom_id"),
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "Component custom id cannot be duplicated",
                        )
                    )
                ids.add(cid)
            _max(problems, (*q, "label"), c.get("label"), 80)
            _max(problems, (*q, "placeholder"), c.get("placeholder"), 150)
            if c.get("type") == 3:
                opts = c.get("options") or []
                if not 1 <= len(opts) <= 25:
                    problems.append(((*q, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."))
                values: set[str] = set()
                for k, o in enumerate(opts):
                    for key in ("label", "value", "description"):
                        _max(problems, (*q, "options", k, key), o.get(key), 100)
                    if o.get("value") in values:
                        problems.append(
                            (
                                (*q, "options", k, "value"),
                                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                "Option values must be unique",
                            )
                        )
                    values.add(o.get("value"))


def check_message(body: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    _max(problems, ("content",), body.get("content"), 2000)
    check_embeds(body.get("embeds") or [], problems)
    check_components(body.get("components") or [], problems)
    return problems


def check_autocomplete(choices: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(choices) > 25:
        problems.append((("choices",), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    for i, c in enumerate(choices):
        _max(problems, ("choices", i, "name"), c.get("name"), 100)
        _max(problems, ("choices", i, "value"), c.get("value"), 100)
    return problems


def check_commands(commands: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []

    def check(cmd: dict[str, Any], p: Path) -> None:
        name = cmd.get("name") or ""
        if not 1 <= len(name) <= 32 or name != name.lower():
            problems.append(((*p, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid command name"))
        desc = cmd.get("description")
        if cmd.get("type", 1) == 1 and (desc is None or not 1 <= len(desc) <= 100):
            problems.append(((*p, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
        opts = cmd.get("options") or []
        if len(opts) > 25:
            problems.append(((*p, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        for i, o in enumerate(opts):
            check(o, (*p, "options", i))
            if len(o.get("choices") or []) > 25:
                problems.append(
                    ((*p, "options", i, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
                )

    for i, cmd in enumerate(commands):
        check(cmd, (i,))
    return problems


def form_errors(problems: list[Problem]) -> dict[str, Any]:
    """Discord's 400 'Invalid Form Body' shape."""
    errors: dict[str, Any] = {}
    for path, code, message in problems:
        node = errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
