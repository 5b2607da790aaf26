"""A modal as the Discord client fills it in: what it refuses to send, and the MODAL_SUBMIT data.

The submission carries the modal's ``custom_id`` and, for each text input, a row of the
kind it came in (an action row, type 1, or a label, type 18) holding ``{"type": 4,
"custom_id", "value"}`` (components/reference, "Text Input Interaction"); for a string select
in a label, ``{"type": 18, "component": {"type": 3, "custom_id", "values"}}`` ("String Select
Interaction"). Text displays send nothing back here."""

from __future__ import annotations

from typing import Any

from localdiscord.users import InvalidOption


def text_inputs(modal: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Each text input of ``modal`` with the type of the row it sits in (1 or 18)."""
    found = []
    for row in modal.get("components") or []:
        if row.get("type") == 1:
            found += [(1, comp) for comp in row.get("components") or [] if comp.get("type") == 4]
        elif row.get("type") == 18 and (row.get("component") or {}).get("type") == 4:
            found.append((18, row["component"]))
    return found


def selects(modal: dict[str, Any]) -> list[dict[str, Any]]:
    """Each string select of ``modal`` (they sit in labels)."""
    return [
        row["component"]
        for row in modal.get("components") or []
        if row.get("type") == 18 and (row.get("component") or {}).get("type") == 3
    ]


def check_choice(comp: dict[str, Any], values: Any) -> list[str]:
    """Refuse, as the client does, picks it would not send: unknown options, too few or too
    many. A select left out sends its default options."""
    name = comp["custom_id"]
    offered = [o.get("value") for o in comp.get("options") or []]
    if values is None:
        values = [o.get("value") for o in comp.get("options") or [] if o.get("default")]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidOption(f"select {name!r} takes a list of option values, not {values!r}")
    unknown = [v for v in values if v not in offered]
    if unknown:
        raise InvalidOption(f"select {name!r} has no option {unknown[0]!r}; it offers {offered}")
    low = comp.get("min_values", 1)
    high = comp.get("max_values", 1)
    if comp.get("required") is not False and not values:
        raise InvalidOption(f"select {name!r} is required")
    if values and not low <= len(values) <= high:
        raise InvalidOption(f"select {name!r} takes {low}–{high} options, not {len(values)}")
    return values


def check_value(comp: dict[str, Any], value: Any) -> None:
    """Refuse, as the client does, a value it would not let the user submit."""
    name = comp.get("label") or comp["custom_id"]
    if not isinstance(value, str):
        raise InvalidOption(f"text input {name!r} takes text, not {value!r}")
    required = comp.get("required") is not False
    if not value:
        if required:
            raise InvalidOption(f"text input {name!r} is required")
        return
    low = comp.get("min_length") or 0
    high = comp.get("max_length") or 4000
    if len(value) < low:
        raise InvalidOption(f"text input {name!r} needs at least {low} characters, not {len(value)}")
    if len(value) > high:
        raise InvalidOption(f"text input {name!r} takes at most {high} characters, not {len(value)}")
    if comp.get("style") == 1 and "\n" in value:
        raise InvalidOption(f"text input {name!r} is a single line")


def submission(modal: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of the MODAL_SUBMIT interaction for ``values`` typed into ``modal`` (text for
    a text input, a list of option values for a select), in the modal's order."""
    inputs, picks = text_inputs(modal), selects(modal)
    known = {comp["custom_id"] for _, comp in inputs} | {comp["custom_id"] for comp in picks}
    unknown = sorted(set(values) - known)
    if unknown:
        raise AssertionError(f"modal {modal.get('custom_id')!r} has no inputs {unknown}; it has {sorted(known)}")
    kinds = {id(comp): kind for kind, comp in inputs}
    rows: list[dict[str, Any]] = []
    for row in modal.get("components") or []:
        for comp in row.get("components") or [row.get("component") or {}]:
            entry: dict[str, Any]
            if id(comp) in kinds:
                value = values.get(comp["custom_id"], comp.get("value") or "")
                check_value(comp, value)
                entry = {"type": 4, "custom_id": comp["custom_id"], "value": value}
            elif any(comp is pick for pick in picks):
                entry = {
                    "type": 3,
                    "custom_id": comp["custom_id"],
                    "values": check_choice(comp, values.get(comp["custom_id"])),
                }
            else:
                continue
            if comp.get("id") is not None:
                entry["id"] = comp["id"]
            rows.append(
                {"type": 1, "components": [entry]} if row.get("type") == 1 else {"type": 18, "component": entry}
            )
    return {"custom_id": modal["custom_id"], "components": rows}
