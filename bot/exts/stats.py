"""/stats, /progress and /mydata: pictures and numbers, and a learner's data rights."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.db import queries
from bot.errors import NotAllowed
from bot.study import mydata, progress
from bot.study import stats as st
from bot.ui.charts import render_stats_png
from bot.ui.components import static_view
from bot.ui.replies import ack, guarded
from bot.ui.text import clip

COLOUR = discord.Colour.blue()


def stats_embed(s: st.Stats) -> discord.Embed:
    e = discord.Embed(title="📊 Your study stats", colour=COLOUR)
    e.add_field(name="Streak", value=f"🔥 **{s.current_streak}** day(s) · best {s.best_streak}")
    retention = "—" if s.retention_30d is None else f"**{round(100 * s.retention_30d)}%** of {s.retention_30d_n}"
    e.add_field(name="True retention (30 days)", value=retention)
    last7 = sum(v for d, v in s.reviews_by_day.items() if (s.today - d).days < 7)
    e.add_field(name="Reviews", value=f"{last7} this week · {s.total_reviews} in all")
    cards = s.cards_by_state
    e.add_field(
        name="Cards",
        value=f"{cards['new']} new · {cards['learning'] + cards['relearning']} learning · "
        f"{cards['review']} learned" + (f" · {cards['suspended']} suspended" if cards["suspended"] else ""),
    )
    e.add_field(name="Due", value=f"{s.forecast[0]} today · {sum(s.forecast[:7])} this week")
    e.add_field(
        name="Time studied",
        value=f"{st.format_duration(s.study_seconds_90d)} (90 days) · "
        f"{st.format_duration(s.study_seconds_total)} in all",
    )
    e.set_image(url="attachment://stats.png")
    e.set_footer(text="A study day is a local day (from your day-start hour) with at least one answer.")
    return e


class DeleteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"md:(?P<action>del|keep):(?P<uid>\d+)"):
    def __init__(self, action: str, uid: int) -> None:
        label, style = (
            ("Yes, delete everything", discord.ButtonStyle.danger)
            if action == "del"
            else ("Cancel", discord.ButtonStyle.secondary)
        )
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"md:{action}:{uid}"))
        self.action, self.uid = action, uid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeleteButton:
        return cls(match["action"], int(match["uid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, lambda: on_delete(interaction, self.action, self.uid))


async def on_delete(interaction: discord.Interaction, action: str, uid: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed("Only the person whose data it is can confirm this.")
    services = interaction.client.services  # type: ignore[attr-defined]
    await ack(interaction)
    if action == "keep":
        await interaction.edit_original_response(content="Nothing was deleted.", embed=None, view=None)
        return
    user = interaction.user
    names = tuple({user.name, user.display_name, getattr(user, "global_name", None) or ""})
    async with services.unit() as s:
        counts = await mydata.delete_all(s, uid, names)
    lines = [f"• {n} {mydata.DESCRIPTIONS.get(k, k)}" for k, n in counts.items() if n]
    text = "🗑️ **Deleted.** " + ("Removed:\n" + "\n".join(lines) if lines else "There was nothing stored about you.")
    text += "\nUsing the bot again starts fresh."
    await interaction.edit_original_response(content=clip(text, 2000), embed=None, view=None)


class Stats(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @property
    def services(self) -> Any:
        return self.bot.services  # type: ignore[attr-defined]

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DeleteButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DeleteButton)

    @app_commands.command(name="stats", description="Your reviews, retention, streak and forecast, with a chart")
    async def stats(self, interaction: discord.Interaction) -> None:
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        now = self.services.clock.now()
        async with self.services.read() as s:
            learner = await queries.learner_or_default(s, interaction.user.id, now)
            data = await st.compute(s, learner, now)
        if data.empty:
            await interaction.followup.send(
                embed=discord.Embed(
                    title="📊 Nothing to chart yet",
                    colour=COLOUR,
                    description="Your stats start with your first answer. Try `/quiz topic:…` or browse `/roadmap` — "
                    "every review you do shows up here: streaks, retention and what's due next.",
                )
            )
            return
        png = await asyncio.to_thread(render_stats_png, data)
        await interaction.followup.send(embed=stats_embed(data), file=discord.File(io.BytesIO(png), "stats.png"))

    @app_commands.command(name="progress", description="Roadmap completion per level and what to learn next")
    async def progress_cmd(self, interaction: discord.Interaction) -> None:
        await ack(interaction, ephemeral=interaction.guild is not None, thinking=True)
        now = self.services.clock.now()
        async with self.services.read() as s:
            levels = await progress.roadmap_progress(s, self.services.content, interaction.user.id, now)
        e = discord.Embed(title="🗺️ Your roadmap progress", colour=COLOUR)
        for lp in levels:
            done = sum(t.status == "done" for t in lp.topics)
            skipped = sum(t.status == "skipped" for t in lp.topics)
            mastered = sum(t.mastered and t.status not in ("done", "skipped") for t in lp.topics)
            e.add_field(
                name=clip(f"{lp.level.emoji} {lp.level.title}", 256),
                inline=False,
                value=f"`{progress.bar(lp.fraction)}` {round(100 * lp.fraction)}% · {done} done · "
                f"{skipped} skipped · {mastered} mastered (of {len(lp.topics)})",
            )
        nxt = progress.suggest_next(self.services.content, levels)
        if nxt is not None:
            needs = [self.services.content.topics[p].name for p in nxt.prerequisites]
            e.description = (
                f"**Next up: {nxt.name}** (Level {nxt.level})"
                + (f" — builds on {', '.join(needs)}" if needs else "")
                + f"\n`/roadmap topic:{nxt.id}` to open it, `/quiz topic:{nxt.id}` to start."
            )
        else:
            e.description = "🎉 Every topic is done, skipped or mastered!"
        await interaction.followup.send(embed=e)

    mydata_group = app_commands.Group(name="mydata", description="Your data: take it or erase it")

    @mydata_group.command(name="export", description="Download everything the bot stores about you (JSON + CSV)")
    async def export(self, interaction: discord.Interaction) -> None:
        await ack(interaction, ephemeral=True, thinking=True)
        async with self.services.read() as s:
            data = await mydata.export(s, interaction.user.id)
        files = [discord.File(io.BytesIO(b), name) for name, b in mydata.export_files(data).items()]
        n = sum(len(v) for v in data.values() if isinstance(v, list))
        await interaction.followup.send(
            f"📦 Here is everything stored about you ({n} records): your settings, "
            "progress, cards, review log (also as CSV) and more.",
            files=files,
            ephemeral=True,
        )

    @mydata_group.command(name="delete", description="Erase everything the bot stores about you")
    async def delete(self, interaction: discord.Interaction) -> None:
        uid = interaction.user.id
        await interaction.response.send_message(
            "⚠️ This erases your progress, review history, schedules, settings and leaderboard entries for good. "
            "Export first with `/mydata export` if you want a copy.",
            view=static_view([DeleteButton("del", uid), DeleteButton("keep", uid)]),
            ephemeral=True,
        )


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Stats(bot))
