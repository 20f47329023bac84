"""The standings the guard reads for every update, kept in memory between changes.

A person's role and ban are read for every update they send and change rarely, so each engine
keeps the standings it has read. Whatever changes one in this process (a ban, an unban, a role,
a ban notice, registering someone never seen) forgets them all once its change is written; a
change made by another process on the same database (another instance's console) is seen once
the entry expires.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from cachetools import TTLCache
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from intake.moderation import Standing

# How stale a change made by another process may be seen.
EXPIRES_SECONDS = 60.0
KEPT_MAX = 10_000

# A person never seen is kept as ``None``: registering them is a change that forgets it.
_caches: weakref.WeakKeyDictionary[Engine, TTLCache[int, Standing | None]] = (
    weakref.WeakKeyDictionary()
)


def standings(engine: AsyncEngine) -> TTLCache[int, Standing | None]:
    """The standings read on ``engine``, by Telegram id."""
    cache = _caches.get(engine.sync_engine)
    if cache is None:
        cache = _caches[engine.sync_engine] = TTLCache(KEPT_MAX, EXPIRES_SECONDS)
    return cache


def forget_standings(engine: AsyncEngine) -> None:
    """Forget every standing read on ``engine``: one of them has just changed."""
    standings(engine).clear()
