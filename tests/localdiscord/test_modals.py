"""Modals (the bot's limits, a user's submission) and select menus (limits, what a user may pick)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from localdiscord import InvalidOption, LocalDiscord
from localdiscord.spec import DEFAULT_SPEC
from tests.localdiscord.fakebot import FakeBot


def text_input(custom_id: str = "tz", **extra: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Time zone", **extra}


def modal(*inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    rows = [{"type": 1, "components": [comp]} for comp in inputs or (text_input(),)]
    return {"custom_id": "settings", "title": "Your time zone", "components": rows, **extra}


COMMANDS = [{"name": "settings", "description": "d"}]


def opens(bot: FakeBot, form: dict[str, Any]) -> list[Any]:
    """Answer commands and clicks with ``form``, modal submits with a message; collect the statuses."""
    statuses: list[Any] = []

    async def answer(it: dict[str, Any]) -> None:
        if it["type"] == 5:
            statuses.append(await bot.callback(it, {"type": 4, "data": {"content": "saved", "flags": 64}}))
        else:
            statuses.append(await bot.callback(it, {"type": 9, "data": form}))

    bot.answer = answer
    return statuses


BAD_MODALS: list[tuple[dict[str, Any], list[str]]] = [
    (modal(title="t" * 46), ["title"]),
    (modal(custom_id="c" * 101), ["custom_id"]),
    (modal(*(text_input(f"i{n}") for n in range(6))), ["components"]),
    ({"custom_id": "m", "title": "t", "components": []}, ["components"]),
    (
        {"custom_id": "m", "title": "t", "components": [{"type": 1, "components": [text_input("a"), text_input("b")]}]},
        ["components", "0", "components"],
    ),
    (modal(text_input(label="L" * 46)), ["components", "0", "components", "0", "label"]),
    (modal(text_input(style=3)), ["components", "0", "components", "0", "style"]),
    (modal(text_input(min_length=4001)), ["components", "0", "components", "0", "min_length"]),
    (modal(text_input(max_length=0)), ["components", "0", "components", "0", "max_length"]),
    (modal(text_input(max_length=5, value="too long")), ["components", "0", "components", "0", "value"]),
    (modal(text_input(placeholder="p" * 101)), ["components", "0", "components", "0", "placeholder"]),
    (modal(text_input(custom_id="x" * 101)), ["components", "0", "components", "0", "custom_id"]),
    (modal(text_input("same"), text_input("same")), ["components", "1", "components", "0", "custom_id"]),
    (
        modal({"type": 2, "style": 1, "label": "button", "custom_id": "b"}),
        ["components", "0", "components", "0", "type"],
    ),
]


@pytest.mark.parametrize(("form", "path"), BAD_MODALS)
async def test_modal_limits(ld: LocalDiscord, bot: FakeBot, form: dict[str, Any], path: list[str]) -> None:
    ld.validator = None  # the server's own checks, without the spec
    statuses = opens(bot, form)
    with pytest.raises(AssertionError, match="did not answer"):
        await ld.slash(ld.create_user("u"), "settings", timeout=0.3)
    await bot.idle()
    [(status, err)] = statuses
    assert status == 400 and err["code"] == 50035 and err["message"] == "Invalid Form Body"
    node = err["errors"]["data"]
    for part in path:
        node = node[part]
    assert node["_errors"][0]["code"]
    assert all(i.modal is None for i in ld.interactions.values())
    ld.violations.clear()


@pytest.mark.skipif(
    not DEFAULT_SPEC.is_file(), reason="Discord's OpenAPI spec is not at ../shared/discord-openapi.json"
)
async def test_a_valid_modal_passes_the_spec_too(ld: LocalDiscord, bot: FakeBot) -> None:
    form = modal(text_input(min_length=2, max_length=64, placeholder="Europe/Berlin", required=True))
    opens(bot, form)
    it = await ld.slash(ld.create_user("u"), "settings")
    assert it.modal == form and it.callback_type == 9
    ld.assert_clean()


async def test_submit_a_modal_opened_by_a_command(ld: LocalDiscord, bot: FakeBot) -> None:
    ann = ld.create_user("ann", locale="fr")
    form = modal(
        text_input("tz", min_length=2, max_length=20),
        text_input("note", style=2, required=False, label="Note"),
        text_input("city", value="Paris", label="City"),
    )
    statuses = opens(bot, form)
    opened = await ld.slash(ann, "settings")
    done = await ld.submit_modal(ann, opened, {"tz": "Europe/Paris", "note": "two\nlines"})
    submit = bot.interactions[-1]
    assert submit["type"] == 5 and submit["locale"] == "fr" and "message" not in submit
    assert submit["data"] == {
        "custom_id": "settings",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "tz", "value": "Europe/Paris"}]},
            {"type": 1, "components": [{"type": 4, "custom_id": "note", "value": "two\nlines"}]},
            {"type": 1, "components": [{"type": 4, "custom_id": "city", "value": "Paris"}]},  # pre-filled
        ],
    }
    assert submit["context"] == 1 and submit["authorizing_integration_owners"] == {"0": "0"}
    assert done.reply is not None and done.reply.content == "saved" and done.reply.ephemeral
    assert [status for status, _ in statuses] == [200, 200]
    with pytest.raises(AssertionError, match="already submitted"):
        await ld.submit_modal(ann, opened, {"tz": "UTC"})


async def test_submit_refuses_what_the_client_would_not_send(ld: LocalDiscord, bot: FakeBot) -> None:
    ann, ben = ld.create_user("ann"), ld.create_user("ben")
    form = modal(text_input("tz", min_length=3, max_length=10), text_input("note", required=False, min_length=5))
    opens(bot, form)
    opened = await ld.slash(ann, "settings")
    for values, why in (
        ({}, "is required"),
        ({"tz": ""}, "is required"),
        ({"tz": "ab"}, "at least 3"),
        ({"tz": "x" * 11}, "at most 10"),
        ({"tz": "a\nb\nc"}, "single line"),
        ({"tz": "UTC", "note": "hey"}, "at least 5"),  # optional, but not too short once filled
    ):
        with pytest.raises(InvalidOption, match=why):
            await ld.submit_modal(ann, opened, values)
    with pytest.raises(AssertionError, match="no inputs"):
        await ld.submit_modal(ann, opened, {"tz": "UTC", "nope": "x"})
    with pytest.raises(AssertionError, match="only ann sees"):
        await ld.submit_modal(ben, opened, {"tz": "UTC"})
    await ld.submit_modal(ann, opened, {"tz": "UTC"})  # the optional note left empty is fine
    assert bot.interactions[-1]["data"]["components"][1]["components"][0]["value"] == ""


async def test_a_modal_from_a_button_carries_its_message(ld: LocalDiscord, bot: FakeBot) -> None:
    ann = ld.create_user("ann")
    guild = await ld.create_guild("g")
    await ld.add_member(guild, ann)
    channel = next(iter(guild.channels.values()))
    row = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Type it", "custom_id": "type"}]}

    async def answer(it: dict[str, Any]) -> None:
        if it["type"] == 2:
            await bot.callback(it, {"type": 4, "data": {"content": "pick", "components": [row]}})
        elif it["type"] == 3:
            await bot.callback(it, {"type": 9, "data": modal()})
        else:
            await bot.callback(it, {"type": 7, "data": {"content": "set", "components": []}})

    bot.answer = answer
    it = await ld.slash(ann, "settings", channel=channel)
    assert it.original is not None
    click = await ld.click(ann, it.original, "Type it")
    await ld.submit_modal(ann, click, {"tz": "UTC"})
    submit = bot.interactions[-1]
    assert submit["message"]["id"] == str(it.original.id) and submit["context"] == 0
    assert submit["authorizing_integration_owners"] == {"0": str(guild.id)} and submit["guild_id"] == str(guild.id)
    assert it.original.content == "set"  # a modal submit from a component may update its message


async def test_callback_types_per_interaction(ld: LocalDiscord, bot: FakeBot) -> None:
    ld.validator = None
    statuses: list[Any] = []

    async def answer(it: dict[str, Any]) -> None:
        if it["type"] == 5:
            statuses.append(await bot.callback(it, {"type": 9, "data": modal()}))  # no modal for a modal
            await bot.reply(it)
        else:
            await bot.callback(it, {"type": 9, "data": modal()})

    bot.answer = answer
    ann = ld.create_user("ann")
    opened = await ld.slash(ann, "settings")
    await ld.submit_modal(ann, opened, {"tz": "UTC"})
    [(status, err)] = statuses
    assert status == 400 and err["errors"]["type"]["_errors"][0]["code"] == "BASE_TYPE_CHOICES"
    ld.violations.clear()


def labelled_select(**extra: Any) -> dict[str, Any]:
    options = extra.pop("options", [{"label": name, "value": name.lower()} for name in ("Typo", "Unclear", "Other")])
    return {"type": 18, "label": "Reason", "component": {"type": 3, "custom_id": "why", "options": options, **extra}}


def select_modal(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"custom_id": "report", "title": "Report", "components": list(rows)}


@pytest.mark.parametrize(
    ("form", "path"),
    [
        (select_modal(labelled_select(options=[])), ["components", "0", "component", "options"]),
        (select_modal(labelled_select(max_values=4)), ["components", "0", "component", "max_values"]),
        (select_modal(labelled_select(disabled=True)), ["components", "0", "component", "disabled"]),
        (select_modal(labelled_select(placeholder="p" * 151)), ["components", "0", "component", "placeholder"]),
        (select_modal({**labelled_select(), "label": "L" * 46}), ["components", "0", "label"]),
        (
            select_modal(labelled_select(), {"type": 18, "label": "Text", "component": text_input("why")}),
            ["components", "1", "component", "custom_id"],
        ),
    ],
)
async def test_select_in_a_modal_limits(ld: LocalDiscord, bot: FakeBot, form: dict[str, Any], path: list[str]) -> None:
    ld.validator = None
    statuses = opens(bot, form)
    with pytest.raises(AssertionError, match="did not answer"):
        await ld.slash(ld.create_user("u"), "settings", timeout=0.3)
    await bot.idle()
    [(status, err)] = statuses
    assert status == 400
    node = err["errors"]["data"]
    for part in path:
        node = node[part]
    assert node["_errors"][0]["code"]
    ld.violations.clear()


async def test_submit_a_select_in_a_modal(ld: LocalDiscord, bot: FakeBot) -> None:
    ann = ld.create_user("ann")
    form = select_modal(
        labelled_select(), {"type": 18, "label": "More", "component": {**text_input("more"), "required": False}}
    )
    opens(bot, form)
    opened = await ld.slash(ann, "settings")
    ld.assert_clean()  # the spec allows a string select in a modal's label
    for values, why in (
        ({}, "is required"),
        ({"why": []}, "is required"),
        ({"why": ["spam"]}, "has no option 'spam'"),
        ({"why": ["typo", "other"]}, "takes 1–1 options, not 2"),
        ({"why": "typo"}, "takes a list of option values"),
    ):
        with pytest.raises(InvalidOption, match=why):
            await ld.submit_modal(ann, opened, values)
    await ld.submit_modal(ann, opened, {"why": ["unclear"]})
    assert bot.interactions[-1]["data"] == {
        "custom_id": "report",
        "components": [
            {"type": 18, "component": {"type": 3, "custom_id": "why", "values": ["unclear"]}},
            {"type": 18, "component": {"type": 4, "custom_id": "more", "value": ""}},
        ],
    }


# ------------------------------------------------------------ select menus


def select(**extra: Any) -> dict[str, Any]:
    options = extra.pop("options", [{"label": str(n), "value": str(n)} for n in range(3)])
    return {"type": 3, "custom_id": "pick", "options": options, **extra}


@pytest.mark.parametrize(
    ("comp", "field"),
    [
        (select(min_values=26), "min_values"),
        (select(min_values=-1), "min_values"),
        (select(max_values=0), "max_values"),
        (select(max_values=26), "max_values"),
        (select(min_values=3, max_values=2), "min_values"),
        (select(min_values=4, max_values=4), "min_values"),  # more than there are options
        (select(max_values=4), "max_values"),
        (
            select(
                options=[{"label": "a", "value": "a", "default": True}, {"label": "b", "value": "b", "default": True}]
            ),
            "options",
        ),
        (select(placeholder="p" * 151), "placeholder"),
    ],
)
async def test_select_limits(ld: LocalDiscord, comp: dict[str, Any], field: str) -> None:
    ld.validator = None
    guild = await ld.create_guild("g")
    channel = next(iter(guild.channels.values()))
    async with aiohttp.ClientSession(headers={"Authorization": f"Bot {ld.token}"}) as http:
        body = {"content": "x", "components": [{"type": 1, "components": [comp]}]}
        async with http.post(f"{ld.api_base}/channels/{channel.id}/messages", json=body) as r:
            err = await r.json()
    assert r.status == 400 and err["code"] == 50035
    assert err["errors"]["components"]["0"]["components"]["0"][field]["_errors"][0]["code"]
    ld.violations.clear()


async def test_what_a_user_may_pick(ld: LocalDiscord, bot: FakeBot) -> None:
    ann = ld.create_user("ann")
    multi = select(
        min_values=0,
        max_values=2,
        placeholder="Choose up to two",
        options=[{"label": n, "value": n, "default": n == "b"} for n in "abc"],
    )
    locked = select(custom_id="locked", disabled=True)

    async def answer(it: dict[str, Any]) -> None:
        if it["type"] == 2:
            rows = [{"type": 1, "components": [multi]}, {"type": 1, "components": [locked]}]
            await bot.callback(it, {"type": 4, "data": {"content": "pick", "components": rows}})
        else:
            await bot.callback(it, {"type": 6})
            await bot.rest(
                "PATCH", f"/webhooks/{it['application_id']}/{it['token']}/messages/@original", {"content": "ok"}
            )

    bot.answer = answer
    it = await ld.slash(ann, "settings")
    msg = it.original
    assert msg is not None and ld.select_defaults(msg, "pick") == ["b"]
    with pytest.raises(InvalidOption, match="0 to 2 values, not 3"):
        await ld.select(ann, msg, "pick", ["a", "b", "c"])
    with pytest.raises(InvalidOption, match="chosen once"):
        await ld.select(ann, msg, "pick", ["a", "a"])
    with pytest.raises(AssertionError, match="not options"):
        await ld.select(ann, msg, "pick", ["z"])
    with pytest.raises(AssertionError, match="disabled"):
        await ld.select(ann, msg, "locked", ["1"])
    await ld.select(ann, msg, "pick", [])  # min_values 0: clearing the choice is allowed
    assert bot.interactions[-1]["data"] == {"custom_id": "pick", "component_type": 3, "values": []}
    await ld.select(ann, msg, "pick", ["a", "c"])
    assert bot.interactions[-1]["data"]["values"] == ["a", "c"]


async def test_labelled_inputs(ld: LocalDiscord, bot: FakeBot) -> None:
    """A text input inside a label (type 18) is submitted inside a label too."""
    labelled = {"type": 18, "label": "Zone", "description": "Where you study", "component": text_input(label=None)}
    form = {"custom_id": "m", "title": "t", "components": [{"type": 10, "content": "Pick one"}, labelled]}
    opens(bot, form)
    ann = ld.create_user("ann")
    opened = await ld.slash(ann, "settings")
    await ld.submit_modal(ann, opened, {"tz": "UTC"})
    assert bot.interactions[-1]["data"]["components"] == [
        {"type": 18, "component": {"type": 4, "custom_id": "tz", "value": "UTC"}}
    ]
    ld.validator = None
    too_long = dict(labelled, label="L" * 46)
    statuses = opens(bot, dict(form, components=[too_long]))
    with pytest.raises(AssertionError, match="did not answer"):
        await ld.slash(ann, "settings", timeout=0.3)
    await bot.idle()
    [(status, err)] = statuses
    assert status == 400 and err["errors"]["data"]["components"]["0"]["label"]["_errors"]
    ld.violations.clear()
