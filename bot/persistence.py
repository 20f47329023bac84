"""python-telegram-bot persistence in the intake database, so a restart resumes conversations.

python-telegram-bot hands over what changed whenever ``Application.update_persistence`` runs;
this persistence only stages it. The update processor writes the staged changes with
:meth:`DatabasePersistence.write_staged` inside the unit of work that handled the updates, so
conversation state commits together with the tickets and replies it belongs to — and is never
written for updates whose unit of work failed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from intake.state_store import Key, StateStore

log = logging.getLogger(__name__)

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
BOT_DATA = "bot_data"
CONVERSATIONS = "conversations:"

# The processor asks for the changes after every batch; PTB's own timer only needs to stay out
# of the way.
UPDATE_INTERVAL_SECONDS = 24 * 3600.0

Data = dict[str, Any]
# The shapes python-telegram-bot passes around (its own aliases are private).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """Keeps ``user_data``, ``chat_data``, ``bot_data`` and conversation states as JSON rows.

    Callback data is not stored: every button carries its meaning in its callback data.
    """

    def __init__(self, store: StateStore, update_interval: float = UPDATE_INTERVAL_SECONDS) -> None:
        """Persist through ``store``."""
        super().__init__(
            store_data=PersistenceInput(callback_data=False), update_interval=update_interval
        )
        self._store = store
        self._saves: dict[Key, Any] = {}
        self._deletes: set[Key] = set()
        # PTB hands over bot_data on every run; it is written only when it changed.
        self._bot_data_seen = ""

    async def write_staged(self) -> None:
        """Write every staged change (inside the caller's unit of work) and forget them."""
        saves, deletes = self._saves, self._deletes
        self._saves, self._deletes = {}, set()
        await self._store.write(saves, deletes)

    def _save(self, key: Key, value: Any) -> None:
        self._deletes.discard(key)
        self._saves[key] = value

    def _delete(self, key: Key) -> None:
        self._saves.pop(key, None)
        self._deletes.add(key)

    async def get_user_data(self) -> dict[int, Data]:
        """Every user's data."""
        return _by_id(USER_DATA, await self._store.load(USER_DATA))

    async def get_chat_data(self) -> dict[int, Data]:
        """Every chat's data."""
        return _by_id(CHAT_DATA, await self._store.load(CHAT_DATA))

    async def get_bot_data(self) -> Data:
        """The bot-wide data."""
        value = (await self._store.load(BOT_DATA)).get("")
        data = value if isinstance(value, dict) else {}
        self._bot_data_seen = json.dumps(data, sort_keys=True, default=str)
        return data

    async def get_callback_data(self) -> CDCData | None:
        """Not stored."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """The states of one conversation handler, by its key (chat and user ids)."""
        stored = await self._store.load(CONVERSATIONS + name)
        return {tuple(json.loads(key)): state for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Stage saving or (when it ended) forgetting one conversation's state."""
        stored = (CONVERSATIONS + name, json.dumps(list(key)))
        if new_state is None:
            self._delete(stored)
        else:
            self._save(stored, new_state)

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Stage saving one user's data."""
        self._save((USER_DATA, str(user_id)), data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Stage saving one chat's data."""
        self._save((CHAT_DATA, str(chat_id)), data)

    async def update_bot_data(self, data: Data) -> None:
        """Stage saving the bot-wide data, if it changed."""
        encoded = json.dumps(data, sort_keys=True, default=str)
        if encoded != self._bot_data_seen:
            self._bot_data_seen = encoded
            self._save((BOT_DATA, ""), data)

    async def update_callback_data(self, data: CDCData) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Stage forgetting one chat's data."""
        self._delete((CHAT_DATA, str(chat_id)))

    async def drop_user_data(self, user_id: int) -> None:
        """Stage forgetting one user's data."""
        self._delete((USER_DATA, str(user_id)))

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def flush(self) -> None:
        """Nothing to do: changes are written only with the updates that made them."""


def _by_id(kind: str, stored: dict[str, Any]) -> dict[int, Data]:
    """Rows keyed by user or chat id; a row under another key is skipped, not fatal.

    Such a row can only come from an update no longer let in (a chat id of ``"abc"``); failing
    on it would stop every start of the bot.
    """
    loaded: dict[int, Data] = {}
    for key, value in stored.items():
        try:
            loaded[int(key)] = value
        except ValueError:
            log.error("%s under %r is not keyed by an id; skipped", kind, key[:40])
    return loaded
