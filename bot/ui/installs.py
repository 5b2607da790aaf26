"""Where each command may be used: as a server bot, as a personal ("Add to my apps") app, or both.

Personal commands (learning, reviewing, your settings and data) work anywhere: in servers
that installed the bot, in DMs with it, and, installed to the user, in any server or group
DM. Server commands (study channels, leaderboards, owner tools) need the bot in the server.
"""

from __future__ import annotations

from typing import TypeVar

from discord import app_commands

Command = TypeVar("Command")

EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)
BOTH_INSTALLS = app_commands.AppInstallationType(guild=True, user=True)
SERVER = app_commands.AppCommandContext(guild=True)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True)


def everywhere(command: Command) -> Command:
    """A personal command: both installs, every context."""
    in_contexts = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    return app_commands.allowed_installs(guilds=True, users=True)(in_contexts(command))
