"""Logging: one line per event, optional JSON, and the bot token never printed."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Anything shaped like a Discord bot token is masked, even if it is not ours.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")


class RedactingFilter(logging.Filter):
    """Masks the configured secrets and token-shaped strings in every record."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s and len(s) >= 8]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return _TOKEN_SHAPE.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            clean = self.redact(text)
            if clean != text:
                record.exc_text = clean
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            payload["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class OneLineFormatter(logging.Formatter):
    """Folds tracebacks onto one line so each event is one line."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " ⏎ ")


# Libraries that write a line per statement or frame at DEBUG: they stay at INFO (or above)
# unless named in LOG_LEVELS.
CHATTY = {
    "aiosqlite": logging.INFO,
    "asyncio": logging.INFO,
    "discord": logging.INFO,
    "sqlalchemy.engine": logging.WARNING,
    "sqlalchemy.pool": logging.WARNING,
    "apscheduler": logging.WARNING,
    "matplotlib": logging.INFO,
    "PIL": logging.INFO,
    "aiohttp.access": logging.WARNING,
}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def parse_levels(text: str | None) -> dict[str, str]:
    """``"aiosqlite=DEBUG, discord.gateway=INFO"`` → {logger: level}; raises ValueError."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, level = part.partition("=")
        name, level = name.strip(), level.strip().upper()
        if not sep or not name or level not in LEVELS:
            raise ValueError(
                f"{part.strip()!r} is not logger=LEVEL (e.g. aiosqlite=DEBUG); levels: {', '.join(LEVELS)}"
            )
        out[name] = level
    return out


def setup_logging(
    level: str = "INFO",
    *,
    json_logs: bool = False,
    secrets: list[str] | None = None,
    levels: dict[str, str] | None = None,
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    base = logging.getLevelName(level)
    for name, floor in CHATTY.items():
        logging.getLogger(name).setLevel(max(floor, base))
    for name, named in (levels or {}).items():
        logging.getLogger(name).setLevel(named)
