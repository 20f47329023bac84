"""Webhook mode: pending updates are POSTed to the bot's URL, oldest first, until accepted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp

from bot.local_api.errors import bad_request
from bot.local_api.loopback import is_loopback_host
from bot.local_api.objects import JsonDict, unix_now
from bot.local_api.updates import UpdateQueue

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FIRST_RETRY_DELAY = 0.05

_log = logging.getLogger(__name__)


class Webhook:
    """The webhook setting and, while one is set, the task delivering updates to it.

    Args:
        updates: The queue that getUpdates would otherwise serve.
        max_retry_delay: The longest pause between two attempts to deliver an update; the pause
            doubles from 50 ms after each failure, up to this.
        timeout: How long one delivery may take before it counts as failed.

    """

    def __init__(self, updates: UpdateQueue, *, max_retry_delay: float, timeout: float) -> None:
        self._updates = updates
        self._max_retry_delay = max_retry_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None

    @property
    def active(self) -> bool:
        """Whether a webhook is set (and getUpdates therefore refused)."""
        return bool(self.url)

    async def set(
        self,
        url: str,
        *,
        secret_token: str | None = None,
        max_connections: int = 40,
        allowed_updates: Sequence[str] | None = None,
    ) -> None:
        """Set the webhook (``setWebhook``); an empty ``url`` removes it.

        Raises:
            ApiError: If the URL is not a loopback HTTP(S) URL or the secret is malformed.

        """
        if not url:
            await self.delete()
            return
        _check_url(url)
        if secret_token is not None and not _SECRET.fullmatch(secret_token):
            raise bad_request("secret token contains unallowed characters")
        await self._stop_delivery()
        self.url, self.secret_token, self.max_connections = url, secret_token, max_connections
        self.last_error_date = self.last_error_message = None
        if allowed_updates is not None:
            self._updates.allow(allowed_updates)
        self._task = asyncio.create_task(self._deliver(), name="local-bot-api-webhook")

    async def delete(self) -> None:
        """Remove the webhook (``deleteWebhook``); pending updates stay for getUpdates."""
        await self._stop_delivery()
        self.url, self.secret_token = "", None

    def info(self) -> JsonDict:
        """The ``WebhookInfo`` object ``getWebhookInfo`` returns."""
        info: JsonDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates.pending),
        }
        if self.active:
            info["max_connections"] = self.max_connections
            if self._updates.allowed_updates:
                info["allowed_updates"] = self._updates.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        """Stop delivering and release the HTTP client."""
        await self._stop_delivery()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _stop_delivery(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _deliver(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        session = self._session
        delay = _FIRST_RETRY_DELAY
        while True:
            update = await self._updates.next_pending()
            error = await self._post(session, update)
            if error is None:
                self._updates.confirm(update["update_id"] + 1)
                delay = _FIRST_RETRY_DELAY
                continue
            _log.warning("webhook delivery of update %s failed: %s", update["update_id"], error)
            self.last_error_date, self.last_error_message = unix_now(), error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_retry_delay)

    async def _post(self, session: aiohttp.ClientSession, update: JsonDict) -> str | None:
        """POST one update; the error Telegram would report, or ``None`` on success."""
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with session.post(self.url, json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"Connection failed: {error or type(error).__name__}"


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: invalid webhook URL specified")
    if not is_loopback_host(parts.hostname):
        raise bad_request(
            "bad webhook: the local Bot API only delivers to loopback addresses "
            "(127.0.0.1, ::1, localhost)"
        )
