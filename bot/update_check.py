"""What may enter the inbox: a Telegram update PTB can read, with ids where ids belong.

PTB's :meth:`telegram.Update.de_json` builds objects without checking the types of what it is
given, and raises on some missing fields but not others; the bot relies on a few more things
(integer ids that fit the database, a message's date and chat). Anything else is not an update
the bot can handle however often it tries, so it becomes a dead letter at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Bot, Update

# Ids are stored as signed 64-bit integers.
ID_MIN = -(1 << 63)
ID_MAX = (1 << 63) - 1


class NotAnUpdate(ValueError):
    """The payload is not an update the bot can handle; the message says why."""


def read_update(payload: Any, bot: Bot | None) -> Update:
    """The update a payload holds.

    Args:
        payload: The decoded JSON Telegram sent.
        bot: The bot the update's objects are bound to.

    Raises:
        NotAnUpdate: The payload is not a valid update.

    """
    if not isinstance(payload, dict):
        raise NotAnUpdate("not a JSON object")
    _check_id("update_id", payload.get("update_id"), minimum=0)
    try:
        update = Update.de_json(payload, bot)
    except Exception as error:  # PTB raises whatever the malformed payload trips over
        raise NotAnUpdate(f"unreadable: {type(error).__name__}") from error
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is not None:
        _check_id("chat.id", chat.id)
        if not isinstance(chat.type, str):
            raise NotAnUpdate("chat.type is not a string")
    if user is not None:
        _check_id("from.id", user.id)
    if message is not None:
        _check_id("message_id", message.message_id)
        if not isinstance(message.date, datetime):
            raise NotAnUpdate("message.date is not a date")
        _check_id("message.chat.id", message.chat.id)
    return update


def _check_id(name: str, value: object, *, minimum: int = ID_MIN) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotAnUpdate(f"{name} is not an integer")
    if not minimum <= value <= ID_MAX:
        raise NotAnUpdate(f"{name} is out of range")
