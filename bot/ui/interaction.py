"""Interactions with the study bot, typed: ``StudyInteraction`` is an interaction whose
``client`` is the ``StudyBot``, so ``interaction.client.services`` is typed all the way."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

import discord

if TYPE_CHECKING:
    from bot.client import StudyBot
    from bot.services import Services

StudyInteraction: TypeAlias = "discord.Interaction[StudyBot]"


def narrow(interaction: discord.Interaction) -> StudyInteraction:
    """The same interaction, typed as the study bot's (checked). For the few entry points
    discord.py types loosely: component callbacks and autocomplete."""
    from bot.client import StudyBot

    if not isinstance(interaction.client, StudyBot):
        raise TypeError(f"an interaction of {type(interaction.client).__name__}, not of the study bot")
    return cast("discord.Interaction[StudyBot]", interaction)


def services_of(interaction: discord.Interaction) -> Services:
    """The services of the bot that received ``interaction``."""
    return narrow(interaction).client.services


def personal(interaction: discord.Interaction) -> bool:
    """Should the reply be private? Yes wherever others could read it: in a server (the bot's
    or, for the personal app, someone else's) and in group DMs; not in a DM with the bot."""
    return interaction.guild_id is not None or interaction.context.private_channel


def bot_present(interaction: discord.Interaction) -> bool:
    """Is the bot itself where the interaction happened (so it may read or post there)? Not
    when the personal app is used in a server or a DM the bot is not part of."""
    if interaction.guild_id is None:
        return not interaction.context.private_channel
    return interaction.is_guild_integration() and interaction.client.get_guild(interaction.guild_id) is not None
