"""The Bot: start-up order, command sync by payload hash, clean shutdown."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.db import queries
from bot.services import Services

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.errors",
    "bot.exts.quiz",
    "bot.exts.roadmap",
    "bot.exts.reminders",
    "bot.exts.study_channels",
    "bot.exts.leaderboard",
    "bot.exts.stats",
    "bot.exts.admin",
)


def intents() -> discord.Intents:
    """Slash commands and buttons need no privileged intents: guilds is enough."""
    i = discord.Intents.none()
    i.guilds = True
    return i


class StudyBotMixin:
    services: Services
    tree: app_commands.CommandTree[Any]
    scheduler: Any

    def _init_study(self, services: Services, *, mode: str) -> None:
        self.services = services
        self.metrics = services.metrics
        self.mode = mode  # "run" | "sync" | "console"
        self.scheduler = None
        self.health: Any = None
        self.synced_commands = False

    async def setup_hook(self) -> None:
        from bot import gateway_guard, ratelimit_watch

        gateway_guard.install()
        self._watch = ratelimit_watch.install(self.metrics, self.services.limiter)
        await self.services.sync_content_ids()
        for ext in EXTENSIONS:
            await self.load_extension(ext)  # type: ignore[attr-defined]
        if self.mode == "sync":
            return
        await self.sync_commands_if_changed()
        from scheduler.core import StudyScheduler

        self.scheduler = StudyScheduler(self)
        self.scheduler.start()
        settings = self.services.settings
        if settings.health_port is not None:
            from bot.health import HealthServer

            self.health = HealthServer(self)
            await self.health.start(settings.health_host, settings.health_port)

    # ------------------------------------------------------------ command sync

    def command_payload(self, guild: discord.abc.Snowflake | None = None) -> list[dict[str, Any]]:
        cmds = self.tree.get_commands(guild=guild)
        return sorted((c.to_dict(self.tree) for c in cmds), key=lambda d: d["name"])

    def command_hash(self, guild: discord.abc.Snowflake | None = None) -> str:
        raw = json.dumps(self.command_payload(guild), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()

    def _hash_key(self, guild_id: int | None) -> str:
        app = getattr(self, "application_id", None)
        return f"commands:{app}:{guild_id or 'global'}"

    async def sync_commands(self, guild_id: int | None = None) -> int:
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        async with self.services.unit() as s:
            await queries.set_state(s, self._hash_key(guild_id), self.command_hash(guild), self.services.clock.now())
        self.synced_commands = True
        log.info("synced %d application commands (%s)", len(synced), f"guild {guild_id}" if guild_id else "global")
        return len(synced)

    async def sync_commands_if_changed(self) -> bool:
        guild_id = self.services.settings.dev_guild_id
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        async with self.services.read() as s:
            stored = await queries.get_state(s, self._hash_key(guild_id))
        if stored == self.command_hash(guild):
            log.info("application commands unchanged; not syncing")
            return False
        await self.sync_commands(guild_id)
        return True

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        # Called synchronously while the gateway event is parsed: the interaction's arrival.
        if event_name == "interaction" and args:
            args[0].extras["received"] = time.perf_counter()
        super().dispatch(event_name, *args, **kwargs)  # type: ignore[misc]

    async def on_app_command_completion(self, interaction: Any, command: Any) -> None:
        received = interaction.extras.get("received")
        name = getattr(command, "qualified_name", "?")
        self.metrics.commands.inc(name=name, result="ok")
        if received is not None:
            self.metrics.command_latency.observe(time.perf_counter() - received, name=name)

    async def close(self) -> None:
        """Stop claiming and finish in-flight sends (bounded), then HTTP/gateway, then health."""
        if self.scheduler is not None:
            await self.scheduler.shutdown(self.services.settings.shutdown_grace_seconds)
            self.scheduler = None
        await super().close()  # type: ignore[misc]
        if self.health is not None:
            await self.health.stop()
            self.health = None
        watch = getattr(self, "_watch", None)
        if watch is not None:
            from bot import ratelimit_watch

            ratelimit_watch.uninstall(watch)
            del self._watch


def _client_options(**kwargs: Any) -> dict[str, Any]:
    """No prefix commands, no message cache, no member chunking: slash commands only."""
    return {
        "command_prefix": commands.when_mentioned,
        "intents": intents(),
        "help_command": None,
        "max_messages": None,
        "chunk_guilds_at_startup": False,
        **kwargs,
    }


class StudyBot(StudyBotMixin, commands.Bot):
    def __init__(self, services: Services, *, mode: str = "run", **kwargs: Any) -> None:
        super().__init__(**_client_options(**kwargs))
        self._init_study(services, mode=mode)


class ShardedStudyBot(StudyBotMixin, commands.AutoShardedBot):
    def __init__(self, services: Services, *, mode: str = "run", **kwargs: Any) -> None:
        super().__init__(**_client_options(**kwargs))
        self._init_study(services, mode=mode)


def create_bot(services: Services, *, mode: str = "run", **kwargs: Any) -> StudyBot | ShardedStudyBot:
    s = services.settings
    if s.shard_count:
        return ShardedStudyBot(services, mode=mode, shard_count=s.shard_count, shard_ids=s.shard_ids, **kwargs)
    return StudyBot(services, mode=mode, **kwargs)
