"""A small JSON key-value store in the intake database, for state that must survive restarts.

The bot keeps its conversation state here (which step of filing a villager is at), in the same
database as the tickets, so that one backup holds everything — and, written inside the unit of
work that handled an update, it commits together with that update's effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.clock import utcnow
from intake.database import session_factory
from intake.models import StateEntry

Key = tuple[str, str]


class StateStore:
    """JSON values by (namespace, key); writes replace the whole value."""

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        """Use the (migrated) intake database."""
        self._engine = engine
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
        await self.write({(namespace, key): value}, ())

    async def delete(self, namespace: str, key: str) -> None:
        """Forget a key; nothing happens if it is not there."""
        await self.write({}, [(namespace, key)])

    async def write(self, saves: Mapping[Key, Any], deletes: Iterable[Key]) -> None:
        """Save and forget many keys in one transaction.

        Args:
            saves: New values by (namespace, key).
            deletes: The (namespace, key) pairs to forget.

        """
        forget = list(deletes)
        if not saves and not forget:
            return
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        now = self._clock()
        async with self._sessions.begin() as session:
            if forget:
                await session.execute(
                    delete(StateEntry).where(
                        tuple_(StateEntry.namespace, StateEntry.key).in_(forget)
                    )
                )
            if saves:
                statement = insert(StateEntry).values(
                    [
                        {"namespace": ns, "key": key, "value": value, "updated_at": now}
                        for (ns, key), value in saves.items()
                    ]
                )
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[StateEntry.namespace, StateEntry.key],
                        set_={"value": statement.excluded.value, "updated_at": now},
                    )
                )
