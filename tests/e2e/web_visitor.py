"""A villager on the chat page, as his browser talks to it: cookies, CSRF header, long polling."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

from bot.web_chat.app import CSRF_HEADER

Json = dict[str, Any]
WAIT_SECONDS = 15.0


@dataclass
class WebVisitor:
    """One browser on the chat page at ``base`` (the server's address, which may change).

    A request that fails raises :class:`aiohttp.ClientError`; what the page shows stays.
    """

    base: URL
    http: aiohttp.ClientSession
    csrf: str = ""
    chat_id: int = 0
    after: int = 0
    seen: list[Json] = field(default_factory=list)
    messages: dict[int, Json] = field(default_factory=dict)
    popups: list[str] = field(default_factory=list)
    unread: list[Json] = field(default_factory=list)
    edits: list[Json] = field(default_factory=list)

    async def open(self, village: str | None = None) -> aiohttp.ClientResponse:
        """Open the page (with ``?v=`` if a village is given) and read the session."""
        url = self.base / "chat/"
        page = await self.http.get(url % {"v": village} if village else url)
        page.raise_for_status()
        session = await self.api_get("session")
        self.csrf, self.chat_id = session["csrf"], session["chat_id"]
        return page

    async def api_get(self, path: str, **query: str) -> Json:
        """A GET of the page's API that must succeed."""
        async with self.http.get(self.base / "chat/api" / path % query) as response:
            response.raise_for_status()
            body: Json = await response.json()
            return body

    async def post(
        self, path: str, body: Json | None = None, *, csrf: str | None = None
    ) -> aiohttp.ClientResponse:
        """A POST as the page makes it (a fresh key unless ``body`` has one)."""
        payload = {"key": secrets.token_hex(16)} | (body or {})
        headers = {CSRF_HEADER: self.csrf if csrf is None else csrf}
        response = await self.http.post(
            self.base / "chat/api" / path, json=payload, headers=headers
        )
        await response.read()
        return response

    async def say(self, text: str, key: str | None = None) -> None:
        """Type ``text`` and send it (with ``key``, as the page sends it again after a failure)."""
        response = await self.post("send", {"text": text} | ({"key": key} if key else {}))
        response.raise_for_status()

    async def start(self) -> None:
        """What the page sends on a first visit."""
        response = await self.post("start")
        assert response.status == 200, await response.text()

    async def press(self, message: Json, text: str) -> None:
        """Press the inline button labelled ``text`` under ``message``."""
        await self.press_data(message, button(message, text)["callback_data"])

    async def press_data(self, message: Json, data: str) -> None:
        """Press the inline button with callback data ``data`` under ``message``."""
        response = await self.post("press", {"message_id": message["message_id"], "data": data})
        assert response.status == 200, await response.text()

    async def reply(self) -> Json:
        """The bot's next new message."""
        async with asyncio.timeout(WAIT_SECONDS):
            while not self.unread:
                await self.poll()
        return self.unread.pop(0)

    async def popup(self) -> str:
        """The next pop-up the bot showed (a button press's answer)."""
        async with asyncio.timeout(WAIT_SECONDS):
            while not self.popups:
                await self.poll()
        return self.popups.pop(0)

    async def share_phone(self, phone: str, name: str = "") -> None:
        """Give his number (and the name he goes by) through the contact button's form."""
        response = await self.post("contact", {"phone": phone, "name": name})
        assert response.status == 200, await response.text()

    async def upload(self, kind: str, content: bytes, **fields: str) -> aiohttp.ClientResponse:
        """Send a photo or a recording."""
        form = aiohttp.FormData()
        form.add_field("key", secrets.token_hex(16))
        form.add_field("kind", kind)
        for name, value in fields.items():
            form.add_field(name, value)
        form.add_field("file", content, filename="upload", content_type="application/octet-stream")
        response = await self.http.post(
            self.base / "chat/api/upload", data=form, headers={CSRF_HEADER: self.csrf}
        )
        await response.read()
        return response

    async def poll(self) -> list[Json]:
        """One long poll: the events after the last one seen, applied."""
        body = await self.api_get("events", after=str(self.after))
        for event in body["events"]:
            self.after = event["id"]
            self.seen.append(event)
            payload = event["payload"]
            if event["kind"] in ("message", "edit"):
                self.messages[payload["message_id"]] = payload
                if self._from_bot(payload):
                    (self.unread if event["kind"] == "message" else self.edits).append(payload)
            elif event["kind"] == "delete":
                self.messages.pop(payload["message_id"], None)
            elif event["kind"] == "popup":
                self.popups.append(payload["text"])
        events: list[Json] = body["events"]
        return events

    async def bot_message(self, containing: str) -> Json:
        """The bot's next new message whose text contains ``containing`` (those before it read)."""
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                while self.unread:
                    message = self.unread.pop(0)
                    if containing in (message.get("text") or message.get("caption") or ""):
                        return message
                await self.poll()

    async def edit(self) -> Json:
        """The bot's next edit of one of its messages."""
        async with asyncio.timeout(WAIT_SECONDS):
            while not self.edits:
                await self.poll()
        return self.edits.pop(0)

    def bot_messages(self) -> list[Json]:
        """The bot's messages as the page shows them now."""
        return [m for _, m in sorted(self.messages.items()) if self._from_bot(m)]

    def _from_bot(self, message: Json) -> bool:
        return bool(message["from"]["id"] != self.chat_id)


def button(message: Json, text: str) -> Json:
    """The inline button labelled ``text`` (or containing it) under ``message``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for candidate in row:
            if text in candidate["text"]:
                return dict(candidate)
    labels = [b["text"] for row in rows for b in row]
    raise AssertionError(f"no button {text!r} in {labels}")


@asynccontextmanager
async def web_visitor(base: URL) -> AsyncIterator[WebVisitor]:
    """A browser of its own (its own cookies) on the chat page at ``base``."""
    jar = aiohttp.CookieJar(unsafe=True)  # the server is reached by IP address
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        yield WebVisitor(base, http)
