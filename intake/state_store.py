"""A small JSON key-value store in the intake database, for state that must survive restarts.

The bot keeps its conversation state here (which step of filing a villager is at), in the same
database as the tickets, so that one backup holds everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.database import session_factory
from intake.models import StateEntry


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StateStore:
    """JSON values by (namespace, key); writes replace the whole value."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = _utcnow) -> None:
        """Use the (migrated) intake database."""
        self._sessions = session_factory(engine)
        self._clock = clock

    async def load(self, namespace: str) -> dict[str, Any]:
        """Every key of a namespace with its value."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(StateEntry.key, StateEntry.value).where(StateEntry.namespace == namespace)
            )
            return {key: value for key, value in rows}

    async def save(self, namespace: str, key: str, value: Any) -> None:
        """Store a JSON-serialisable value, replacing any earlier one."""
        async with self._sessions() as session, session.begin():
            entry = await session.get(StateEntry, (namespace, key))
            if entry is None:
                session.add(
                    StateEntry(namespace=namespace, key=key, value=value, updated_at=self._clock())
                )
            else:
                entry.value = value
                entry.updated_at = self._clock()

    async def delete(self, namespace: str, key: str) -> None:
        """Forget a key; nothing happens if it is not there."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(StateEntry).where(StateEntry.namespace == namespace, StateEntry.key == key)
            )
