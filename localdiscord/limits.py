"""Discord's body limits, enforced on every message-like payload (no spec needed).

The error codes and messages are Discord's where known (``BASE_TYPE_MAX_LENGTH``,
``ENUM_TYPE_COERCE``, ...); where Discord's exact wording is not documented (a select's
``min_values`` above its option count, too many default options) the problem is reported at
the same field in the same shape, with Discord's wording as far as it is known."""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]
Problem = tuple[Path, str, str]


PERMISSION_BITS_MAX = (1 << 54) - 1  # the spec's maximum for a permission bit set


def _max(problems: list[Problem], path: Path, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append((path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def _int_range(problems: list[Problem], path: Path, value: Any, low: int, high: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append((path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.'))
    elif value < low:
        problems.append((path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}."))
    elif value > high:
        problems.append((path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}."))


def _enum_list(problems: list[Problem], path: Path, value: Any, allowed: tuple[int, ...]) -> None:
    """A list of enum values (a command's ``contexts`` or ``integration_types``), or null."""
    if value is None:
        return
    if not isinstance(value, list):
        problems.append((path, "BASE_TYPE_LIST", "Must be a list."))
        return
    if not value:
        problems.append((path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
    for i, item in enumerate(value):
        if isinstance(item, bool) or item not in allowed:
            problems.append(((*path, i), "ENUM_TYPE_COERCE", f'Value "{item}" is not a valid enum value.'))


def _permission_bits(problems: list[Problem], path: Path, value: Any) -> None:
    """A permission bit set: Discord documents a string of digits and accepts an integer."""
    if value is None:
        return
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append((path, "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.'))
    else:
        _int_range(problems, path, value, 0, PERMISSION_BITS_MAX)


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
            if c.get("type") in (3, 5, 6, 7, 8):
                check_select_counts(c, q, problems)
            if c.get("type") == 3:
                check_string_options(c, q, problems)


def check_string_options(select: dict[str, Any], path: Path, problems: list[Problem]) -> None:
    """A string select's 1–25 options: label, value and description ≤ 100, values unique."""
    opts = select.get("options") or []
    if not 1 <= len(opts) <= 25:
        problems.append(((*path, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."))
    values: set[str] = set()
    for k, o in enumerate(opts):
        for key in ("label", "value", "description"):
            _max(problems, (*path, "options", k, key), o.get(key), 100)
        if o.get("value") in values:
            problems.append(
                (
                    (*path, "options", k, "value"),
                    "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                    "Option values must be unique",
                )
            )
        values.add(o.get("value"))


def check_select_counts(select: dict[str, Any], path: Path, problems: list[Problem]) -> None:
    """``min_values`` 0–25 and ``max_values`` 1–25 (both default 1), ``min_values`` no more than
    ``max_values`` nor, for string selects, than the options; no more defaults than ``max_values``."""
    low, high = select.get("min_values"), select.get("max_values")
    _int_range(problems, (*path, "min_values"), low, 0, 25)
    _int_range(problems, (*path, "max_values"), high, 1, 25)
    low = low if isinstance(low, int) else 1
    high = high if isinstance(high, int) else 1
    if low > high:
        problems.append(((*path, "min_values"), "BASE_TYPE_MAX", f"min_values must be equal to or less than {high}"))
    if select.get("type") != 3:
        return
    options = select.get("options") or []
    if options and low > len(options):
        problems.append(
            ((*path, "min_values"), "BASE_TYPE_MAX", f"min_values must be equal to or less than {len(options)}")
        )
    if options and high > len(options):
        problems.append(
            ((*path, "max_values"), "BASE_TYPE_MAX", f"max_values must be equal to or less than {len(options)}")
        )
    defaults = sum(1 for o in options if o.get("default"))
    if defaults > high:
        problems.append(
            ((*path, "options"), "BASE_TYPE_MAX_LENGTH", f"Must have {high} or fewer default options selected.")
        )


def check_modal(data: dict[str, Any]) -> list[Problem]:
    """A MODAL callback's data: custom_id ≤ 100, title ≤ 45, 1–5 components, each an action row
    holding one text input (or a label around one text input or string select, or a text
    display); a text input has a custom_id ≤ 100, style 1 or 2, label ≤ 45, min_length 0–4000,
    max_length 1–4000, a value no longer than max_length (and 4000) and a placeholder ≤ 100.
    Ids are unique in the modal."""
    problems: list[Problem] = []
    for key, limit in (("custom_id", 100), ("title", 45)):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            problems.append(((key,), "BASE_TYPE_REQUIRED", "This field is required"))
        else:
            _max(problems, (key,), value, limit)
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        problems.append((("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
    ids: set[str] = set()
    for i, row in enumerate(rows):
        path: Path = ("components", i)
        if row.get("type") == 1:
            children = row.get("components") or []
            if len(children) != 1:
                problems.append(((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 1 in length."))
            for j, child in enumerate(children):
                _check_text_input(child, (*path, "components", j), problems, ids, labelled=False)
        elif row.get("type") == 18:  # a label around one component
            _max(problems, (*path, "label"), row.get("label"), 45)
            _max(problems, (*path, "description"), row.get("description"), 100)
            child = row.get("component") or {}
            if child.get("type") == 3:  # a string select, only inside a label
                _check_modal_select(child, (*path, "component"), problems, ids)
            else:
                _check_text_input(child, (*path, "component"), problems, ids, labelled=True)
        elif row.get("type") != 10:  # a text display needs no checks here
            problems.append(
                ((*path, "type"), "UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1, 10, 18).')
            )
    return problems


def _check_modal_id(comp: dict[str, Any], path: Path, problems: list[Problem], ids: set[str]) -> None:
    """A modal component's custom_id: present, ≤ 100 characters, unique in the modal."""
    cid = comp.get("custom_id")
    if not isinstance(cid, str) or not cid:
        problems.append(((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required"))
    else:
        _max(problems, (*path, "custom_id"), cid, 100)
        if cid in ids:
            problems.append(
                ((*path, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
            )
        ids.add(cid)


def _check_modal_select(comp: dict[str, Any], path: Path, problems: list[Problem], ids: set[str]) -> None:
    """A string select in a modal's label: a unique custom_id ≤ 100, placeholder ≤ 150, its
    options and value counts as in messages; ``disabled`` is not allowed in modals."""
    _check_modal_id(comp, path, problems, ids)
    _max(problems, (*path, "placeholder"), comp.get("placeholder"), 150)
    if comp.get("disabled"):
        problems.append(((*path, "disabled"), "COMPONENT_INVALID", "Selects in modals cannot be disabled."))
    check_select_counts(comp, path, problems)
    check_string_options(comp, path, problems)


def _check_text_input(
    comp: dict[str, Any], path: Path, problems: list[Problem], ids: set[str], *, labelled: bool
) -> None:
    if comp.get("type") != 4:
        problems.append(((*path, "type"), "UNION_TYPE_CHOICES", "Only text inputs (type 4) are supported here."))
        return
    _check_modal_id(comp, path, problems, ids)
    if comp.get("style") not in (1, 2):
        problems.append(
            ((*path, "style"), "ENUM_TYPE_COERCE", f'Value "{comp.get("style")}" is not a valid enum value.')
        )
    label = comp.get("label")
    if not labelled and not label:
        problems.append(((*path, "label"), "BASE_TYPE_REQUIRED", "This field is required"))
    _max(problems, (*path, "label"), label, 45)
    _max(problems, (*path, "placeholder"), comp.get("placeholder"), 100)
    _int_range(problems, (*path, "min_length"), comp.get("min_length"), 0, 4000)
    _int_range(problems, (*path, "max_length"), comp.get("max_length"), 1, 4000)
    low, high = comp.get("min_length"), comp.get("max_length")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(((*path, "min_length"), "BASE_TYPE_MAX", f"min_length must be equal to or less than {high}"))
    value = comp.get("value")
    _max(problems, (*path, "value"), value, high if isinstance(high, int) and 1 <= high <= 4000 else 4000)


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


def check_commands(commands: list[dict[str, Any]], app_installs: tuple[int, ...] = (0, 1)) -> list[Problem]:
    """Names, descriptions, options and choices; and, on each command, ``contexts`` (0, 1, 2),
    ``integration_types`` (0, 1, and only installs the app supports, ``app_installs``) and
    ``default_member_permissions`` (a permission bit set, or null)."""
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
        _enum_list(problems, (i, "contexts"), cmd.get("contexts"), (0, 1, 2))
        _enum_list(problems, (i, "integration_types"), cmd.get("integration_types"), (0, 1))
        for j, kind in enumerate(cmd.get("integration_types") or []):
            if kind in (0, 1) and kind not in app_installs:
                problems.append(
                    (
                        (i, "integration_types", j),
                        "APPLICATION_COMMAND_INTEGRATION_TYPE_NOT_SUPPORTED",
                        f"The application does not support the installation context {kind}.",
                    )
                )
        _permission_bits(problems, (i, "default_member_permissions"), cmd.get("default_member_permissions"))
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
