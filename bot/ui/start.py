"""/start's welcome flow on Discord: one message that edits itself through the placement
check and the settings steps, then starts the first quiz.

Its components are shared (``/help``'s *Get started* opens the flow too), so the client
registers them once. State lives in the custom_ids (``start:<action>:<user>[:<arg>]``,
``start:ans:<user>:<placement>:<position>:<choice>``) and the database, so every button
works after a restart and a double click records once. The two "type it" steps are modals.
"""

from __future__ import annotations

import re
from datetime import datetime

import discord

from bot.db import queries
from bot.db.models import Learner
from bot.errors import NotAllowed, NotFound
from bot.services import Services
from bot.study import learners, placement, starting
from bot.study.placement import PlacementQuestion, PlacementResult
from bot.ui import onboarding as views
from bot.ui import quiz as quiz_ui
from bot.ui.components import Item, Message, as_edit, static_view
from bot.ui.interaction import StudyInteraction, narrow, personal
from bot.ui.replies import ack, guarded
from bot.ui.settings import turn_reminders_on
from bot.ui.text import clip
from scheduler.timeutil import format_hhmm, zone
from scheduler.zones import guess_zones

NOT_YOURS = "This welcome belongs to someone else — run `/start` for your own."
FLOW_ACTIONS = "place|skip|keep|stop|tztype|timetype|rem|next|quiz"
TIMES = tuple(range(6 * 60, 24 * 60, 60))  # 06:00 … 23:00
BLUE, GREY, RED = discord.ButtonStyle.primary, discord.ButtonStyle.secondary, discord.ButtonStyle.danger


def _mine(interaction: discord.Interaction, uid: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed(NOT_YOURS, title="Not your welcome")


class StartFlow(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=rf"start:(?P<action>{FLOW_ACTIONS}):(?P<uid>\d+)(?::(?P<arg>\d+))?",
):
    """A button of the flow: ``start:<action>:<user>[:<arg>]``."""

    def __init__(
        self, action: str, uid: int, arg: int | None = None, label: str = "?", style: discord.ButtonStyle = GREY
    ) -> None:
        custom_id = f"start:{action}:{uid}" + (f":{arg}" if arg is not None else "")
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))
        self.action, self.uid, self.arg = action, uid, arg

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /) -> StartFlow:
        arg = match["arg"]
        return cls(match["action"], int(match["uid"]), int(arg) if arg else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_flow(typed, self.action, self.uid, self.arg))


