"""/quiz: a spaced-repetition session (its buttons are the shared ``QuizButton``)."""

from __future__ import annotations

from typing import Literal

from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.study import quiz
from bot.study.lookup import resolve_topic
from bot.ui.autocomplete import level_choices, topic_choices
from bot.ui.interaction import StudyInteraction
from bot.ui.quiz import render_step
from bot.ui.replies import ack

QuizMode = Literal["review", "cram"]


class QuizCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

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
        interaction: StudyInteraction,
        topic: str | None = None,
        level: int | None = None,
        count: app_commands.Range[int, 1, 50] = 10,
        mode: QuizMode = "review",
    ) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        topic_id = resolve_topic(services.content, topic) if topic else None
        async with services.unit() as session:
            step = await quiz.start(
                session,
                services.content,
                interaction.user.id,
                services.clock.now(),
                topic=topic_id,
                level=level,
                count=count,
                cram=mode == "cram",
            )
        await interaction.followup.send(**render_step(services.content, step))


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(QuizCog(bot))
