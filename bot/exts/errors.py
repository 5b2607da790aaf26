"""One error handler for every application command."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import StudyBot
from bot.errors import InvalidInput, NotAllowed, UserFacingError
from bot.ui.interaction import services_of
from bot.ui.replies import report_error, result_of


def unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    if isinstance(error, app_commands.TransformerError):
        if error.type == discord.AppCommandOptionType.channel:
            msg = "I can't use that channel here: pick a channel of this server that I can see."
            return NotAllowed(msg, title="Channel not usable")
        return InvalidInput(f"{error.value!r} is not a valid {error.type.name} here.", title=f"Not a {error.type.name}")
    if isinstance(error, app_commands.MissingPermissions):
        perms = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return NotAllowed(f"You need the {perms} permission to do that.", title="Missing permission")
    if isinstance(error, app_commands.NoPrivateMessage):
        return UserFacingError("That command only works in a server.", title="Servers only")
    if isinstance(error, app_commands.CheckFailure) and not isinstance(error, UserFacingError):
        return NotAllowed(str(error) or "You can't use that command here.", title="Not available here")
    return error


async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    err = unwrap(error)
    name = interaction.command.qualified_name if interaction.command else "?"
    services_of(interaction).metrics.commands.labels(name=name, result=result_of(err)).inc()
    await report_error(interaction, err)


async def setup(bot: StudyBot) -> None:
    bot.tree.error(on_tree_error)


async def teardown(bot: StudyBot) -> None:
    del bot.tree.on_error  # back to CommandTree.on_error
