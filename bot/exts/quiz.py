"""/quiz: a spaced-repetition session (its answer buttons are the shared ``QuizButton``),
with the offers around it: continue an unfinished session, add a whole level."""

from __future__ import annotations

import re
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.errors import NotAllowed
from bot.services import Services
from bot.study import quiz, starting
from bot.study.lookup import resolve_topic
from bot.ui import quiz as ui
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.components import Item, Message, Post, as_edit, static_view
from bot.ui.installs import everywhere
from bot.ui.interaction import StudyInteraction, narrow, personal
from bot.ui.replies import ack, guarded
from bot.ui.text import plural

QuizMode = Literal["review", "cram", "mistakes"]


class StartButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qs:(?P<action>resume|new|level):(?P<uid>\d+):(?P<arg>\d+)",
):
    """Continue an unfinished session, start a new one, or add a whole level."""

    def __init__(
        self,
        action: str,
        uid: int,
        arg: int,
        label: str = "?",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"qs:{action}:{uid}:{arg}"))
        self.action, self.uid, self.arg = action, uid, arg

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /) -> StartButton:
        return cls(match["action"], int(match["uid"]), int(match["arg"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_start_button(typed, self.action, self.uid, self.arg))


def _started(services: Services, started: starting.Started) -> Post:
    message = ui.render_step(services.content, started.step)
    if started.note:
        message["content"] = started.note
    offer = started.offer
    if offer is not None and offer.topics:
        label = f"Add all {plural(offer.topics, 'topic')} ({plural(offer.questions, 'question')})"
        button = StartButton("level", started.step.session.learner_id, offer.level, label[:80])
        button.row = 2  # below the answers and Stop
        message["view"].add_item(button)
    return message


async def _begin(services: Services, uid: int, *, topic: str | None, level: int | None, count: int, mode: str) -> Post:
    async with services.unit() as session:
        started = await starting.start(
            session, services.content, uid, services.clock.now(), topic=topic, level=level, count=count, mode=mode
        )
    return _started(services, started)


async def on_start_button(interaction: StudyInteraction, action: str, uid: int, arg: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed("These buttons belong to someone else — run `/quiz` for your own.", title="Not your quiz")
    services = interaction.client.services
    await ack(interaction)
    now = services.clock.now()
    if action == "resume":
        async with services.read() as session:
            step = await quiz.current(session, services.content, arg, uid)
        resumed = as_edit(ui.render_step(services.content, step))
        resumed["content"] = ""
        await interaction.edit_original_response(**resumed)
        return
    if action == "level":
        async with services.unit() as session:
            added = await starting.enrol_level(session, services.content, uid, arg, now)
        what = f"{plural(added.topics, 'topic')} of Level {arg} ({plural(added.questions, 'question')})"
        text = f"📅 Added {what} to your reviews."
        await interaction.followup.send(text, ephemeral=True)
        return
    async with services.unit() as session:
        previous = await starting.resumable(session, uid, now)
        if previous is not None:
            await quiz.stop(session, services.content, previous.id, uid, now)
    message = await _begin(services, uid, topic=None, level=None, count=10, mode="review")
    await interaction.edit_original_response(**as_edit(message))


def resume_offer(uid: int, qs: quiz.QuizSession) -> Message:
    """Continue an unfinished session, or start a new one."""
    left = len(qs.queue) - qs.position
    embed = discord.Embed(
        title="📚 Pick up where you left off?",
        description=f"Your last session has {plural(left, 'question')} left (of {len(qs.queue)}).",
        colour=ui.COLOUR,
    )
    view = static_view(
        [
            StartButton(
                "resume",
                uid,
                qs.id,
                f"Continue your session ({left} of {len(qs.queue)} left)",
                discord.ButtonStyle.primary,
            ),
            StartButton("new", uid, 0, "Start a new one"),
        ]
    )
    return {"embed": embed, "view": view}


class QuizCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(StartButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(StartButton)

    @app_commands.command(name="quiz", description="Review what's due with spaced repetition, or practise a topic")
    @app_commands.describe(
        topic="Only this topic (adds it to your reviews)",
        level="Only this roadmap level (adds its next topic)",
        count="How many questions (1–50, default 10)",
        mode="review (default); cram: practice that doesn't change your schedule; mistakes: what you got wrong lately",
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    @everywhere
    async def quiz_cmd(
        self,
        interaction: StudyInteraction,
        topic: str | None = None,
        level: int | None = None,
        count: app_commands.Range[int, 1, 50] = 10,
        mode: QuizMode = "review",
    ) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=personal(interaction), thinking=True)
        uid = interaction.user.id
        topic_id = resolve_topic(services.content, topic) if topic else None
        if topic_id is None and level is None and mode == "review":
            async with services.read() as session:
                unfinished = await starting.resumable(session, uid, services.clock.now())
            if unfinished is not None:
                await interaction.followup.send(**resume_offer(uid, unfinished))
                return
        await interaction.followup.send(
            **await _begin(services, uid, topic=topic_id, level=level, count=count, mode=mode)
        )


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(QuizCog(bot))