class PlacementAnswer(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"start:ans:(?P<uid>\d+):(?P<pid>\d+):(?P<pos>\d+):(?P<choice>\d+)",
):
    """An answer in the placement check: ``start:ans:<user>:<placement>:<position>:<choice>``."""

    def __init__(self, uid: int, pid: int, pos: int, choice: int, label: str = "?") -> None:
        custom_id = f"start:ans:{uid}:{pid}:{pos}:{choice}"
        super().__init__(discord.ui.Button(label=label, style=GREY, custom_id=custom_id))
        self.uid, self.pid, self.pos, self.choice = uid, pid, pos, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> PlacementAnswer:
        return cls(int(match["uid"]), int(match["pid"]), int(match["pos"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_answer(typed, self))


class StartPick(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"start:(?P<what>tz|time):(?P<uid>\d+)",
):
    """The time-zone or review-time menu: ``start:tz:<user>``, ``start:time:<user>``."""

    def __init__(self, what: str, uid: int, options: list[discord.SelectOption] | None = None) -> None:
        placeholder = "Pick your time zone" if what == "tz" else "Pick a time"
        super().__init__(
            discord.ui.Select(custom_id=f"start:{what}:{uid}", placeholder=placeholder, options=options or [])
        )
        self.what, self.uid = what, uid

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /) -> StartPick:
        return cls(match["what"], int(match["uid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        picked = self.item.values[0] if self.item.values else ""
        await guarded(typed, lambda: on_pick(typed, self.what, self.uid, picked))


class GetStarted(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"start:open"):
    """*Get started* (in `/help`): opens the welcome flow for whoever clicks it."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Get started", style=BLUE, custom_id="start:open", emoji="🚀"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /) -> GetStarted:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)

        async def open_flow() -> None:
            await ack(typed, ephemeral=personal(typed), thinking=True)
            await typed.followup.send(**await welcome(typed.client.services, typed.user.id))

        await guarded(typed, open_flow)


SHARED = (StartFlow, PlacementAnswer, StartPick, GetStarted)


# ---------------------------------------------------------------- the steps


async def welcome(services: Services, uid: int) -> Message:
    """The first screen: take (or redo) the placement check, or skip it."""
    async with services.read() as session:
        previous = await placement.latest(session, uid)
    first = previous is None
    view = static_view(
        [
            StartFlow("place", uid, None, "Take the placement check" if first else "Redo the placement check", BLUE),
            StartFlow("skip" if first else "keep", uid, None, "Skip it" if first else "Keep my level"),
        ]
    )
    return {"embed": views.welcome(services.content, previous), "view": view}


def _question(services: Services, uid: int, step: PlacementQuestion) -> Message:
    pid, pos = step.placement.id, step.placement.position
    answers: list[Item]
    if step.order:
        answers = [PlacementAnswer(uid, pid, pos, index, views.LETTERS[i]) for i, index in enumerate(step.order)]
    else:
        answers = [PlacementAnswer(uid, pid, pos, 1, "True"), PlacementAnswer(uid, pid, pos, 0, "False")]
    view = static_view(answers, [StartFlow("stop", uid, pid, "Stop here — place me", RED)])
    return {"embed": views.placement_question(services.content, step), "view": view}


def _zone_options(learner: Learner, locale: str, now: datetime) -> list[discord.SelectOption]:
    names = list(dict.fromkeys([learner.timezone, *guess_zones(locale, limit=24)]))[:25]
    return [
        discord.SelectOption(
            label=name,
            value=name,
            description=f"It's {now.astimezone(zone(name)).strftime('%H:%M')} there now",
            default=name == learner.timezone,
        )
        for name in names
    ]


def _time_options(learner: Learner) -> list[discord.SelectOption]:
    minutes = sorted({*TIMES, learner.digest_minute})
    return [
        discord.SelectOption(label=format_hhmm(m), value=str(m), default=m == learner.digest_minute) for m in minutes
    ]


async def _learner(services: Services, uid: int) -> Learner:
    async with services.read() as session:
        return await queries.learner_or_default(session, uid, services.clock.now())


async def timezone_step(services: Services, uid: int, locale: str, note: str | None) -> Message:
    learner = await _learner(services, uid)
    view = static_view(
        [StartPick("tz", uid, _zone_options(learner, locale, services.clock.now()))],
        [StartFlow("tztype", uid, None, "Type it…"), StartFlow("next", uid, 1, "Skip")],
    )
    return {"embed": views.timezone_step(learner, note), "view": view}


async def time_step(services: Services, uid: int, note: str | None) -> Message:
    learner = await _learner(services, uid)
    view = static_view(
        [StartPick("time", uid, _time_options(learner))],
        [StartFlow("timetype", uid, None, "Type it…"), StartFlow("next", uid, 2, "Skip")],
    )
    return {"embed": views.time_step(learner, note), "view": view}


async def reminders_step(services: Services, uid: int, note: str | None) -> Message:
    learner = await _learner(services, uid)
    on = learner.digest_enabled and learner.dm_status != "closed"
    row: list[Item] = (
        [StartFlow("next", uid, 3, "Keep them on", BLUE), StartFlow("rem", uid, 0, "Turn them off")]
        if on
        else [StartFlow("rem", uid, 1, "Turn them on", BLUE), StartFlow("next", uid, 3, "Keep them off")]
    )
    return {"embed": views.reminders_step(learner, note), "view": static_view(row)}


async def finished(services: Services, uid: int, note: str | None) -> Message:
    now = services.clock.now()
    async with services.read() as session:
        learner = await queries.learner_or_default(session, uid, now)
        rows = await queries.progress_map(session, uid)
    active = [
        tid for tid, row in rows.items() if row.enrolled and row.removed_at is None and tid in services.content.topics
    ]
    start = services.content.topics[active[0]].name if active else None
    view = static_view([StartFlow("quiz", uid, None, "Start my first quiz", BLUE)])
    return {"embed": views.finished(learner, start, note), "view": view}


async def _after_placement(services: Services, uid: int, locale: str, result: PlacementResult) -> Message:
    return await timezone_step(services, uid, locale, views.placement_summary(services.content, result))


async def _edit(interaction: StudyInteraction, message: Message) -> None:
    await interaction.edit_original_response(
        content=message.get("content"), embed=message.get("embed"), view=message.get("view")
    )


def _locale(interaction: discord.Interaction) -> str:
    return str(interaction.locale.value)


# ---------------------------------------------------------------- handlers


async def on_flow(interaction: StudyInteraction, action: str, uid: int, arg: int | None) -> None:
    _mine(interaction, uid)
    services = interaction.client.services
    if action == "tztype":
        await interaction.response.send_modal(TypedSetting("tz", uid))
        return
    if action == "timetype":
        await interaction.response.send_modal(TypedSetting("time", uid))
        return
    await ack(interaction)
    content, now, locale = services.content, services.clock.now(), _locale(interaction)
    message: Message
    if action == "place":
        async with services.unit() as session:
            step = await placement.begin(session, content, uid, now)
        message = _question(services, uid, step)
    elif action == "skip":
        async with services.unit() as session:
            result = await placement.skip(session, content, uid, now)
        message = await _after_placement(services, uid, locale, result)
    elif action == "keep":
        message = await timezone_step(services, uid, locale, None)
    elif action == "stop":
        if arg is None:
            raise NotFound("That button lost its placement check; run `/start` again.", title="Check gone")
        async with services.unit() as session:
            stopped = await placement.stop(session, content, uid, arg, now)
        message = await _after_placement(services, uid, locale, stopped)
    elif action == "next":
        message = await _settings_step(services, uid, arg or 1, None)
    elif action == "rem":
        if arg:
            note = await turn_reminders_on(interaction.client, uid)
        else:
            async with services.unit() as session:
                await learners.set_reminders(session, uid, False, now)
            note = "🔕 Daily reviews stay off; `/reminders on` turns them on any time."
        message = await finished(services, uid, note)
    else:  # quiz
        async with services.unit() as session:
            started = await starting.start(session, content, uid, now)
        post = as_edit(quiz_ui.render_step(content, started.step))
        post["content"] = started.note or ""
        await interaction.edit_original_response(**post)
        return
    await _edit(interaction, message)


async def _settings_step(services: Services, uid: int, index: int, note: str | None) -> Message:
    if index == 1:
        return await time_step(services, uid, note)
    if index == 2:
        return await reminders_step(services, uid, note)
    return await finished(services, uid, note)


async def on_answer(interaction: StudyInteraction, item: PlacementAnswer) -> None:
    _mine(interaction, item.uid)
    services = interaction.client.services
    await ack(interaction)
    async with services.unit() as session:
        step = await placement.answer(
            session, services.content, item.uid, item.pid, item.pos, item.choice, services.clock.now()
        )
    if isinstance(step, PlacementQuestion):
        await _edit(interaction, _question(services, item.uid, step))
        return
    await _edit(interaction, await _after_placement(services, item.uid, _locale(interaction), step))


async def _save(services: Services, uid: int, what: str, value: str) -> Message:
    now = services.clock.now()
    async with services.unit() as session:
        if what == "tz":
            learner = await learners.set_timezone(session, uid, value, now)
        else:
            learner = await learners.set_digest_time(session, uid, value, now)
    if what == "tz":
        return await time_step(services, uid, f"🌍 Time zone set to **{learner.timezone}**.")
    return await reminders_step(services, uid, f"⏰ Daily review time set to **{format_hhmm(learner.digest_minute)}**.")


async def on_pick(interaction: StudyInteraction, what: str, uid: int, value: str) -> None:
    _mine(interaction, uid)
    services = interaction.client.services
    await ack(interaction)
    text = format_hhmm(int(value)) if what == "time" and value.isdigit() else value
    await _edit(interaction, await _save(services, uid, what, text))


class TypedSetting(discord.ui.Modal):
    """*Type it…*: a time zone or a review time as the learner writes it."""

    def __init__(self, what: str, uid: int) -> None:
        zone_step = what == "tz"
        super().__init__(title="Your time zone" if zone_step else "Your daily review time", timeout=15 * 60)
        self.what, self.uid = what, uid
        self.value: discord.ui.TextInput[TypedSetting] = discord.ui.TextInput(
            label="Time zone or city" if zone_step else "Time of day",
            placeholder="Europe/Berlin, new york, Asia/Kolkata" if zone_step else "19:30, 7:30pm or 7pm",
            max_length=64,
            custom_id=f"start:typed:{what}",
        )
        self.add_item(self.value)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)

        async def submit() -> None:
            await ack(typed)
            await _edit(typed, await _save(typed.client.services, self.uid, self.what, clip(self.value.value, 64)))

        await guarded(typed, submit)
