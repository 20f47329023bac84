"""Connecting to the intake database: an SQLite file (the default) or PostgreSQL.

Everything that reads or writes goes through :class:`Sessions`. Inside a :func:`unit_of_work`
those sessions are the unit's own session, and every write a service makes becomes part of the
unit's one transaction: the bot handles an update — ticket, question log, conversation state,
outgoing messages, the inbox row marked done — and commits it all at once, or none of it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    InternalError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

# Concurrent writers on SQLite wait for each other instead of failing at once.
_SQLITE_BUSY_TIMEOUT_MS = 10_000
# Marks a connection that will write, so that SQLite takes the write lock when the transaction
# begins rather than failing to upgrade a read transaction later.
_WRITES = "mingbai_writes"
# PostgreSQL error classes that mean the server is away or asks to be tried again, not that the
# statement is wrong: connection exception, transaction rollback (deadlock, serialization),
# insufficient resources, object not in prerequisite state (a database not accepting
# connections), operator intervention (shutdown, restart), system error.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "55", "57", "58"})
# Errors that mean the database could not be reached or gave up, not that a statement is wrong:
# whoever meets one waits and tries again. InternalError is a connection out of step with the
# server: asyncpg raises it when a statement is sent just as the server ends the connection.
STORAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    InternalError,
    PendingRollbackError,
    PoolTimeout,
    OSError,
)


def create_engine(
    url: str, *, sqlite_busy_timeout_ms: int = _SQLITE_BUSY_TIMEOUT_MS
) -> AsyncEngine:
    """Create an async engine for ``url``, preparing SQLite the way intake needs it.

    For SQLite the file's folder is created if missing, and every connection turns on WAL mode
    (readers do not block the writer), foreign keys and a busy timeout; transactions are begun
    by this module (``BEGIN IMMEDIATE`` for writers), which also makes savepoints work. SQL
    parameters are kept out of logs and error messages on every backend, so phone numbers and
    ticket texts never reach a log even with SQL logging on. A PostgreSQL server that is away
    (restarting, refusing connections, out of them) raises
    :class:`sqlalchemy.exc.OperationalError`, as a locked SQLite file does, rather than a bare
    ``DBAPIError``, so that callers can tell an outage they may wait out from a bug.

    Args:
        url: An async SQLAlchemy URL, e.g. ``sqlite+aiosqlite:///data/mingbai.db`` or
            ``postgresql+asyncpg://postgres@127.0.0.1:5432/mingbai``.
        sqlite_busy_timeout_ms: How long an SQLite writer waits for another one.

    Returns:
        The engine; the caller disposes of it.

    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = _create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
        event.listen(engine.sync_engine, "handle_error", _unavailable_as_operational, retval=True)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # aiosqlite logs every statement with its parameters at DEBUG; keep that out of the logs.
    driver_log = logging.getLogger("aiosqlite")
    if driver_log.level < logging.INFO:
        driver_log.setLevel(logging.INFO)
    engine = _create_async_engine(url, hide_parameters=True)

    def configure(dbapi_connection: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_connection, sqlite_busy_timeout_ms)

    event.listen(engine.sync_engine, "connect", configure)
    event.listen(engine.sync_engine, "begin", _begin_sqlite)
    return engine


def session_factory(engine: AsyncEngine) -> Sessions:
    """The sessions of ``engine``, joining the current unit of work where there is one."""
    return Sessions(engine)


class Sessions:
    """Opens sessions whose objects stay readable after commit (async code cannot lazy-load).

    Inside a :func:`unit_of_work` of the same engine, in the task that opened it, both kinds of
    session are the unit's session: ``sessions()`` as it is, ``sessions.begin()`` inside a
    savepoint, so that a failed step (a refused change, a lost race) undoes only itself.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        """Open sessions on ``engine``."""
        self._engine = engine
        self._factory = async_sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncSession]:
        """A session for reading (its transaction is rolled back at the end)."""
        work = _joinable(self._engine)
        if work is not None:
            yield work.session
            return
        async with self._factory() as session:
            yield session

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction that commits when the block ends without an error."""
        work = _joinable(self._engine)
        if work is not None:
            async with work.session.begin_nested():
                yield work.session
            return
        # SQLite lets one writer in at a time and makes the others poll for the lock; taking
        # turns in this process first keeps a busy processor from starving the poller and relay.
        turn = (
            _writer_lock(self._engine) if self._engine.dialect.name == "sqlite" else nullcontext()
        )
        async with turn, self._factory() as session, session.begin():
            await session.connection(execution_options={_WRITES: True})
            yield session

    async def insert(self, *rows: object) -> None:
        """Add new rows: to the current unit of work if there is one, else in a transaction.

        A plain insert has nothing of its own to undo, so inside a unit of work it needs no
        savepoint; the rows are written with the unit's next statement or its commit.
        """
        work = _joinable(self._engine)
        if work is not None:
            work.session.add_all(rows)
            return
        async with self.begin() as session:
            session.add_all(rows)


@dataclass
class _Work:
    engine: Engine
    session: AsyncSession
    task: asyncio.Task[Any] | None
    open: bool = True


_current: ContextVar[_Work | None] = ContextVar("mingbai_unit_of_work", default=None)
_locks: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def unit_of_work(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """One transaction that every service on ``engine`` joins until the block ends.

    Units of work on one engine run one at a time in this process, so that what one of them
    leaves in memory is never half of another's. A unit opened inside another (same engine, same
    task) is the outer one. The block's writes commit together when it ends, or are rolled back
    if it raises.

    Yields:
        The unit's session.

    """
    work = _joinable(engine)
    if work is not None:
        yield work.session
        return
    async with (
        _writer_lock(engine),
        async_sessionmaker(engine, expire_on_commit=False)() as session,
    ):
        await session.connection(execution_options={_WRITES: True})
        work = _Work(engine.sync_engine, session, asyncio.current_task())
        token = _current.set(work)
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            work.open = False
            _current.reset(token)


def _writer_lock(engine: AsyncEngine) -> asyncio.Lock:
    return _locks.setdefault(engine.sync_engine, asyncio.Lock())


def _joinable(engine: AsyncEngine) -> _Work | None:
    # Tasks started inside a unit inherit the context variable but not the right to the session.
    work = _current.get()
    if (
        work is None
        or not work.open
        or work.engine is not engine.sync_engine
        or work.task is not asyncio.current_task()
    ):
        return None
    return work


def _unavailable_as_operational(context: ExceptionContext) -> BaseException | None:
    # asyncpg's dialect raises a bare DBAPIError for most server errors, a restart as much as a
    # bug; psycopg, like the DBAPI intends, raises OperationalError for an unavailable server.
    error = context.sqlalchemy_exception
    if not isinstance(error, DBAPIError) or isinstance(error, OperationalError) or not error.orig:
        return None
    sqlstate = getattr(error.orig, "sqlstate", None)
    if not isinstance(sqlstate, str) or sqlstate[:2] not in _UNAVAILABLE_SQLSTATE_CLASSES:
        return None
    return OperationalError(
        error.statement,
        error.params,
        error.orig,
        hide_parameters=True,
        connection_invalidated=error.connection_invalidated,
    )


def _configure_sqlite(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    # The driver's own transaction handling would hide BEGIN from SQLAlchemy and break
    # savepoints; _begin_sqlite begins transactions instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    writes = connection.get_execution_options().get(_WRITES, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
