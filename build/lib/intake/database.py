"""Connecting to the intake database: an SQLite file (the default) or PostgreSQL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

# Concurrent writers on SQLite wait for each other instead of failing at once.
_SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(url: str) -> AsyncEngine:
    """Create an async engine for ``url``, preparing SQLite the way intake needs it.

    For SQLite the file's folder is created if missing, and every connection turns on WAL mode
    (readers do not block the writer), foreign keys and a busy timeout. SQL parameters are kept
    out of logs and error messages on every backend, so phone numbers and ticket texts never
    reach a log even with SQL logging on.

    Args:
        url: An async SQLAlchemy URL, e.g. ``sqlite+aiosqlite:///data/mingbai.db`` or
            ``postgresql+asyncpg://postgres@127.0.0.1:5432/mingbai``.

    Returns:
        The engine; the caller disposes of it.

    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return _create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # aiosqlite logs every statement with its parameters at DEBUG; keep that out of the logs.
    driver_log = logging.getLogger("aiosqlite")
    if driver_log.level < logging.INFO:
        driver_log.setLevel(logging.INFO)
    engine = _create_async_engine(url, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit, as async code cannot lazy-load."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
