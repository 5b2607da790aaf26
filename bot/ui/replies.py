"""Answering interactions: errors as friendly ephemeral embeds, guarded callbacks, and the
acknowledgement timing (Discord's deadline is 3 s)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import discord

from bot.errors import Notice, UserFacingError
from bot.ui.interaction import StudyInteraction

log = logging.getLogger(__name__)
ERROR_COLOUR = discord.Colour.red()
OK_COLOUR = discord.Colour.blurple()


def _received(interaction: discord.Interaction) -> float | None:
    """When the gateway event was parsed (set by the client), if known."""
    value = interaction.extras.get("received")
    return value if isinstance(value, float) else None


def _custom_id(interaction: discord.Interaction) -> str:
    data = interaction.data
    found = data.get("custom_id") if isinstance(data, dict) else None
    return str(found) if found is not None else "?"


async def ack(interaction: StudyInteraction, *, ephemeral: bool = False, thinking: bool = False) -> None:
    """Acknowledge before any slow work, and time it: from the gateway event being parsed to
    the acknowledgement being sent, and to Discord's answer."""
    received = _received(interaction)
    metrics = interaction.client.metrics
    if received is not None:
        metrics.interaction_ack.observe(time.perf_counter() - received)
    await interaction.response.defer(ephemeral=ephemeral, thinking=thinking)
    if received is not None:
        metrics.interaction_ack_roundtrip.observe(time.perf_counter() - received)


def error_embed(err: UserFacingError) -> discord.Embed:
    """The private reply to an expected failure: red with a title saying what went wrong, or
    neutral for a ``Notice`` (nothing to do)."""
    return discord.Embed(title=err.title, description=err.message, colour=OK_COLOUR if err.neutral else ERROR_COLOUR)


async def send_ephemeral(
    interaction: discord.Interaction, *, content: str | None = None, embed: discord.Embed | None = None
) -> None:
    embeds = [embed] if embed is not None else []
    if interaction.response.is_done():
        await interaction.followup.send(content or "", embeds=embeds, ephemeral=True)
    else:
        await interaction.response.send_message(content, embeds=embeds, ephemeral=True)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Show a UserFacingError to the user; log anything else once, with context."""
    if isinstance(error, UserFacingError):
        embed = error_embed(error)
    else:
        where = interaction.command.qualified_name if interaction.command else _custom_id(interaction)
        log.error(
            "unhandled error in %s (user %s, guild %s)",
            where,
            interaction.user.id,
            interaction.guild_id,
            exc_info=error,
        )
        embed = discord.Embed(
            title="Something went wrong",
            description="Sorry — that didn't work. It has been logged; please try again.",
            colour=ERROR_COLOUR,
        )
    try:
        await send_ephemeral(interaction, embed=embed)
    except discord.HTTPException as exc:
        log.warning("could not report an error to user %s: %s", interaction.user.id, exc)


def result_of(error: BaseException) -> str:
    """The metrics label of a request that raised: "ok" for a Notice (a valid request with
    nothing to do), "refused" for another UserFacingError, "error" for a bug."""
    if isinstance(error, Notice):
        return "ok"
    return "refused" if isinstance(error, UserFacingError) else "error"


async def guarded(interaction: StudyInteraction, handler: Callable[[], Awaitable[None]]) -> None:
    """Run a component handler, turning its errors into replies; count and time it."""
    name = ":".join(_custom_id(interaction).split(":")[:2])
    result = "ok"
    try:
        await handler()
    except Exception as exc:  # noqa: BLE001 - every error is reported or logged here
        result = result_of(exc)
        await report_error(interaction, exc)
    metrics = interaction.client.metrics
    metrics.commands.labels(name=name, result=result).inc()
    received = _received(interaction)
    if received is not None:
        metrics.command_latency.labels(name=name).observe(time.perf_counter() - received)
