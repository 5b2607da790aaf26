"""Backups of a live SQLite database, restoring one, and moving the data to PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.db import backup
from bot.db.migrate import upgrade
from bot.db.models import AppState, Card, Delivery, Learner, ReviewLog, StudyChannel
from bot.db.move import MoveError, checksum, move_data, tables
from bot.db.queries import new_card
from bot.db.session import Database, create_engine
from tests.helpers import ROOT

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def url_of(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def test_a_backup_taken_while_the_bot_writes_holds_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "live.sqlite3"
    db = Database(create_engine(url_of(path)))
    await upgrade(db.engine)
    committed = 0
    stop = asyncio.Event()

    async def writer() -> None:
        nonlocal committed
        while not stop.is_set():
            async with db.unit() as s:
                await s.execute(insert(Learner), [{"id": committed + i + 1, "created_at": NOW} for i in range(10)])
            committed += 10
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.3)
    before = committed
    copy = await asyncio.to_thread(backup.backup_file, path, tmp_path / "backups")
    after = committed
    stop.set()
    await task
    await db.dispose()

    assert copy.parent == tmp_path / "backups" and copy.name.startswith("studybot-")
    con = sqlite3.connect(copy)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        n, biggest = con.execute("SELECT COUNT(*), MAX(id) FROM learners").fetchone()
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() is not None
    finally:
        con.close()
    assert before <= n <= after and n % 10 == 0 and biggest == n  # a consistent prefix, whole transactions
    assert not list((tmp_path / "backups").glob("*.partial"))


async def test_restore_is_stop_copy_start(tmp_path: Path) -> None:
    live = tmp_path / "data" / "studybot.sqlite3"
    db = Database(create_engine(url_of(live)))
    await upgrade(db.engine)
    async with db.unit() as s:
        await s.execute(insert(Learner), [{"id": 1, "created_at": NOW}])
    copy = backup.backup_file(live, tmp_path / "backups")
    async with db.unit() as s:  # after the backup: lost by the restore, as expected
        await s.execute(insert(Learner), [{"id": 2, "created_at": NOW}])
    await db.dispose()  # 1. stop the bot

    for extra in live.parent.glob(live.name + "-*"):  # 2. copy (the -wal/-shm files go too)
        extra.unlink()
    shutil.copyfile(copy, live)

    db = Database(create_engine(url_of(live)))  # 3. start
    await upgrade(db.engine)
    async with db.read() as s:
        assert list(await s.scalars(select(Learner.id))) == [1]
    await db.dispose()


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    for day in range(1, 11):
        (tmp_path / backup.backup_name(datetime(2026, 6, day, 3, 0, tzinfo=UTC))).write_bytes(b"x")
    (tmp_path / "unrelated.sqlite3").write_bytes(b"x")
    removed = backup.prune(tmp_path, 7)
    assert len(removed) == 3 and all("2026060" in p.name and p.name < "studybot-20260604" for p in removed)
    assert len(backup.backups_in(tmp_path)) == 7 and (tmp_path / "unrelated.sqlite3").exists()


def test_backup_command_and_refusals(tmp_path: Path) -> None:
    live = tmp_path / "b.sqlite3"
    con = sqlite3.connect(live)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()

    def cli(*args: str, url: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "BACKUP_DIR": str(tmp_path / "bk")}
        return subprocess.run(
            [sys.executable, "-m", "bot", "backup", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    done = cli(url=url_of(live))
    assert done.returncode == 0, done.stderr
    assert "backed up" in done.stdout and len(list((tmp_path / "bk").glob("studybot-*.sqlite3"))) == 1
    named = cli(str(tmp_path / "named.sqlite3"), url=url_of(live))
    assert named.returncode == 0 and (tmp_path / "named.sqlite3").exists()
    pg = cli(url="postgresql+asyncpg://u@localhost/db")
    assert pg.returncode == 1 and "pg_dump" in pg.stderr
    missing = cli(url=url_of(tmp_path / "nope.sqlite3"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr


async def _seeded_sqlite(path: Path) -> Database:
    """A database with rows in every kind of column: ids, JSON, dates, floats, booleans."""
    db = Database(create_engine(url_of(path)))
    await upgrade(db.engine)
    async with db.unit() as s:
        await s.execute(
            insert(Learner),
            [
                {
                    "id": 10**18 + i,
                    "created_at": NOW,
                    "vacations": [["2026-05-01", "2026-05-03"]],
                    "desired_retention": 0.87,
                    "next_digest_at": NOW + timedelta(hours=i),
                }
                for i in range(30)
            ],
        )
        await s.execute(insert(Card), [new_card(10**18 + i, f"q-{j}", "pca", NOW) for i in range(30) for j in range(5)])
        card_ids = list(await s.scalars(select(Card.id)))
        await s.execute(
            insert(ReviewLog),
            [
                {
                    "card_id": cid,
                    "learner_id": 10**18,
                    "question_id": "q-0",
                    "rating": 3,
                    "correct": True,
                    "reviewed_at": NOW,
                    "duration_ms": 4200,
                    "source": "quiz",
                    "state_before": 1,
                    "state_after": 2,
                    "stability_after": 2.31,
                    "due_before": NOW,
                    "due_after": NOW + timedelta(days=2),
                }
                for cid in card_ids[:40]
            ],
        )
        s.add(
            StudyChannel(guild_id=5 << 22, channel_id=77, created_by=1, created_at=NOW, levels=[1, 2], topics=["pca"])
        )
        s.add(Delivery(kind="digest", target_id=10**18, slot="2026-06-01", status="sent", claimed_at=NOW, attempts=1))
        s.add(AppState(key="commands:x:global", value="abc", updated_at=NOW))
    return db


@pytest.mark.postgres
async def test_move_data_to_postgresql_copies_every_row(tmp_path: Path, pg_database: str) -> None:
    source = await _seeded_sqlite(tmp_path / "s.sqlite3")
    target = create_engine(pg_database)
    try:
        lines: list[str] = []
        reports = await move_data(source.engine, target, say=lines.append)
        assert all(r.equal for r in reports), reports
        assert {r.name for r in reports} == {t.name for t in tables()}
        counts = {r.name: r.target_rows for r in reports}
        assert counts["learners"] == 30 and counts["cards"] == 150 and counts["review_logs"] == 40
        async with source.engine.connect() as a, target.connect() as b:  # independently of the report
            for table in tables():
                assert await checksum(a, table) == await checksum(b, table), table.name
            row = (await b.execute(select(Learner).where(Learner.id == 10**18))).one()
            assert row.vacations == [["2026-05-01", "2026-05-03"]] and row.next_digest_at == NOW
        # The sequences moved on: new rows get fresh ids.
        pg = Database(target)
        async with pg.unit() as s:
            await s.execute(insert(Card), [new_card(10**18, "q-new", "pca", NOW)])
            assert await s.scalar(select(func.max(Card.id))) == 151

        with pytest.raises(MoveError, match="not empty"):
            await move_data(source.engine, target, say=lines.append)
        again = await move_data(source.engine, target, force=True, say=lines.append)
        assert all(r.equal for r in again)
    finally:
        await source.dispose()
        await target.dispose()


async def test_move_data_refuses_a_postgresql_source(tmp_path: Path) -> None:
    engine = create_engine("postgresql+asyncpg://u@127.0.0.1:1/x")
    with pytest.raises(MoveError, match="SQLite"):
        await move_data(engine, create_engine(url_of(tmp_path / "t.sqlite3")))
    await engine.dispose()


async def _cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.postgres
async def test_move_data_command_prints_counts_and_exits_zero(tmp_path: Path, pg_database: str) -> None:
    db = await _seeded_sqlite(tmp_path / "cli.sqlite3")
    await db.dispose()
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url_of(tmp_path / "cli.sqlite3")}
    code, out, err = await _cli("move-data", "--to", pg_database, env=env)
    assert code == 0, err
    assert "learners" in out and "every table matches" in out
    code, _, err = await _cli("move-data", "--to", pg_database, env=env)
    assert code == 2 and "not empty" in err
