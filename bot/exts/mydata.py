"""/mydata: download everything stored about you, or erase it all after a confirmation."""

from __future__ import annotations

import io
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StudyBot
from bot.errors import NotAllowed
from bot.study import mydata
from bot.ui.components import Item, static_view
from bot.ui.installs import BOTH_INSTALLS, EVERYWHERE
from bot.ui.interaction import StudyInteraction, narrow
from bot.ui.replies import ack, guarded
from bot.ui.text import clip


class DeleteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"md:(?P<action>del|keep):(?P<uid>\d+)"
):
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
        cls, interaction: discord.Interaction, item: Item, match: re.Match[str], /
    ) -> DeleteButton:
        return cls(match["action"], int(match["uid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        typed = narrow(interaction)
        await guarded(typed, lambda: on_delete(typed, self.action, self.uid))


async def on_delete(interaction: StudyInteraction, action: str, uid: int) -> None:
    if interaction.user.id != uid:
        raise NotAllowed("Only the person whose data it is can confirm this.", title="Not your data")
    services = interaction.client.services
    await ack(interaction)
    if action == "keep":
        await interaction.edit_original_response(content="Nothing was deleted.", embed=None, view=None)
        return
    user = interaction.user
    names = tuple({user.name, user.display_name, getattr(user, "global_name", None) or ""})
    async with services.unit() as session:
        counts = await mydata.delete_all(session, uid, names)
    lines = [f"• {n} {mydata.DESCRIPTIONS.get(kind, kind)}" for kind, n in counts.items() if n]
    text = "🗑️ **Deleted.** " + ("Removed:\n" + "\n".join(lines) if lines else "There was nothing stored about you.")
    text += "\nUsing the bot again starts fresh."
    await interaction.edit_original_response(content=clip(text, 2000), embed=None, view=None)


class MyDataCog(commands.Cog):
    def __init__(self, bot: StudyBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DeleteButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DeleteButton)

    group = app_commands.Group(
        name="mydata",
        description="Your data: take it or erase it",
        allowed_contexts=EVERYWHERE,
        allowed_installs=BOTH_INSTALLS,
    )

    @group.command(name="export", description="Download everything the bot stores about you (JSON + CSV)")
    async def export(self, interaction: StudyInteraction) -> None:
        services = self.bot.services
        await ack(interaction, ephemeral=True, thinking=True)
        async with services.read() as session:
            data = await mydata.export(session, interaction.user.id)
        files = [discord.File(io.BytesIO(body), name) for name, body in mydata.export_files(data).items()]
        records = mydata.record_count(data)
        await interaction.followup.send(
            f"📦 Here is everything stored about you ({records} records): your settings, "
            "progress, cards, review log (also as CSV) and more.",
            files=files,
            ephemeral=True,
        )

    @group.command(name="delete", description="Erase everything the bot stores about you")
    async def delete(self, interaction: StudyInteraction) -> None:
        uid = interaction.user.id
        await interaction.response.send_message(
            "⚠️ This erases your progress, review history, schedules, settings and leaderboard entries for good. "
            "Export first with `/mydata export` if you want a copy.",
            view=static_view([DeleteButton("del", uid), DeleteButton("keep", uid)]),
            ephemeral=True,
        )


async def setup(bot: StudyBot) -> None:
    await bot.add_cog(MyDataCog(bot))
