"""One leader per database: the process that handles the inbox, runs the relay and the jobs.

Any number of processes may share a database (a second instance behind a proxy, a copy started
by mistake); all of them may store updates, since storing is idempotent, but only the leader
handles them, or two would answer every message and file tickets twice. The lead is a lock
that ends with the process that holds it, however it ends:

* PostgreSQL: a session-level advisory lock, held on a connection of its own for as long as the
  process leads; the server releases it when that connection closes;
* SQLite: an exclusive ``flock`` on a file beside the database, released by the kernel when the
  process exits.

The others stand by and try again every :data:`RETRY_SECONDS`, so one of them leads within a few
seconds of the leader's end.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# How often a standby tries to take the lead, and the leader checks that it still holds it.
RETRY_SECONDS = 2.0
# The advisory lock's key: "mingbai!" in ASCII. Advisory locks are per database already.
ADVISORY_KEY = 0x6D696E6762616921
LOCK_FILE_SUFFIX = ".lock"


class Leadership(Protocol):
    """The lead of one database, taken and held by at most one process at a time."""

    async def take(self) -> bool:
        """Take the lead if nobody holds it; ``True`` if this process now leads.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: The database could not be asked (try again later).
            OSError: Likewise.

        """

    async def lost(self) -> None:
        """Return once the lead taken is lost (the lock's connection broke); never otherwise."""

    async def release(self) -> None:
        """Give the lead up (at the end, or after it was lost)."""


def leadership(engine: AsyncEngine) -> Leadership:
    """The lead of ``engine``'s database: an advisory lock, a lock file, or (in memory) none."""
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return Alone()
    return LockFile(Path(database + LOCK_FILE_SUFFIX))


class AdvisoryLock:
    """The lead as a PostgreSQL session-level advisory lock on a connection of its own.

    Args:
        engine: The PostgreSQL database.
        check_every: Seconds between checks that the lock's connection still stands.

    """

    def __init__(self, engine: AsyncEngine, *, check_every: float = RETRY_SECONDS) -> None:
        self._engine = engine
        self._check_every = check_every
        self._connection: AsyncConnection | None = None

    async def take(self) -> bool:
        """See :meth:`Leadership.take`."""
        if self._connection is not None:
            return True
        connection = await self._engine.connect()
        try:
            # Autocommit: the lock outlives transactions, and no transaction stays open for it.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            )
        except BaseException:
            await connection.invalidate()
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def lost(self) -> None:
        """See :meth:`Leadership.lost`."""
        connection = self._connection
        if connection is None:
            return
        try:
            while True:
                await asyncio.sleep(self._check_every)
                await connection.scalar(text("SELECT 1"))
        except Exception:
            # Whatever broke the connection ended the lock with it.
            return

    async def release(self) -> None:
        """See :meth:`Leadership.release`."""
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing the server's session ends the lock; the connection is not reused.
            await connection.invalidate()
            await connection.close()


class LockFile:
    """The lead as an exclusive ``flock`` on a file beside an SQLite database.

    Args:
        path: The lock file (created if missing; its content is the leader's process id).

    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    async def take(self) -> bool:
        """See :meth:`Leadership.take`."""
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        except BaseException:
            file.close()
            raise
        file.truncate(0)
        file.write(f"{os.getpid()}\n")
        file.flush()
        self._file = file
        return True

    async def lost(self) -> None:
        """See :meth:`Leadership.lost`: a lock file's lock cannot be lost."""
        await asyncio.Event().wait()

    async def release(self) -> None:
        """See :meth:`Leadership.release`."""
        file, self._file = self._file, None
        if file is not None:
            file.close()  # closing the file releases the lock


class Alone:
    """An in-memory database: no other process can share it, so this one always leads."""

    async def take(self) -> bool:
        """See :meth:`Leadership.take`."""
        return True

    async def lost(self) -> None:
        """See :meth:`Leadership.lost`."""
        await asyncio.Event().wait()

    async def release(self) -> None:
        """See :meth:`Leadership.release`."""
