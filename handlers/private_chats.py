"""Noting who wrote to the bot privately, so that cards and reminders can reach staff there.

Telegram lets a bot write to a person only after they wrote to it. Every private update is
noted (:class:`intake.private_chats.PrivateChats`) before any area handles it; to spare the
database, a person is noted again only after :data:`RENOTE_AFTER` (which also clears a refusal
recorded since, once they write again).
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ContextTypes, TypeHandler

from handlers.services import Services
from intake.private_chats import PrivateChats

Context = ContextTypes.DEFAULT_TYPE

RENOTE_AFTER = 3600.0  # seconds
REMEMBERED_MAX = 10_000


class PrivateChatNoter:
    """Notes private chats, at most once per person per :data:`RENOTE_AFTER`."""

    def __init__(self, services: Services) -> None:
        self._chats = PrivateChats(services.intake.engine)
        self._noted: dict[int, float] = {}

    async def note(self, update: Update, _context: Context) -> None:
        """Note the sender of a private update."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE or user.is_bot:
            return
        now = time.monotonic()
        if now - self._noted.get(user.id, -RENOTE_AFTER) < RENOTE_AFTER:
            return
        await self._chats.opened(user.id)
        if len(self._noted) >= REMEMBERED_MAX:
            self._noted.clear()
        self._noted[user.id] = now


def private_chat_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The noter, for a handler group of its own that runs before every area."""
    return [TypeHandler(Update, PrivateChatNoter(services).note)]
