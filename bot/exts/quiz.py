"""/quiz: spaced-repetition sessions with answer buttons that survive restarts."""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.study import quiz
from bot.study.quiz import Step
from bot.ui import quiz as ui
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.replies import ack, guarded
from scheduler.srs import Rating

log = logging.getLogger(__name__)

ACTIONS = "ans|show|rate|next|adj|stop"


class QuizButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"quiz:(?P<action>{ACTIONS}):(?P<sid>\d+):(?P<pos>\d+)(?::(?P<arg>\d+))?",
):
    """Every quiz button: ``quiz:<action>:<session>:<position>[:<arg>]``."""

    def __init__(
        self,
        action: str,
        sid: int,
        pos: int,
        arg: int | None = None,
        label: str = "?",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
    ) -> None:
        custom_id = f"quiz:{action}:{sid}:{pos}" + (f":{arg}" if arg is not None else "")
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id, disabled=disabled))
        self.action, self.sid, self.pos, self.arg = action, sid, pos, arg

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QuizButton:
        assert isinstance(item, discord.ui.Button)
        arg = match["arg"]
        return cls(
            match["action"],
            int(match["sid"]),
            int(match["pos"]),
            int(arg) if arg else None,
            label=item.label or "?",
            style=item.style,
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: handle_click(interaction, self.action, self.sid, self.pos, self.arg))


def button(
    action: str, sid: int, pos: int, arg: int | None, label: str, style: discord.ButtonStyle, disabled: bool = False
) -> QuizButton:
    return QuizButton(action, sid, pos, arg, label, style, disabled)


def render_step(services: Any, step: Step, extra: list[Any] | None = None) -> dict[str, Any]:
    return {"embed": ui.question_embed(services.content, step), "view": ui.question_view(step, button, extra)}


async def render_summary(services: Any, step: Step) -> dict[str, Any]:
    async with services.read() as s:
        summary = await quiz.summary(s, step.session, services.clock.now())
    return {"embed": ui.summary_embed(summary), "view": None}


async def handle_click(interaction: discord.Interaction, action: str, sid: int, pos: int, arg: int | None) -> None:
    """Acknowledge at once, then do the work and edit the message."""
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction)
    content, now, uid = services.content, services.clock.now(), interaction.user.id
    payload: dict[str, Any] = {}
    finished: Step | None = None
    async with services.unit() as s:
        if action == "ans":
            fb = await quiz.answer(s, content, sid, uid, pos, now, choice=arg)
            payload = {"embed": ui.feedback_embed(content, fb), "view": ui.feedback_view(fb, button)}
        elif action == "rate":
            fb = await quiz.answer(s, content, sid, uid, pos, now, rating=Rating(arg or 3))
            payload = {"embed": ui.feedback_embed(content, fb), "view": ui.feedback_view(fb, button)}
        elif action == "show":
            step = await quiz.current(s, content, sid, uid)
            if step.position != pos or step.session.answered or step.question is None:
                raise quiz.StaleInteraction("That card has already been rated.")
            payload = {"embed": ui.flashcard_embed(content, step), "view": ui.flashcard_view(step, button)}
        elif action == "adj":
            await quiz.adjust(s, content, sid, uid, pos, Rating(arg or 3), now)
            payload = {}
        elif action == "next":
            step = await quiz.advance(s, content, sid, uid, pos, now)
            if step.finished:
                finished = step
            else:
                payload = render_step(services, step)
        else:  # stop
            finished = await quiz.stop(s, content, sid, uid, now)
    if finished is not None:
        payload = await render_summary(services, finished)
    if action == "adj":
        await interaction.followup.send(
            f"Got it — rated **{ui.RATING_LABEL[Rating(arg or 3)]}**. Your schedule is updated.", ephemeral=True
        )
        return
    await interaction.edit_original_response(**payload)


QuizMode = Literal["review", "cram"]


class Quiz(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(QuizButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(QuizButton)

    @app_commands.command(name="quiz", description="Review what's due with spaced repetition, or practise a topic")
    @app_commands.describe(
        topic="Only this topic (adds it to your reviews)",
        level="Only this roadmap level",
        count="How many questions (1–50, default 10)",
        mode="review (default) schedules your next reviews; cram is practice that doesn't",
    )
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.autocomplete(level=level_choices)
    async def quiz_cmd(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        level: int | None = None,
        count: app_commands.Range[int, 1, 50] = 10,
        mode: QuizMode = "review",
    ) -> None:
        services = self.bot.services  # type: ignore[attr-defined]
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        topic_id = resolve_topic(services.content, topic) if topic else None
        async with services.unit() as s:
            step = await quiz.start(
                s,
                services.content,
                interaction.user.id,
                services.clock.now(),
                topic=topic_id,
                level=level,
                count=count,
                cram=mode == "cram",
            )
        await interaction.followup.send(**render_step(services, step))


def resolve_topic(content: Any, text: str) -> str:
    """A topic id from what the user typed or picked (id or name, case-insensitive)."""
    from bot.ui.autocomplete import find_topic

    topic = find_topic(content, text)
    if topic is None:
        raise quiz.NotFound(f"I don't know a topic called {text!r}. Start typing and pick one of the suggestions.")
    return topic.id


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Quiz(bot))
