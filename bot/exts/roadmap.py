"""/roadmap: browse levels and topics with your own progress; mark, enrol, quiz, share."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.errors import InvalidInput, NotAllowed, NotFound, Notice
from bot.services import Services
from bot.study import progress, starting
from bot.study.lookup import resolve_topic
from bot.ui import roadmap as ui
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.components import Item, Message, Row, static_view
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, bot_present, narrow, personal
from bot.ui.quiz import render_step
from bot.ui.replies import ack, guarded
from bot.ui.text import SELECT_OPTIONS, clip, plural

GRAY, BLUE, GREEN = discord.ButtonStyle.secondary, discord.ButtonStyle.primary, discord.ButtonStyle.success
NOT_YOURS = "This view belongs to someone else — run `/roadmap` to open your own."


def _check_owner(interaction: discord.Interaction, uid: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed(NOT_YOURS, title="Not your view")


class RoadmapButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"rm:(?P<action>ov|lvl|topic|status|quiz|enroll|unenroll|share):(?P<uid>\d+)"
    r"(?::(?P<a>[a-z0-9-]+))?(?::(?P<b>[a-z0-9-]+))?",
):
    def __init__(
        self,
        action: str,
        uid: int,
        first: str | None = None,
        second: str | None = None,
        *,
        label: str = "?",
        style: discord.ButtonStyle = GRAY,
        disabled: bool = False,
        emoji: str | None = None,
    ) -> None:
        cid = ":".join(x for x in ("rm", action, str(uid), first, second) if x is not None)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=cid, disabled=disabled, emoji=emoji))
        self.action, self.uid, self.first, self.second = action, uid, first, second

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> RoadmapButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["action"], int(match["uid"]), match["a"], match["b"], label=label or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_button(typed, self.action, self.uid, self.first, self.second))


class RoadmapSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=r"rm:sel:(?P<uid>\d+):(?P<kind>lv|tp)(?::(?P<level>\d+))?(?::(?P<page>\d+))?",
):
    def __init__(
        self,
        uid: int,
        kind: str,
        options: list[discord.SelectOption] | None = None,
        level: int | None = None,
        page: int | None = None,
        placeholder: str = "Open…",
    ) -> None:
        cid = ":".join(str(x) for x in ("rm:sel", uid, kind, level, page) if x is not None)
        super().__init__(
            discord.ui.Select(
                custom_id=cid, options=options or [discord.SelectOption(label="-")], placeholder=placeholder
            )
        )
        self.uid, self.kind, self.level, self.page = uid, kind, level, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> RoadmapSelect:
        level, page = match["level"], match["page"]
        return cls(int(match["uid"]), match["kind"], None, int(level) if level else None, int(page) if page else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        data = interaction.data
        raw = data.get("values") if isinstance(data, dict) else None
        values = [str(v) for v in raw] if isinstance(raw, list) else []
        typed = narrow(interaction)
        await guarded(typed, lambda: on_select(typed, self.uid, self.kind, values))


# ---------------------------------------------------------------- rendering with data


async def overview(services: Services, uid: int) -> Message:
    async with services.read() as session:
        levels = await progress.roadmap_progress(session, services.content, uid, services.clock.now())
    upcoming = progress.suggest_next(services.content, levels)
    rows: list[Row] = []
    for page in range(min(4, -(-len(levels) // SELECT_OPTIONS))):
        options = ui.level_options(services.content, levels, page)
        rows.append([RoadmapSelect(uid, "lv", options, 0, page, placeholder="Open a level…")])
    buttons: Row = []
    if upcoming is not None:
        label = clip(f"Next: {upcoming.name}", 80)
        buttons.append(RoadmapButton("topic", uid, upcoming.id, label=label, style=BLUE))
    buttons.append(RoadmapButton("share", uid, "o", label="Share", emoji="📣"))
    rows.append(buttons)
    return {"embed": ui.overview_embed(services.content, levels, upcoming), "view": static_view(*rows)}


async def level_view(services: Services, uid: int, number: int, page: int = 0) -> Message:
    if services.content.level(number) is None:
        numbers = ", ".join(str(level.number) for level in services.content.levels)
        raise NotFound(f"There is no level {number}; levels are {numbers}.", title="Unknown level")
    async with services.read() as session:
        [found] = await progress.roadmap_progress(session, services.content, uid, services.clock.now(), levels=[number])
    level_page = ui.LevelPage(found, max(0, min(page, -(-len(found.topics) // ui.TOPICS_PER_PAGE) - 1)))
    rows: list[Row] = [
        [RoadmapSelect(uid, "tp", ui.topic_options(level_page), number, level_page.page, placeholder="Open a topic…")]
    ]
    nav: Row = [RoadmapButton("ov", uid, label="Back to roadmap", emoji="⬅️")]
    if level_page.pages > 1:
        first, last = level_page.page == 0, level_page.page >= level_page.pages - 1
        nav.append(RoadmapButton("lvl", uid, str(number), str(level_page.page - 1), label="◀", disabled=first))
        nav.append(RoadmapButton("lvl", uid, str(number), str(level_page.page + 1), label="▶", disabled=last))
    nav.append(RoadmapButton("share", uid, "l", str(number), label="Share", emoji="📣"))
    rows.append(nav)
    return {"embed": ui.level_embed(level_page), "view": static_view(*rows)}


def _status_row(uid: int, topic_id: str, status: str) -> Row:
    row: Row = []
    for value, label, emoji in (("learning", "Learning", "📖"), ("done", "Done", "✅"), ("skipped", "Skip", "⏭️")):
        current = status == value
        style = GREEN if current else GRAY
        row.append(
            RoadmapButton("status", uid, value, topic_id, label=label, emoji=emoji, style=style, disabled=current)
        )
    if status != "pending":
        row.append(RoadmapButton("status", uid, "pending", topic_id, label="Reset", emoji="↩️"))
    return row


async def topic_view(services: Services, uid: int, topic_id: str) -> Message:
    content = services.content
    topic = content.topics.get(topic_id)
    if topic is None:
        raise NotFound(
            "That topic is no longer in the roadmap. Run `/roadmap` to browse what's there.", title="Topic removed"
        )
    now = services.clock.now()
    others = sorted({content.topics[p].level for p in topic.prerequisites if p in content.topics} - {topic.level})
    async with services.read() as session:
        found = await progress.roadmap_progress(session, content, uid, now, levels=[topic.level, *others])
    states = {state.topic.id: state for level in found for state in level.topics}
    state = states[topic_id]
    prerequisites = [states[p] for p in topic.prerequisites if p in states]
    has_questions = bool(content.topic_questions(topic_id))
    quiz_me = RoadmapButton(
        "quiz", uid, topic_id, label="Quiz me on this", emoji="🧠", style=BLUE, disabled=not has_questions
    )
    if state.enrolled:
        reviews = RoadmapButton("unenroll", uid, topic_id, label="Remove from my reviews", emoji="🗂️")
    else:
        reviews = RoadmapButton(
            "enroll", uid, topic_id, label="Add to my daily reviews", emoji="📅", disabled=not has_questions
        )
    action_row: Row = [quiz_me, reviews]
    nav_row: Row = [
        RoadmapButton("lvl", uid, str(topic.level), "0", label=clip(f"Back to Level {topic.level}", 80), emoji="⬅️"),
        RoadmapButton("share", uid, "t", topic_id, label="Share", emoji="📣"),
    ]
    view = static_view(_status_row(uid, topic_id, state.status), action_row, nav_row)
    return {"embed": ui.topic_embed(content, state, prerequisites), "view": view}


def _public(payload: Message, user: discord.abc.User) -> discord.Embed:
    embed = payload.get("embed")
    assert embed is not None
    embed.set_author(name=clip(f"Shared by {user.display_name}", 256))
    return embed


# ---------------------------------------------------------------- handlers


def shareable(interaction: discord.Interaction) -> bool:
    """Can a view be shared here? Only in a server channel where the bot itself is a member:
    elsewhere (DMs, or the personal app in someone else's server) it never posts."""
    return interaction.guild_id is not None and bot_present(interaction)


def fitted(interaction: discord.Interaction, payload: Message) -> Message:
    """``payload`` without its *Share* button where sharing is not possible."""
    view = payload.get("view")
    if view is not None and not shareable(interaction):
        for item in list(view.children):
            if isinstance(item, RoadmapButton) and item.action == "share":
                view.remove_item(item)
    return payload


async def _share(interaction: StudyInteraction, uid: int, what: str | None, which: str | None) -> None:
    if not shareable(interaction):  # a Share button from before (the button is not offered here)
        raise Notice(
            "Sharing posts in a server channel where I'm a member; here only you see my answers.",
            title="Nothing to share here",
        )
    services = interaction.client.services
    views: dict[str, Callable[[], Awaitable[Message]]] = {
        "o": lambda: overview(services, uid),
        "l": lambda: level_view(services, uid, int(which or 0)),
        "t": lambda: topic_view(services, uid, which or ""),
    }
    view = views.get(what or "o")
    if view is None:
        raise NotFound("Nothing to share.", title="Nothing to share")
    await interaction.followup.send(embed=_public(await view(), interaction.user), ephemeral=False)


async def on_button(
    interaction: StudyInteraction, action: str, uid: int, first: str | None, second: str | None
) -> None:
    _check_owner(interaction, uid)
    services = interaction.client.services
    await ack(interaction)
    now = services.clock.now()
    if action == "ov":
        payload = await overview(services, uid)
    elif action == "lvl":
        payload = await level_view(services, uid, int(first or 0), int(second or 0))
    elif action == "topic":
        payload = await topic_view(services, uid, first or "")
    elif action == "status":
        if first is None or second is None or first not in progress.STATUSES or second not in services.content.topics:
            raise NotFound("That topic is no longer in the roadmap.", title="Topic removed")
        async with services.unit() as session:
            await progress.set_status(session, uid, second, first, now)
        payload = await topic_view(services, uid, second)
        await interaction.edit_original_response(**fitted(interaction, payload))
        await _status_note(interaction, uid, second, first)
        return
    elif action in ("enroll", "unenroll"):
        if first is None or first not in services.content.topics:
            raise NotFound("That topic is no longer in the roadmap.", title="Topic removed")
        async with services.unit() as session:
            if action == "enroll":
                await progress.enroll(session, services.content, uid, first, now)
            else:
                cards = await progress.remove_from_reviews(session, uid, first, now)
        payload = await topic_view(services, uid, first)
        if action == "unenroll":
            await interaction.edit_original_response(**fitted(interaction, payload))
            name = services.content.topics[first].name
            text = (
                f"🗂️ **{name}** is out of your reviews: its {plural(cards, 'question')} won't be asked in `/quiz` "
                "or your daily review (your history stays). *Add to my daily reviews* brings it back."
            )
            await interaction.followup.send(text, ephemeral=True)
            return
    elif action == "quiz":
        async with services.unit() as session:
            started = await starting.start(session, services.content, uid, now, topic=first)
        private = personal(interaction)
        await interaction.followup.send(**render_step(services.content, started.step), ephemeral=private)
        return
    else:
        await _share(interaction, uid, first, second)
        return
    await interaction.edit_original_response(**fitted(interaction, payload))


async def _status_note(interaction: StudyInteraction, uid: int, topic_id: str, status: str) -> None:
    """What a Skip or Reset means for the topic's questions, said once, privately."""
    services = interaction.client.services
    name = services.content.topics[topic_id].name
    if status == "skipped":
        text = (
            f"⏭️ Skipped **{name}**: no new questions from it. Reviews of what you've already learned continue; "
            "*Remove from my reviews* stops those too."
        )
        await interaction.followup.send(text, ephemeral=True)
    elif status == "pending":
        async with services.read() as session:
            [state] = await progress.roadmap_progress(
                session, services.content, uid, services.clock.now(), levels=[services.content.topics[topic_id].level]
            )
        current = next(t for t in state.topics if t.topic.id == topic_id)
        if current.enrolled and current.cards:
            offer = RoadmapButton("unenroll", uid, topic_id, label="Remove its cards from my reviews", emoji="🗂️")
            text = f"↩️ **{name}** is back to pending. Its {plural(current.cards, 'card')} are still in your reviews."
            await interaction.followup.send(text, view=static_view([offer]), ephemeral=True)


async def on_select(interaction: StudyInteraction, uid: int, kind: str, values: list[str]) -> None:
    _check_owner(interaction, uid)
    services = interaction.client.services
    await ack(interaction)
    if not values:
        raise InvalidInput("Pick an option.", title="Nothing picked")
    if kind == "lv":
        payload = await level_view(services, uid, int(values[0]))
    else:
        payload = await topic_view(services, uid, values[0])
    await interaction.edit_original_response(**fitted(interaction, payload))


class RoadmapCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RoadmapButton, RoadmapSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RoadmapButton, RoadmapSelect)

    @app_commands.command(name="roadmap", description="Browse the AI learning roadmap with your progress")
    @app_commands.describe(level="Jump to a level", topic="Jump to a topic")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    @everywhere
    async def roadmap(self, interaction: StudyInteraction, level: int | None = None, topic: str | None = None) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        uid = interaction.user.id
        if topic:
            payload = await topic_view(services, uid, resolve_topic(services.content, topic))
        elif level is not None:
            payload = await level_view(services, uid, level)
        else:
            payload = await overview(services, uid)
        await interaction.followup.send(**fitted(interaction, payload))


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(RoadmapCog(bot))
