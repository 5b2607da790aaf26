"""What Discord's answer to a scheduled send means for the delivery: the permanent refusals
that end it, and the transient failures that are retried (see ``scheduler.dispatch``)."""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from scheduler.ledger import Outcome

DM_CLOSED = 50007  # "Cannot send messages to this user"
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
# Failures that come and go: Discord's own trouble, the network, a time-out.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (asyncio.TimeoutError, aiohttp.ClientError, OSError)


def describe(exc: discord.HTTPException) -> str:
    return f"HTTP {exc.status} {exc.code}: {exc.text}"[:300]


def outcome_for_dm(exc: BaseException) -> Outcome:
    """The outcome of a DM that raised ``exc``. Re-raises anything that is not Discord's or
    the network's (a bug is not a delivery outcome)."""
    if isinstance(exc, discord.Forbidden):
        # 50007: the learner closed their DMs (or blocked the bot); other 403s are also final.
        return Outcome("closed" if exc.code == DM_CLOSED else "failed", error=describe(exc))
    return _common(exc)


def outcome_for_post(exc: BaseException) -> Outcome:
    """The outcome of a channel post that raised ``exc`` (permanent refusals pause the channel,
    which the caller does)."""
    return _common(exc)


def permanent(outcome: Outcome) -> bool:
    return outcome.status in ("closed", "failed")


def _common(exc: BaseException) -> Outcome:
    if isinstance(exc, discord.DiscordServerError) or (isinstance(exc, discord.HTTPException) and exc.status >= 500):
        return Outcome.retry(describe(exc))
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return Outcome.retry(describe(exc))
        return Outcome("failed", error=describe(exc))
    if isinstance(exc, NETWORK_ERRORS):
        return Outcome.retry(f"{type(exc).__name__}: {exc}"[:300])
    raise exc
