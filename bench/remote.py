"""Run the local Discord in its own process, so the bot's figures are the bot's alone."""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from localdiscord.remote import ROOT, RemoteDiscord, remote_discord

__all__ = ["ROOT", "bot_settings", "remote_discord"]


def bot_settings(rd: RemoteDiscord, db_url: str, **extra: Any) -> Settings:
    """Settings for a bot talking to ``rd``."""
    return Settings(
        discord_token=rd.token,
        database_url=db_url,
        discord_api_base=rd.api_base,
        discord_gateway_url=rd.gateway_url,
        content_dir=ROOT / "content",
        backup_daily=False,
        _env_file=None,
        **extra,
    )  # type: ignore[call-arg]
