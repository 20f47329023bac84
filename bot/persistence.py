"""python-telegram-bot persistence in the intake database, so a restart resumes conversations."""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from intake.state_store import StateStore

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
BOT_DATA = "bot_data"
CONVERSATIONS = "conversations:"

# Often enough that a crash loses at most a second of conversation state; PTB writes only
# what changed since the last time.
UPDATE_INTERVAL_SECONDS = 1.0

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

    async def get_user_data(self) -> dict[int, Data]:
        """Every user's data."""
        return {int(k): v for k, v in (await self._store.load(USER_DATA)).items()}

    async def get_chat_data(self) -> dict[int, Data]:
        """Every chat's data."""
        return {int(k): v for k, v in (await self._store.load(CHAT_DATA)).items()}

    async def get_bot_data(self) -> Data:
        """The bot-wide data."""
        value = (await self._store.load(BOT_DATA)).get("")
        return value if isinstance(value, dict) else {}

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
        """Save or (when it ended) forget one conversation's state."""
        encoded = json.dumps(list(key))
        if new_state is None:
            await self._store.delete(CONVERSATIONS + name, encoded)
        else:
            await self._store.save(CONVERSATIONS + name, encoded, new_state)

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Save one user's data."""
        await self._store.save(USER_DATA, str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Save one chat's data."""
        await self._store.save(CHAT_DATA, str(chat_id), data)

    async def update_bot_data(self, data: Data) -> None:
        """Save the bot-wide data."""
        await self._store.save(BOT_DATA, "", data)

    async def update_callback_data(self, data: CDCData) -> None:
        """Not stored."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Forget one chat's data."""
        await self._store.delete(CHAT_DATA, str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        """Forget one user's data."""
        await self._store.delete(USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def flush(self) -> None:
        """Nothing to do: every update is written when it is made."""
