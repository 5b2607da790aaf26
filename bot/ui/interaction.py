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
