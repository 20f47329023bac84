"""The bot the handlers talk to: every message it is asked to send becomes an outbox row.

Handlers call ``send_message``, ``reply_text``, ``query.answer`` and the rest as usual; this bot
writes the call to the outbox (:mod:`intake.outbox`) — inside the unit of work that handles
the update, so the message commits with its cause — and the relay (:mod:`bot.relay`) makes it.
Calls that read (``getMe``, ``getFile``, ``getChat``) and the bot's own set-up calls still go to
the Bot API at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.ext import ExtBot

# The conversion PTB itself applies to every parameter (objects to dicts, enums to values,
# datetimes to timestamps, files set apart); it is not re-exported.
from telegram.request._requestparameter import RequestParameter

from intake.outbox import Outbox

# Calls that deliver something to a person; everything else is made at once.
QUEUED_PREFIXES = ("send", "edit", "answer", "copy", "forward")
QUEUED_METHODS = frozenset({"deleteMessage"})
# Callback answers have no chat of their own; they queue in the chat of the update they answer.
_lane: ContextVar[int] = ContextVar("mingbai_outbox_lane", default=0)


def queued(endpoint: str) -> bool:
    """Whether a Bot API method goes through the outbox."""
    return endpoint.startswith(QUEUED_PREFIXES) or endpoint in QUEUED_METHODS


@contextmanager
def in_chat(chat_id: int) -> Iterator[None]:
    """Queue calls that name no chat (callback answers) in ``chat_id``'s lane."""
    token = _lane.set(chat_id)
    try:
        yield
    finally:
        _lane.reset(token)


class QueueingBot(ExtBot[None]):
    """An ``ExtBot`` whose sending calls are queued in the outbox instead of made.

    A queued ``send…`` call returns a stand-in message (``message_id`` 0, as nothing is sent
    yet); handlers must not rely on the ids of what they send.

    Args:
        token: The bot token.
        outbox: Where calls are queued.
        base_url: The Bot API base URL.
        base_file_url: The Bot API base URL for files.

    """

    def __init__(self, token: str, outbox: Outbox, *, base_url: str, base_file_url: str) -> None:
        super().__init__(token, base_url=base_url, base_file_url=base_file_url)
        self._outbox = outbox

    async def _do_post(
        self, endpoint: str, data: dict[str, Any], **timeouts: Any
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        parameters = [RequestParameter.from_input(key, value) for key, value in data.items()]
        if not queued(endpoint) or any(p.input_files for p in parameters):
            return await super()._do_post(endpoint, data, **timeouts)
        params = {p.name: p.value for p in parameters}
        chat_id = params.get("chat_id")
        lane = chat_id if isinstance(chat_id, int) else _lane.get()
        await self._outbox.add(lane, endpoint, params)
        if not endpoint.startswith(("send", "copy", "forward")):
            return True
        chat_type = "private" if lane > 0 else "supergroup"
        return {
            "message_id": 0,
            "date": int(time.time()),
            "chat": {"id": lane, "type": chat_type},
            "text": params.get("text", ""),
        }
