"""/resources: the roadmap's curated links, by level, topic and kind, paged when long."""

from __future__ import annotations

import re
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.content import Content
from bot.errors import NotAllowed, NotFound
from bot.study.lookup import resolve_topic
from bot.ui import roadmap as ui
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.components import Item, Message, static_view
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, narrow, personal
from bot.ui.replies import ack, guarded
from bot.ui.text import plural

ResourceType = Literal["docs", "course", "book", "article", "paper", "video", "tool", "community"]
NOT_YOURS = "This list belongs to someone else — run `/resources` to open your own."


class ResourcePage(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"res:(?P<uid>\d+):(?P<page>\d+):(?P<level>\d+|-):(?P<type>[a-z]+|-):(?P<topic>[a-z0-9-]+)",
):
    def __init__(
        self,
        uid: int,
        page: int,
        level: int | None,
        kind: str | None,
        topic: str | None,
        label: str = "?",
        disabled: bool = False,
    ) -> None:
        cid = f"res:{uid}:{page}:{'-' if level is None else level}:{kind or '-'}:{topic or '-'}"
        super().__init__(discord.ui.Button(label=label, custom_id=cid, disabled=disabled))
        self.uid, self.page, self.level, self.kind, self.topic = uid, page, level, kind, topic

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> ResourcePage:
        def given(value: str) -> str | None:
            return None if value == "-" else value

        level = given(match["level"])
        return cls(
            int(match["uid"]),
            int(match["page"]),
            int(level) if level else None,
            given(match["type"]),
            given(match["topic"]),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)

        async def turn() -> None:
            if typed.user.id != self.uid:
                raise NotAllowed(NOT_YOURS, title="Not your view")
            await ack(typed)
            content = typed.client.services.content
            await typed.edit_original_response(
                **resources_page(content, self.uid, self.level, self.topic, self.kind, self.page)
            )

        await guarded(typed, turn)


def _empty_note(content: Content, pool_kinds: list[str], kind: str | None, topic: str | None) -> str:
    if pool_kinds:
        return f"No {kind} links here. Available: {', '.join(pool_kinds)}."
    if topic is not None:
        found = content.topics[topic]
        return f"No links are attached to {found.name} yet. Try `/resources level:{found.level}` for its level's links."
    return "No links match. Try `/resources` without filters."


def resources_page(
    content: Content, uid: int, level: int | None, topic: str | None, kind: str | None, page: int
) -> Message:
    """The page ``page`` of the links matching the filters, with Previous/Next when long."""
    if level is not None and content.level(level) is None:
        numbers = ", ".join(str(lv.number) for lv in content.levels)
        raise NotFound(f"There is no level {level}; levels are {numbers}.", title="Unknown level")
    pool = list(content.resources.values())
    scope = []
    if level is not None:
        pool = [r for r in pool if level in r.levels]
        scope.append(f"Level {level}")
    if topic is not None:
        pool = [r for r in pool if topic in r.topics]
        scope.append(content.topics[topic].name)
    matching = [r for r in pool if kind is None or r.type == kind]
    title = "📚 Resources" + (f" · {' · '.join(scope)}" if scope else "") + (f" · {kind}" if kind else "")
    if not matching:
        note = _empty_note(content, sorted({r.type for r in pool}), kind, topic)
        return {"embed": ui.resources_embed(title, [], 0, 1, note)}
    pages = ui.paginate(ui.resource_groups(content, matching, level))
    page = max(0, min(page, len(pages) - 1))
    embed = ui.resources_embed(title, pages[page], page, len(pages), plural(len(matching), "link") + ".")
    if len(pages) == 1:
        return {"embed": embed}
    last = len(pages) - 1
    view = static_view(
        [
            ResourcePage(uid, max(0, page - 1), level, kind, topic, "◀ Previous", disabled=page == 0),
            ResourcePage(uid, min(last, page + 1), level, kind, topic, "Next ▶", disabled=page >= last),
        ]
    )
    return {"embed": embed, "view": view}


class ResourcesCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ResourcePage)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ResourcePage)

    @app_commands.command(name="resources", description="Curated links for the roadmap, by level and topic")
    @app_commands.describe(
        level="Only links for this level", topic="Only links for this topic", type="Only this kind of link"
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    @everywhere
    async def resources(
        self,
        interaction: StudyInteraction,
        level: int | None = None,
        topic: str | None = None,
        type: ResourceType | None = None,
    ) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        topic_id = resolve_topic(services.content, topic) if topic else None
        await interaction.followup.send(
            **resources_page(services.content, interaction.user.id, level, topic_id, type, 0)
        )


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(ResourcesCog(bot))
