"""The transport of the bot the handlers talk to: what it is asked to send becomes an outbox row.

Handlers call ``send_message``, ``reply_text``, ``query.answer`` and the rest as usual; the bot's
request object (:class:`OutboxRequest`, python-telegram-bot's transport hook) writes the call to
the outbox (:mod:`intake.outbox`) — inside the unit of work that handles the update, so the
message commits with its cause — and the relay (:mod:`bot.relay`) makes it. Calls that read
(``getMe``, ``getFile``, ``getChat``), calls that upload a file and the bot's own set-up calls
still go to the Bot API at once, through an ordinary request object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from intake.clock import utcnow
from intake.database import STORAGE_ERRORS
from intake.outbox import Outbox

# Calls that deliver something to a person; everything else is made at once.
QUEUED_PREFIXES = ("send", "edit", "answer", "copy", "forward")
QUEUED_METHODS = frozenset({"deleteMessage"})
# Callback answers have no chat of their own; they queue in the chat of the update they answer.
_lane: ContextVar[int] = ContextVar("mingbai_outbox_lane", default=0)

BotResult = bool | dict[str, Any] | list[dict[str, Any]]


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


class OutboxRequest(BaseRequest):
    """Bot API requests whose sending calls are queued in the outbox instead of made.

    A queued ``send…`` call answers with a stand-in message (``message_id`` 0, as nothing is
    sent yet); handlers must not rely on the ids of what they send. Other calls are made by
    ``direct``. (The timeouts are typed ``Any``: PTB's own type for them is private.)

    Args:
        outbox: Where calls are queued.
        direct: Makes the calls that are not queued.

    """

    def __init__(self, outbox: Outbox, direct: BaseRequest) -> None:
        self._outbox = outbox
        self._direct = direct

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of the calls made at once."""
        return self._direct.read_timeout

    async def initialize(self) -> None:
        """Open the connections of the calls made at once."""
        await self._direct.initialize()

    async def shutdown(self) -> None:
        """Close the connections of the calls made at once."""
        await self._direct.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Queue a sending call and answer for it; make any other call at once.

        Returns:
            The HTTP status and the body of the Bot API's answer (or of the stand-in answer).

        Raises:
            sqlalchemy.exc.SQLAlchemyError: The call could not be queued.
            OSError: The database could not be reached to queue it.
            telegram.error.TelegramError: A call made at once failed.

        """
        endpoint = url.rpartition("/")[2]
        if request_data is None or request_data.contains_files or not queued(endpoint):
            return await self._direct.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        params = request_data.parameters
        chat_id = params.get("chat_id")
        lane = chat_id if isinstance(chat_id, int) else _lane.get()
        await self._outbox.add(lane, endpoint, params)
        result: BotResult = True
        if endpoint.startswith(("send", "copy", "forward")):
            result = {
                "message_id": 0,
                "date": int(utcnow().timestamp()),
                "chat": {"id": lane, "type": "private" if lane > 0 else "supergroup"},
                "text": params.get("text", ""),
            }
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()


class StorageErrorsThrough(BaseRateLimiter[None]):
    """Lets a database failure met while queueing leave the bot as itself.

    PTB turns whatever a request object raises into a ``NetworkError``; a database failure must
    reach the processor, the relay and the console as what it is (the work is rolled back and
    done again once the database is back), not as a network failure. A rate limiter is PTB's
    hook around every call of a bot; nothing is rate limited here (the relay paces the sending).
    """

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, BotResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> BotResult:
        """Make the call; a database failure inside it is raised unwrapped."""
        try:
            return await callback(*args, **kwargs)
        except NetworkError as error:
            cause = error.__cause__
            if isinstance(cause, STORAGE_ERRORS):
                raise cause from cause.__cause__
            raise


def queueing_bot(token: str, outbox: Outbox, *, base_url: str, base_file_url: str) -> ExtBot[None]:
    """A bot whose sending calls are queued in ``outbox`` (see :class:`OutboxRequest`).

    Args:
        token: The bot token.
        outbox: Where calls are queued.
        base_url: The Bot API base URL.
        base_file_url: The Bot API base URL for files.

    """
    return ExtBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=OutboxRequest(outbox, HTTPXRequest()),
        rate_limiter=StorageErrorsThrough(),
    )
