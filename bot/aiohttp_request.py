"""python-telegram-bot's HTTP requests made with aiohttp, for the relay and the poller.

The relay makes many calls side by side; httpx's connection pool spends more time on its own
bookkeeping there than on the calls (benchmarks/bot_throughput.py measured it), while aiohttp —
already the bot's web server — is cheap. The Application's own bot keeps PTB's default client:
it only reads (``getMe``, ``getFile``) and queues the rest.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 5.0


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session.

    Args:
        connections: Connections open at once at the most.
        read_timeout: How long to wait for an answer unless a call says otherwise.

    """

    def __init__(self, connections: int, read_timeout: float = READ_TIMEOUT_SECONDS) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """How long to wait for an answer unless a call says otherwise."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections)
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make one request; return the HTTP status and body.

        Raises:
            TimedOut: No answer in time.
            NetworkError: The connection failed or was dropped.

        """
        if self._session is None:
            raise NetworkError("the request session is not initialised")
        read = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        timeout = aiohttp.ClientTimeout(
            sock_read=read if isinstance(read, float | int) else None,
            sock_connect=CONNECT_TIMEOUT_SECONDS,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp: {type(error).__name__}") from error


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
