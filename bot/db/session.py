"""Engines, sessions and units of work.

SQLite (the embedded default) allows one writer at a time, and its busy handler polls
instead of queueing: writers that contend for the lock starve and fail with "database is
locked" long before any one transaction is slow. So on SQLite the bot queues its own
writers in the process, first come first served (``WriteGate``), and opens write
transactions with ``BEGIN IMMEDIATE`` only once it holds the gate; read-only units open a
deferred ``BEGIN`` and never take the write lock (WAL readers do not block writers).
PostgreSQL keeps its pool and row locks (``SKIP LOCKED``); read units there are
``READ ONLY`` transactions. The same code serves both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session

# Only another process can hold SQLite's write lock while this one holds the gate (a
# backup, `move-data`, a second bot by mistake): wait for it generously.
SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_OPTION = "studybot_read_only"


def _sqlite_pragmas(dbapi_conn: DBAPIConnection) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the lock at BEGIN (it already holds the gate, so it never waits on
    # another writer of this process); a reader's deferred BEGIN takes no lock at all.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_OPTION) else "BEGIN IMMEDIATE")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    """An async engine for ``url``; creates the SQLite file's folder if needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        # pysqlite's own transaction handling is turned off so BEGIN is ours.
        sync = engine.sync_engine

        @event.listens_for(sync, "connect")
        def _on_connect(dbapi_conn: DBAPIConnection, _record: object) -> None:
            setattr(dbapi_conn, "isolation_level", None)  # noqa: B010 - not in the DB-API protocol
            _sqlite_pragmas(dbapi_conn)

        event.listen(sync, "begin", _sqlite_begin)
        return engine
    # No pre-ping round trip per checkout: stale connections are recycled by age, a
    # connection the server closed (a restart, a terminated backend) is noticed by asyncpg
    # itself and replaced at checkout, and one lost mid-unit surfaces as a transient error
    # the caller retries.
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "checkout", _replace_if_closed)
    return engine


def _replace_if_closed(dbapi_conn: DBAPIConnection, _record: object, _proxy: object) -> None:
    """A pooled connection whose socket the server closed is thrown away before use (the
    pool then connects afresh): asyncpg knows without a round trip."""
    driver = getattr(dbapi_conn, "driver_connection", None)
    is_closed = getattr(driver, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the server closed this connection")


class ReadOnlyUnitError(RuntimeError):
    """A read unit tried to write: open a write unit (``Database.unit``) instead."""


class ReadOnlySession(Session):
    """The sync session behind read units: any INSERT, UPDATE, DELETE or flush raises."""


@event.listens_for(ReadOnlySession, "before_flush")
def _no_flush(session: Session, _ctx: object, _instances: object) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise ReadOnlyUnitError("a read unit tried to write; use a write unit")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _no_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyUnitError("a read unit tried to write; use a write unit")


class WriteGate:
    """Write units of this process in arrival order, one at a time (SQLite only).

    ``asyncio.Lock`` is fair: a newcomer never overtakes a waiter. A write unit opened
    inside another one by the same task would wait for itself forever, so it raises."""

    def __init__(self, enabled: bool, observe: Callable[[float], None] | None = None) -> None:
        self.enabled = enabled
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._observe = observe

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if not self.enabled:
            yield
            return
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError("a write unit was opened inside another write unit of the same task")
        waited = time.perf_counter()
        async with self._lock:
            if self._observe is not None:
                self._observe(time.perf_counter() - waited)
            self._owner = task
            try:
                yield
            finally:
                self._owner = None


class Database:
    """The engine and the two kinds of unit of work the app uses."""

    def __init__(self, engine: AsyncEngine, *, observe_wait: Callable[[float], None] | None = None) -> None:
        self.engine = engine
        self.gate = WriteGate(is_sqlite(engine), observe_wait)
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        options: dict[str, object] = {READ_OPTION: True}
        if engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        self.read_sessions = async_sessionmaker(
            engine.execution_options(**options), expire_on_commit=False, sync_session_class=ReadOnlySession
        )

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """A write unit: one transaction, committed on success, rolled back on error. Keep it
        short and never await Discord inside it."""
        async with self.gate.hold(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit: a consistent snapshot that takes no write lock."""
        async with self.read_sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
