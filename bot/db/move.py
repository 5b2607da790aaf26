"""`move-data`: copy every table of the SQLite database to PostgreSQL, when one machine is
outgrown. The target is migrated to head first, filled in one transaction (all or
nothing), and its id sequences are moved past the copied ids; row counts and checksums of
both sides are compared table by table."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Column, Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from bot.db.migrate import upgrade
from bot.db.models import Base

BATCH = 1000
# Any table of the schema (SQLAlchemy's Table is generic in its column collection).
AnyTable = Table[ReadOnlyColumnCollection[str, Column[object]]]


class MoveError(Exception):
    """The move was refused or failed; nothing was changed on the target."""


@dataclass(frozen=True)
class TableReport:
    name: str
    source_rows: int
    target_rows: int
    source_sum: str
    target_sum: str

    @property
    def equal(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sum == self.target_sum


def tables() -> list[AnyTable]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


async def checksum(conn: AsyncConnection, table: AnyTable) -> tuple[int, str]:
    """(row count, SHA-256 of every row in primary-key order), comparable across databases."""
    digest = hashlib.sha256()
    count = 0
    order = list(table.primary_key.columns)
    result = await conn.stream(select(table).order_by(*order))
    async for row in result:
        digest.update(json.dumps([_plain(v) for v in row], sort_keys=True, default=str).encode())
        count += 1
    return count, digest.hexdigest()[:16]


async def _target_rows(conn: AsyncConnection) -> dict[str, int]:
    return {t.name: int(await conn.scalar(select(func.count()).select_from(t)) or 0) for t in tables()}


async def _copy(source: AsyncConnection, target: AsyncConnection, table: AnyTable) -> None:
    order = list(table.primary_key.columns)
    result = await source.stream(select(table).order_by(*order))
    async for chunk in result.partitions(BATCH):
        await target.execute(insert(table), [dict(row._mapping) for row in chunk])


async def _reset_sequences(target: AsyncConnection) -> None:
    """PostgreSQL: each serial id continues after the largest copied one."""
    for table in tables():
        if len(table.primary_key.columns) != 1:
            continue
        (column,) = table.primary_key.columns
        seq = await target.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
        if seq is not None:  # names come from the schema, not from input
            biggest = await target.scalar(select(func.max(column)))
            await target.execute(text("SELECT setval(:seq, :next, false)"), {"seq": seq, "next": (biggest or 0) + 1})


async def move_data(
    source: AsyncEngine, target: AsyncEngine, *, force: bool = False, say: Callable[[str], None] = print
) -> list[TableReport]:
    """Copy every table from ``source`` to ``target`` (migrated to head first). Refuses a
    target that holds any row unless ``force`` (then its rows are replaced)."""
    if source.dialect.name != "sqlite":
        raise MoveError("move-data copies from the SQLite database (DATABASE_URL must be sqlite+aiosqlite://…)")
    if source.url == target.url:
        raise MoveError("the target is the source database")
    say(f"migrating the target ({target.url.render_as_string(hide_password=True)}) to the latest schema")
    await upgrade(target)
    async with source.connect() as src, target.begin() as dst:
        present = {name: n for name, n in (await _target_rows(dst)).items() if n}
        if present and not force:
            listed = ", ".join(f"{name} ({n})" for name, n in present.items())
            raise MoveError(f"the target is not empty: {listed}; use --force to replace its rows")
        for table in reversed(tables()):
            await dst.execute(delete(table))
        for table in tables():
            await _copy(src, dst, table)
            say(f"  copied {table.name}")
        if target.dialect.name == "postgresql":
            await _reset_sequences(dst)
    reports = []
    async with source.connect() as src, target.connect() as dst:
        for table in tables():
            (sn, ss), (tn, ts) = await checksum(src, table), await checksum(dst, table)
            reports.append(TableReport(table.name, sn, tn, ss, ts))
    return reports


def format_reports(reports: list[TableReport]) -> str:
    width = max(len(report.name) for report in reports)
    lines = [f"{'table':<{width}}  {'source':>9}  {'target':>9}  checksum"]
    for report in reports:
        mark = "ok" if report.equal else f"DIFFERENT ({report.source_sum} ≠ {report.target_sum})"
        lines.append(f"{report.name:<{width}}  {report.source_rows:>9,}  {report.target_rows:>9,}  {mark}")
    return "\n".join(lines)
