from __future__ import annotations

import logging

import pytest

from bot.logs import RedactingFilter
from bot.settings import ConfigError, load_settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_missing_token_explains_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    s = load_settings(_env_file=None)
    with pytest.raises(ConfigError) as exc:
        s.require_token()
    msg = str(exc.value)
    assert "discord.com/developers/applications" in msg and "DISCORD_TOKEN" in msg and ".env" in msg
    assert "\n" not in msg


def test_malformed_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    with pytest.raises(ConfigError, match="does not look like a bot token"):
        load_settings(_env_file=None).require_token()


def test_malformed_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "not a url://x")
    with pytest.raises(ConfigError) as exc:
        load_settings(_env_file=None)
    assert "DATABASE_URL" in str(exc.value) and "sqlite+aiosqlite" in str(exc.value)


def test_unsupported_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(ConfigError, match="supported: sqlite\\+aiosqlite, postgresql\\+asyncpg"):
        load_settings(_env_file=None)


def test_token_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    s = load_settings(_env_file=None)
    assert TOKEN not in repr(s) and TOKEN not in str(s)
    assert s.require_token() == TOKEN


def test_env_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=debug\n")
    s = load_settings(_env_file=tmp_path / ".env")
    assert s.require_token() == TOKEN and s.log_level == "DEBUG"


def test_logs_never_contain_the_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    f = RedactingFilter([TOKEN])
    record = logger.makeRecord("x", logging.INFO, __file__, 1, "connecting with %s", (TOKEN,), None)
    f.filter(record)
    assert TOKEN not in record.getMessage() and "[redacted]" in record.getMessage()
    other = "ODk3NjU0MzIxMDk4NzY1NDMy.Gh1jKl.zyxwvutsrqponmlkjihgfedcba987654321"
    record = logger.makeRecord("x", logging.ERROR, __file__, 1, f"bad token {other}", (), None)
    f.filter(record)
    assert other not in record.getMessage()
