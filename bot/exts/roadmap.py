"""/roadmap and /resources: browse the roadmap and its links with personal progress."""

from __future__ import annotations

import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.exts.quiz import render_step, resolve_topic
from bot.study import progress, quiz
from bot.ui import roadmap as ui
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.components import static_view
from bot.ui.replies import ack, guarded
from bot.ui.text import SELECT_OPTIONS, clip

ResourceType = Literal["docs", "course", "book", "article", "paper", "video", "tool", "community"]
GRAY, BLUE, GREEN = discord.ButtonStyle.secondary, discord.ButtonStyle.primary, discord.ButtonStyle.success
NOT_YOURS = "This view belongs to someone else — run `/roadmap` to open your own."


def _check_owner(interaction: discord.Interaction, uid: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed(NOT_YOURS)


class RoadmapButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"rm:(?P<action>ov|lvl|topic|status|quiz|enroll|share):(?P<uid>\d+)"
    r"(?::(?P<a>[a-z0-9-]+))?(?::(?P<b>[a-z0-9-]+))?",
):
    def __init__(
        self,
        action: str,
        uid: int,
        a: str | None = None,
        b: str | None = None,
        *,
        label: str = "?",
        style: discord.ButtonStyle = GRAY,
        disabled: bool = False,
        emoji: str | None = None,
    ) -> None:
        cid = ":".join(x for x in ("rm", action, str(uid), a, b) if x is not None)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=cid, disabled=disabled, emoji=emoji))
        self.action, self.uid, self.a, self.b = action, uid, a, b

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RoadmapButton:
        assert isinstance(item, discord.ui.Button)
        return cls(match["action"], int(match["uid"]), match["a"], match["b"], label=item.label or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: on_button(interaction, self.action, self.uid, self.a, self.b))


class RoadmapSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
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
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> RoadmapSelect:
        level, page = match["level"], match["page"]
        return cls(int(match["uid"]), match["kind"], None, int(level) if level else None, int(page) if page else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        values = [str(v) for v in data.get("values", [])]
        await guarded(interaction, lambda: on_select(interaction, self.uid, self.kind, values))


# ---------------------------------------------------------------- rendering with data


async def overview(services: Any, uid: int) -> dict[str, Any]:
    async with services.read() as s:
        levels = await progress.roadmap_progress(s, services.content, uid, services.clock.now())
    nxt = progress.suggest_next(services.content, levels)
    rows: list[list[discord.ui.Item[Any]]] = []
    for page in range(min(4, -(-len(levels) // SELECT_OPTIONS))):
        rows.append(
            [
                RoadmapSelect(
                    uid, "lv", ui.level_options(services.content, levels, page), 0, page, placeholder="Open a level…"
                )
            ]
        )
    buttons: list[discord.ui.Item[Any]] = []
    if nxt is not None:
        buttons.append(RoadmapButton("topic", uid, nxt.id, label=clip(f"Next: {nxt.name}", 80), style=BLUE))
    buttons.append(RoadmapButton("share", uid, "o", label="Share", emoji="📣"))
    rows.append(buttons)
    return {"embed": ui.overview_embed(services.content, levels, nxt), "view": static_view(*rows)}


async def level_view(services: Any, uid: int, number: int, page: int = 0) -> dict[str, Any]:
    if services.content.level(number) is None:
        numbers = ", ".join(str(lv.number) for lv in services.content.levels)
        raise NotFound(f"There is no level {number}; levels are {numbers}.")
    async with services.read() as s:
        [lp] = await progress.roadmap_progress(s, services.content, uid, services.clock.now(), levels=[number])
    lpage = ui.LevelPage(lp, max(0, min(page, -(-len(lp.topics) // ui.TOPICS_PER_PAGE) - 1)))
    rows: list[list[discord.ui.Item[Any]]] = [
        [RoadmapSelect(uid, "tp", ui.topic_options(lpage), number, lpage.page, placeholder="Open a topic…")]
    ]
    nav: list[discord.ui.Item[Any]] = [RoadmapButton("ov", uid, label="Back to roadmap", emoji="⬅️")]
    if lpage.pages > 1:
        nav.append(RoadmapButton("lvl", uid, str(number), str(lpage.page - 1), label="◀", disabled=lpage.page == 0))
        nav.append(
            RoadmapButton(
                "lvl", uid, str(number), str(lpage.page + 1), label="▶", disabled=lpage.page >= lpage.pages - 1
            )
        )
    nav.append(RoadmapButton("share", uid, "l", str(number), label="Share", emoji="📣"))
    rows.append(nav)
    return {"embed": ui.level_embed(lpage), "view": static_view(*rows)}


async def topic_view(services: Any, uid: int, topic_id: str) -> dict[str, Any]:
    content = services.content
    topic = content.topics.get(topic_id)
    if topic is None:
        raise NotFound("That topic is no longer in the roadmap. Run `/roadmap` to browse what's there.")
    async with services.read() as s:
        [lp] = await progress.roadmap_progress(s, content, uid, services.clock.now(), levels=[topic.level])
        other = {content.topics[p].level for p in topic.prerequisites if p in content.topics} - {topic.level}
        extra = (
            await progress.roadmap_progress(s, content, uid, services.clock.now(), levels=sorted(other))
            if other
            else []
        )
    states = {tp.topic.id: tp for lvl in [lp, *extra] for tp in lvl.topics}
    tp = states[topic_id]
    prereqs = [states[p] for p in topic.prerequisites if p in states]
    status_row: list[discord.ui.Item[Any]] = []
    for status, label, emoji in (("learning", "Learning", "📖"), ("done", "Done", "✅"), ("skipped", "Skip", "⏭️")):
        current = tp.status == status
        status_row.append(
            RoadmapButton(
                "status",
                uid,
                status,
                topic_id,
                label=label,
                emoji=emoji,
                style=GREEN if current else GRAY,
                disabled=current,
            )
        )
    if tp.status != "pending":
        status_row.append(RoadmapButton("status", uid, "pending", topic_id, label="Reset", emoji="↩️"))
    has_questions = bool(content.topic_questions(topic_id))
    action_row: list[discord.ui.Item[Any]] = [
        RoadmapButton(
            "quiz", uid, topic_id, label="Quiz me on this", emoji="🧠", style=BLUE, disabled=not has_questions
        ),
        RoadmapButton(
            "enroll",
            uid,
            topic_id,
            label="In your daily reviews" if tp.enrolled else "Add to my daily reviews",
            emoji="📅",
            disabled=tp.enrolled or not has_questions,
        ),
    ]
    nav_row: list[discord.ui.Item[Any]] = [
        RoadmapButton("lvl", uid, str(topic.level), "0", label=clip(f"Back to Level {topic.level}", 80), emoji="⬅️"),
        RoadmapButton("share", uid, "t", topic_id, label="Share", emoji="📣"),
    ]
    return {"embed": ui.topic_embed(content, tp, prereqs), "view": static_view(status_row, action_row, nav_row)}


def _public(payload: dict[str, Any], user: discord.abc.User) -> discord.Embed:
    embed: discord.Embed = payload["embed"]
    embed.set_author(name=clip(f"Shared by {user.display_name}", 256))
    return embed


# ---------------------------------------------------------------- handlers


async def on_button(interaction: discord.Interaction, action: str, uid: int, a: str | None, b: str | None) -> None:
    _check_owner(interaction, uid)
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction)
    now = services.clock.now()
    if action == "ov":
        payload = await overview(services, uid)
    elif action == "lvl":
        payload = await level_view(services, uid, int(a or 0), int(b or 0))
    elif action == "topic":
        payload = await topic_view(services, uid, a or "")
    elif action == "status":
        if a is None or b is None or a not in progress.STATUSES or b not in services.content.topics:
            raise NotFound("That topic is no longer in the roadmap.")
        async with services.unit() as s:
            await progress.set_status(s, uid, b, a, now)
        payload = await topic_view(services, uid, b)
    elif action == "enroll":
        if a is None or a not in services.content.topics:
            raise NotFound("That topic is no longer in the roadmap.")
        async with services.unit() as s:
            await progress.enroll(s, services.content, uid, a, now)
        payload = await topic_view(services, uid, a)
    elif action == "quiz":
        async with services.unit() as s:
            step = await quiz.start(s, services.content, uid, now, topic=a)
        await interaction.followup.send(**render_step(services, step), ephemeral=interaction.guild is not None)
        return
    else:  # share
        if interaction.guild is None:
            raise InvalidInput("Sharing posts your view in a server channel; in DMs only you can see it anyway.")
        view = {
            "o": lambda: overview(services, uid),
            "l": lambda: level_view(services, uid, int(b or 0)),
            "t": lambda: topic_view(services, uid, b or ""),
        }.get(a or "o")
        if view is None:
            raise NotFound("Nothing to share.")
        await interaction.followup.send(embed=_public(await view(), interaction.user), ephemeral=False)
        return
    await interaction.edit_original_response(**payload)


async def on_select(interaction: discord.Interaction, uid: int, kind: str, values: list[str]) -> None:
    _check_owner(interaction, uid)
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction)
    if not values:
        raise InvalidInput("Pick an option.")
    if kind == "lv":
        payload = await level_view(services, uid, int(values[0]))
    else:
        payload = await topic_view(services, uid, values[0])
    await interaction.edit_original_response(**payload)


class Roadmap(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RoadmapButton, RoadmapSelect, ResourcePage)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RoadmapButton, RoadmapSelect, ResourcePage)

    @app_commands.command(name="roadmap", description="Browse the AI learning roadmap with your progress")
    @app_commands.describe(level="Jump to a level", topic="Jump to a topic")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    async def roadmap(
        self, interaction: discord.Interaction, level: int | None = None, topic: str | None = None
    ) -> None:
        services = self.bot.services  # type: ignore[attr-defined]
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        uid = interaction.user.id
        if topic:
            payload = await topic_view(services, uid, resolve_topic(services.content, topic))
        elif level is not None:
            payload = await level_view(services, uid, level)
        else:
            payload = await overview(services, uid)
        await interaction.followup.send(**payload)

    @app_commands.command(name="resources", description="Curated links for the roadmap, by level and topic")
    @app_commands.describe(
        level="Only links for this level", topic="Only links for this topic", type="Only this kind of link"
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    async def resources(
        self,
        interaction: discord.Interaction,
        level: int | None = None,
        topic: str | None = None,
        type: ResourceType | None = None,
    ) -> None:
        services = self.bot.services  # type: ignore[attr-defined]
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        topic_id = resolve_topic(services.content, topic) if topic else None
        await interaction.followup.send(
            **resources_page(services.content, interaction.user.id, level, topic_id, type, 0)
        )


# ---------------------------------------------------------------- /resources


class ResourcePage(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"res:(?P<uid>\d+):(?P<page>\d+):(?P<level>\d+|-):(?P<type>[a-z]+|-):(?P<topic>[a-z0-9-]+)",
):
    def __init__(
        self,
        uid: int,
        page: int,
        level: int | None,
        type_: str | None,
        topic: str | None,
        label: str = "?",
        disabled: bool = False,
    ) -> None:
        cid = f"res:{uid}:{page}:{'-' if level is None else level}:{type_ or '-'}:{topic or '-'}"
        super().__init__(discord.ui.Button(label=label, custom_id=cid, disabled=disabled))
        self.uid, self.page, self.level, self.rtype, self.topic = uid, page, level, type_, topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ResourcePage:
        def opt(v: str) -> str | None:
            return None if v == "-" else v

        lvl = opt(match["level"])
        return cls(
            int(match["uid"]), int(match["page"]), int(lvl) if lvl else None, opt(match["type"]), opt(match["topic"])
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        async def go() -> None:
            _check_owner(interaction, self.uid)
            await ack(interaction)
            content = interaction.client.services.content  # type: ignore[attr-defined]
            await interaction.edit_original_response(
                **resources_page(content, self.uid, self.level, self.topic, self.rtype, self.page)
            )

        await guarded(interaction, go)


def resources_page(
    content: Any, uid: int, level: int | None, topic: str | None, type_: str | None, page: int
) -> dict[str, Any]:
    if level is not None and content.level(level) is None:
        raise NotFound(f"There is no level {level}; levels are {', '.join(str(lv.number) for lv in content.levels)}.")
    pool = list(content.resources.values())
    scope = []
    if level is not None:
        pool = [r for r in pool if level in r.levels]
        scope.append(f"Level {level}")
    if topic is not None:
        pool = [r for r in pool if topic in r.topics]
        scope.append(content.topics[topic].name)
    matching = [r for r in pool if type_ is None or r.type == type_]
    title = "📚 Resources" + (f" · {' · '.join(scope)}" if scope else "") + (f" · {type_}" if type_ else "")
    if not matching:
        kinds = sorted({r.type for r in pool})
        if pool:
            note = f"No {type_} links here. Available: {', '.join(kinds)}."
        elif topic is not None:
            topic_level = content.topics[topic].level
            note = (
                f"No links are attached to {content.topics[topic].name} yet. Try "
                f"`/resources level:{topic_level}` for its level's links."
            )
        else:
            note = "No links match. Try `/resources` without filters."
        return {"embed": ui.resources_embed(title, [], 0, 1, note)}
    pages = ui.paginate(ui.resource_groups(content, matching))
    page = max(0, min(page, len(pages) - 1))
    embed = ui.resources_embed(title, pages[page], page, len(pages), f"{len(matching)} link(s).")
    if len(pages) == 1:
        return {"embed": embed}
    last = len(pages) - 1
    view = static_view(
        [
            ResourcePage(uid, max(0, page - 1), level, type_, topic, "◀ Previous", disabled=page == 0),
            ResourcePage(uid, min(last, page + 1), level, type_, topic, "Next ▶", disabled=page >= last),
        ]
    )
    return {"embed": embed, "view": view}


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Roadmap(bot))
