"""Typed settings from the environment and an optional ``.env`` file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DB_URL = "sqlite+aiosqlite:///./data/studybot.sqlite3"
DISCORD_API = "https://discord.com/api/v10"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")

# A bot token is three base64url parts separated by dots.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")

TOKEN_HELP = (
    "No valid Discord bot token is configured. Create an application at "
    "https://discord.com/developers/applications, open Bot → Reset Token, and put it in "
    "the DISCORD_TOKEN environment variable or in a .env file next to README.md "
    "(DISCORD_TOKEN=...). To try the bot without a token, run `make console` (the offline console)."
)


class ConfigError(Exception):
    """Configuration is missing or malformed; the message says how to fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    discord_token: SecretStr | None = Field(default=None, description="The bot token.")
    database_url: str = Field(default=DEFAULT_DB_URL)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    # Per-logger levels, e.g. "aiosqlite=DEBUG,discord.gateway=DEBUG" (chatty libraries stay
    # at INFO under LOG_LEVEL=DEBUG unless named here).
    log_levels: str = ""
    content_dir: Path = Path("content")
    discord_api_base: str = DISCORD_API
    discord_gateway_url: str | None = None
    owner_ids: list[int] = Field(default_factory=list)
    dev_guild_id: int | None = None
    rate_limit_per_second: float = Field(default=48.0, gt=0, le=50)
    digest_grace_hours: float = Field(default=6.0, ge=0, le=24)
    # How often the dispatcher looks for due digests and posts; 0 turns the periodic tick off.
    dispatch_interval_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Seconds a claimed digest or post may stay unsent before another process takes it over.
    # Renewed every third of it by the working process; keep it well inside Discord's nonce
    # window (a few minutes), so a takeover's re-send is de-duplicated (see the README).
    claim_timeout_seconds: float = Field(default=60.0, ge=1, le=600)
    # On SIGTERM: how long in-flight sends may take before the rest is released.
    shutdown_grace_seconds: float = Field(default=10.0, ge=0, le=300)
    # Processes sharing the work (each sends under its share of the rate limit).
    process_count: int = Field(default=1, ge=1, le=64)
    process_name: str | None = None
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    # SQLite only: a consistent copy of the database every day, the newest BACKUP_KEEP kept.
    backup_daily: bool = True
    backup_dir: Path = Path("data/backups")
    backup_keep: int = Field(default=7, ge=1, le=365)
    # FSRS parameters: a learner's own set is fitted from this many of their reviews of a
    # question kind; the daily refit runs at this UTC hour, each fit bounded to this many seconds.
    fsrs_personal_min_reviews: int = Field(default=2000, ge=100, le=1_000_000)
    fsrs_refit_hour: int = Field(default=4, ge=0, le=23)
    fsrs_fit_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)
    health_port: int | None = Field(default=None, ge=0, le=65535)  # 0: any free port
    health_host: str = "127.0.0.1"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_levels")
    @classmethod
    def _check_levels(cls, value: str) -> str:
        from bot.logs import parse_levels

        parse_levels(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "DATABASE_URL is not a database URL; expected e.g. "
                f"{DEFAULT_DB_URL} or postgresql+asyncpg://user@host/dbname"
            ) from None
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(f"DATABASE_URL uses driver {url.drivername!r}; supported: " + ", ".join(SUPPORTED_DRIVERS))
        return value

    @field_validator("discord_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("DISCORD_API_BASE must start with http:// or https://")
        return value.rstrip("/")

    @property
    def is_real_discord(self) -> bool:
        return self.discord_api_base == DISCORD_API

    def require_token(self) -> str:
        """The token, or a ConfigError explaining how to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise ConfigError(TOKEN_HELP)
        token = self.discord_token.get_secret_value().strip()
        if self.is_real_discord and not _TOKEN_RE.match(token):
            raise ConfigError("DISCORD_TOKEN does not look like a bot token. " + TOKEN_HELP)
        return token


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning validation errors into one readable ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]).upper() or "settings"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{field}: {msg}")
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(lines)) from None
