"""Consistent copies of a live SQLite database, and the daily backups kept beside it.

SQLite's online backup API copies the database page by page from a read transaction; in
WAL mode that transaction is a snapshot, so the copy holds exactly what was committed when
it began, while the bot goes on writing. Restoring is a file copy with the bot stopped
(see the README). PostgreSQL is backed up with its own tools (``pg_dump``).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PREFIX, SUFFIX = "studybot-", ".sqlite3"


class BackupError(Exception):
    """The backup could not be made; the message says why."""


def sqlite_file(url: str) -> Path:
    """The database file of a SQLite URL (BackupError for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            f"backups are for SQLite; this database is {parsed.get_backend_name()}: use pg_dump (see the README)"
        )
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise BackupError(f"{url} is not a database file")
    path = Path(parsed.database)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    return path


def backup_name(now: datetime) -> str:
    return f"{PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIX}"


def backup_file(source: Path, dest: Path) -> Path:
    """Copy ``source`` to ``dest`` (a file, or a folder, existing or without a suffix, to put a
    timestamped file in) with the online backup API, check the copy, and return its path.
    Safe while others write."""
    if dest.is_dir() or not dest.suffix:
        dest = dest / backup_name(datetime.now().astimezone())
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)  # one step: one consistent snapshot
            ok = out.execute("PRAGMA integrity_check").fetchone()
            if ok is None or ok[0] != "ok":
                raise BackupError(f"the copy failed its integrity check: {ok}")
            out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            out.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"could not back up {source}: {exc}") from exc
    finally:
        src.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(dest)
    return dest


def backups_in(folder: Path) -> list[Path]:
    """The bot's own backups in ``folder``, oldest first."""
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}")) if folder.is_dir() else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was removed."""
    old = backups_in(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def latest_age_hours(folder: Path, now: datetime) -> float | None:
    """Hours since the newest backup in ``folder`` was written (None: there is none)."""
    found = backups_in(folder)
    if not found:
        return None
    return (now.timestamp() - found[-1].stat().st_mtime) / 3600
