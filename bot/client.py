"""The study bot: start-up order, shared components, command sync by payload hash, clean
shutdown. One class, ``StudyBot``; ``ShardedStudyBot`` is the same bot over several
shards (discord.py's AutoShardedBot), chosen by ``create_bot`` from the settings."""

from __future__ import annotations

import hashlib
import json
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot import gateway_guard, ratelimit_watch
from bot.db import queries
from bot.delivery.direct import DirectMessages
from bot.delivery.posts import ChannelPosts
from bot.health import HealthServer
from bot.http_buckets import bound_buckets
from bot.services import Services
from bot.ui import start as start_flow
from bot.ui.channels import AnswerButton
from bot.ui.charts import ChartWorker
from bot.ui.digest import DigestButton
from bot.ui.quiz import QuizButton
from bot.ui.reports import ReportButton
from scheduler.core import StudyScheduler
from scheduler.dispatch import Deliverers

log = logging.getLogger(__name__)

# One extension per command group, named after it. Extensions never import each other.
EXTENSIONS = (
    "bot.exts.errors",
    "bot.exts.start",
    "bot.exts.help",
    "bot.exts.quiz",
    "bot.exts.roadmap",
    "bot.exts.resources",
    "bot.exts.reminders",
    "bot.exts.settings",
    "bot.exts.study_channels",
    "bot.exts.leaderboard",
    "bot.exts.stats",
    "bot.exts.progress",
    "bot.exts.mydata",
    "bot.exts.admin",
)
# Buttons that more than one feature (or the scheduler) sends: registered by the client,
# so they keep working whichever extensions are loaded.
SHARED_ITEMS = (QuizButton, DigestButton, AnswerButton, ReportButton, *start_flow.SHARED)
CommandPayload = dict[str, object]


def intents() -> discord.Intents:
    """Slash commands and buttons need no privileged intents: guilds is enough."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class StudyBot(commands.Bot):
    """The bot, with its services. ``mode``: "run" (serve), "sync" (register commands only)."""

    def __init__(self, services: Services, *, mode: str = "run", guild_ready_timeout: float = 2.0) -> None:
        # No prefix commands, no message cache, no member chunking: slash commands only.
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            max_messages=None,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
        )
        self._attach(services, mode)

    def _attach(self, services: Services, mode: str) -> None:
        self.services = services
        self.metrics = services.metrics
        # Every DM channel is a bucket: keep discord.py's table bounded (see bot.http_buckets).
        self.buckets = bound_buckets(self.http)
        self.charts = ChartWorker()
        self.mode = mode
        self.scheduler: StudyScheduler | None = None
        self.health: HealthServer | None = None
        self.synced_commands = False
        self.dm = DirectMessages(self, services)
        self.posts = ChannelPosts(self, services)
        self._watch: ratelimit_watch.RateLimitWatcher | None = None

    async def setup_hook(self) -> None:
        gateway_guard.install()
        self._watch = ratelimit_watch.install(self.metrics, self.services.limiter)
        await self.services.sync_content_ids()
        self.add_dynamic_items(*SHARED_ITEMS)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.mode == "sync":
            return
        await self.sync_commands_if_changed()
        deliverers = Deliverers(digest=self.dm.deliver, snooze=self.dm.deliver, channel=self.posts.deliver)
        self.scheduler = StudyScheduler(self.services, deliverers, is_ready=self.is_ready, latency=lambda: self.latency)
        self.scheduler.start()
        settings = self.services.settings
        if settings.health_port is not None:
            self.health = HealthServer(self)
            await self.health.start(settings.health_host, settings.health_port)

    # ------------------------------------------------------------ command sync

    def command_payload(self, guild: discord.abc.Snowflake | None = None) -> list[CommandPayload]:
        """The application commands as Discord receives them, in a stable order."""
        found = self.tree.get_commands(guild=guild)
        return sorted((command.to_dict(self.tree) for command in found), key=lambda d: str(d["name"]))

    def command_hash(self, guild: discord.abc.Snowflake | None = None) -> str:
        raw = json.dumps(self.command_payload(guild), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()

    def _hash_key(self, guild_id: int | None) -> str:
        return f"commands:{self.application_id}:{guild_id or 'global'}"

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Register the commands with Discord now (globally, or in one guild); returns how many."""
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        async with self.services.unit() as session:
            await queries.set_state(
                session, self._hash_key(guild_id), self.command_hash(guild), self.services.clock.now()
            )
        self.synced_commands = True
        log.info("synced %d application commands (%s)", len(synced), f"guild {guild_id}" if guild_id else "global")
        return len(synced)

    async def sync_commands_if_changed(self) -> bool:
        """Sync only when the command definitions differ from the last sync (a stored hash)."""
        guild_id = self.services.settings.dev_guild_id
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        async with self.services.read() as session:
            stored = await queries.get_state(session, self._hash_key(guild_id))
        if stored == self.command_hash(guild):
            log.info("application commands unchanged; not syncing")
            return False
        await self.sync_commands(guild_id)
        return True

    # ------------------------------------------------------------ events

    def dispatch(self, event_name: str, /, *args: object, **kwargs: object) -> None:
        # Called synchronously while the gateway event is parsed: the interaction's arrival.
        if event_name == "interaction" and args and isinstance(args[0], discord.Interaction):
            args[0].extras["received"] = time.perf_counter()
        super().dispatch(event_name, *args, **kwargs)

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[commands.Cog, ..., None]
    ) -> None:
        received = interaction.extras.get("received")
        name = command.qualified_name
        self.metrics.commands.labels(name=name, result="ok").inc()
        if isinstance(received, float):
            self.metrics.command_latency.labels(name=name).observe(time.perf_counter() - received)

    async def close(self) -> None:
        """Stop claiming and finish in-flight sends (bounded), then HTTP/gateway, then health."""
        if self.scheduler is not None:
            await self.scheduler.shutdown(self.services.settings.shutdown_grace_seconds)
            self.scheduler = None
        self.posts.close()
        self.charts.close()
        await super().close()
        if self.health is not None:
            await self.health.stop()
            self.health = None
        if self._watch is not None:
            ratelimit_watch.uninstall(self._watch)
            self._watch = None


class ShardedStudyBot(StudyBot, commands.AutoShardedBot):
    """The same bot over several shards: AutoShardedBot's connection handling, the rest
    unchanged (its constructor differs only in the shard options)."""

    def __init__(
        self,
        services: Services,
        *,
        shard_count: int,
        shard_ids: list[int] | None = None,
        mode: str = "run",
        guild_ready_timeout: float = 2.0,
    ) -> None:
        commands.AutoShardedBot.__init__(
            self,
            command_prefix=commands.when_mentioned,
            intents=intents(),
            help_command=None,
            max_messages=None,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=shard_count,
            shard_ids=shard_ids if shard_ids is not None else list(range(shard_count)),
        )
        self._attach(services, mode)


def create_bot(services: Services, *, mode: str = "run", guild_ready_timeout: float = 2.0) -> StudyBot:
    """The bot the settings ask for: sharded when SHARD_COUNT is set."""
    settings = services.settings
    if settings.shard_count:
        return ShardedStudyBot(
            services,
            mode=mode,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,
        )
    return StudyBot(services, mode=mode, guild_ready_timeout=guild_ready_timeout)
