"""Point discord.py at Discord or at a Discord-compatible server (e.g. the local one)."""

from __future__ import annotations

import logging

import aiohttp
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.settings import DISCORD_API, ConfigError, Settings

log = logging.getLogger(__name__)
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


async def discover_gateway(api_base: str, token: str) -> str:
    """Ask a Discord-compatible server where its gateway is (GET /gateway/bot)."""
    url = f"{api_base}/gateway/bot"
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(url, headers={"Authorization": f"Bot {token}"}, timeout=aiohttp.ClientTimeout(total=10)) as resp,
        ):
            if resp.status != 200:
                raise ConfigError(f"{url} answered HTTP {resp.status}; is DISCORD_API_BASE right?")
            return str((await resp.json(content_type=None))["url"])
    except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
        raise ConfigError(f"Could not discover the gateway at {url}: {exc}") from None


async def apply_endpoints(settings: Settings, token: str) -> None:
    """Set discord.py's REST base and gateway URL before the client starts."""
    gateway = settings.discord_gateway_url
    if gateway is None:
        gateway = (
            DISCORD_GATEWAY
            if settings.discord_api_base == DISCORD_API
            else await discover_gateway(settings.discord_api_base, token)
        )
    set_endpoints(settings.discord_api_base, gateway)


def set_endpoints(api_base: str, gateway: str) -> None:
    Route.BASE = api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    if api_base.rstrip("/") != DISCORD_API:
        log.info("Using Discord-compatible server at %s (gateway %s)", api_base, gateway)


def reset_endpoints() -> None:
    set_endpoints(DISCORD_API, DISCORD_GATEWAY)
