"""The chat page at ``/chat/``: the visitor's session, what he sends, what his page shows.

A visitor is named by a long-lived session cookie (HttpOnly, SameSite=Lax; only its hash is
stored) and is a private chat of the web channel (:mod:`intake.web_chat`). What he sends — a
text, a button press, a photo, a recording — is stored as a Telegram-shaped update in the inbox,
once per key his page gave it, and handled by the same handlers as Telegram's; what the bot
sends him reaches his page through the outbox and the relay (:mod:`bot.web_chat.delivery`). The
page fetches it by long polling. Every POST carries a CSRF token derived from the session token,
which another site cannot read; posts are limited per session and per address.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.local_api.files import MediaKind
from bot.local_api.files import StoredFile as MediaFile
from bot.local_api.objects import JsonDict
from bot.pipeline import Pipeline
from bot.web_chat import texts
from handlers.guard import RateWindow
from handlers.texts import guard as guard_texts
from intake.clock import utcnow
from intake.config import IntakeConfig
from intake.database import STORAGE_ERRORS
from intake.validation import NAME_MAX
from intake.web_chat import VISITOR_LIFE, Visitor

CHAT_PATH = "/chat"
STATIC = Path(__file__).parent / "static"
COOKIE = "mingbai_chat"
COOKIE_MAX_AGE = int(VISITOR_LIFE.total_seconds())
CSRF_HEADER = "X-CSRF-Token"
MAX_TEXT = 4096
MAX_PHONE = 32
# The page waits this long for news before asking again.
LONG_POLL_SECONDS = 25.0
# Another process may deliver (a standby that took over): the database is asked this often.
RECHECK_SECONDS = 2.0
MAX_BYTES: dict[MediaKind, int] = {"photo": 10 << 20, "voice": 5 << 20}
_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
_SIGNATURES: dict[MediaKind, tuple[tuple[str, Callable[[bytes], bool]], ...]] = {
    "photo": (
        ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
        ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
        ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ),
    "voice": (
        ("audio/webm", lambda head: head.startswith(b"\x1a\x45\xdf\xa3")),
        ("audio/ogg", lambda head: head.startswith(b"OggS")),
        ("audio/mp4", lambda head: head[4:8] == b"ftyp"),
    ),
}
# The page may post faster than the guard lets the bot answer (it holds the rest): these limits
# only stop floods. Many villagers may share one address behind a carrier's NAT.
SESSION_FACTOR = 2
ADDRESS_FACTOR = 10
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob:; media-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

log = logging.getLogger(__name__)

CHAT: web.AppKey[WebChat] = web.AppKey("web_chat")


class Refused(Exception):
    """A request the page is told about in Chinese, with its HTTP status."""

    def __init__(self, status: int, text: str, retry_after: int | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.retry_after = retry_after

    def response(self) -> web.Response:
        """The refusal as the page reads it."""
        body: JsonDict = {"error": self.text}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
        return web.json_response(body, status=self.status, headers=SECURITY_HEADERS)


@dataclass(frozen=True)
class Session:
    """The visitor a request comes from, and his session token."""

    visitor: Visitor
    token: str


def token_hash(token: str) -> str:
    """What is stored of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """The CSRF token of a session: only a page that read it from the server knows it."""
    return hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()


class WebChat:
    """The chat page's requests, on the pipeline's web chats.

    Args:
        pipeline: The bot: its inbox, web chats and news.
        config: The villages (``?v=`` names one) and the message limits.

    """

    def __init__(self, pipeline: Pipeline, config: IntakeConfig) -> None:
        self._pipeline = pipeline
        self._chats = pipeline.web_chats
        self._config = config
        limits = config.limits
        self._window = timedelta(seconds=limits.window_seconds)
        self._per_session = RateWindow(SESSION_FACTOR * limits.messages, self._window, utcnow)
        self._per_address = RateWindow(ADDRESS_FACTOR * limits.messages, self._window, utcnow)
        self._stopping = False

    async def stop(self, _: web.Application) -> None:
        """End the long polls at once: the server waits for every request before it stops.

        The pages ask again, of the server that takes over.
        """
        self._stopping = True
        self._pipeline.web_news.tell_everyone()

    async def page(self, request: web.Request) -> web.StreamResponse:
        """``GET /chat/``: the page; a new visitor gets his session, ``?v=`` sets his village."""
        response = web.FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)
        code = request.query.get("v", "")
        village = code if self._config.village(code) is not None else None
        session = await self._session(request)
        if session is None:
            _admit(self._per_address, request.remote, self._config)
            token = secrets.token_urlsafe(32)
            await self._chats.new_visitor(token_hash(token), village)
        else:
            token = session.token
            await self._chats.returned(session.visitor.chat_id, village)
        # Set at every visit, so that the cookie lives 400 days from the last one.
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_MAX_AGE,
            path=CHAT_PATH + "/",
            httponly=True,
            samesite="Lax",
            # Behind the HTTPS proxy of a deployment this follows its X-Forwarded-Proto.
            secure=request.secure,
        )
        return response

    async def session(self, request: web.Request) -> web.Response:
        """``GET /chat/api/session``: the page's CSRF token, chat id and village."""
        session = await self._required(request)
        code = session.visitor.village_code
        village = self._config.village(code) if code else None
        return _json(
            {
                "csrf": csrf_token(session.token),
                "chat_id": session.visitor.chat_id,
                "village": None if village is None else village.name,
            }
        )

    async def events(self, request: web.Request) -> web.Response:
        """``GET /chat/api/events?after=N``: what is new after event N, waiting for it a while.

        ``wait=0`` answers at once (the page's first look, to know whether the chat is new).
        """
        session = await self._required(request)
        chat_id = session.visitor.chat_id
        try:
            after = max(0, int(request.query.get("after", "0")))
        except ValueError:
            after = 0
        loop = asyncio.get_running_loop()
        patience = 0.0 if request.query.get("wait") == "0" else LONG_POLL_SECONDS
        deadline = loop.time() + patience
        while True:
            events = await self._chats.events(chat_id, after)
            left = deadline - loop.time()
            if events or left <= 0 or self._stopping:
                break
            await self._pipeline.web_news.wait(chat_id, min(left, RECHECK_SECONDS))
        shown = [{"id": e.id, "kind": e.kind.value, "payload": e.payload} for e in events]
        return _json({"events": shown})

    async def start(self, request: web.Request) -> web.Response:
        """``POST /chat/api/start``: the first visit's ``/start``, as Telegram's Start button."""
        session, _ = await self._posting(request)

        def build(update_id: int, message_id: int) -> tuple[JsonDict, JsonDict | None]:
            message = _message(session.visitor.chat_id, message_id, _text("/start"))
            return {"update_id": update_id, "message": message}, None

        return await self._post(session, "start", build)

    async def send(self, request: web.Request) -> web.Response:
        """``POST /chat/api/send``: a text message (typed, or a reply keyboard's button)."""
        session, body = await self._posting(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Refused(400, texts.EMPTY_TEXT)
        if len(text) > MAX_TEXT:
            raise Refused(400, texts.TEXT_TOO_LONG.format(limit=MAX_TEXT))

        def build(update_id: int, message_id: int) -> tuple[JsonDict, JsonDict | None]:
            message = _message(session.visitor.chat_id, message_id, _text(text))
            return {"update_id": update_id, "message": message}, message

        return await self._post(session, _key(body), build)

    async def contact(self, request: web.Request) -> web.Response:
        """``POST /chat/api/contact``: his phone number and name, given through a contact button.

        Typed into the form the contact button opens, they are his own, as Telegram's shared
        contact is; the handlers check the number itself. Without a name he is a visitor.
        """
        session, body = await self._posting(request)
        chat_id = session.visitor.chat_id
        phone, name = body.get("phone"), body.get("name") or ""
        if not isinstance(phone, str) or not phone.strip() or len(phone) > MAX_PHONE:
            raise Refused(400, texts.PHONE_EMPTY)
        if not isinstance(name, str) or len(name) > NAME_MAX:
            raise Refused(400, texts.NAME_TOO_LONG.format(limit=NAME_MAX))
        contact = {"phone_number": phone.strip(), "first_name": name.strip() or texts.VISITOR_NAME}

        def build(update_id: int, message_id: int) -> tuple[JsonDict, JsonDict | None]:
            shared = {"contact": contact | {"user_id": chat_id}}
            message = _message(chat_id, message_id, shared)
            return {"update_id": update_id, "message": message}, message

        return await self._post(session, _key(body), build)

    async def press(self, request: web.Request) -> web.Response:
        """``POST /chat/api/press``: an inline button pressed (a callback query)."""
        session, body = await self._posting(request)
        chat_id = session.visitor.chat_id
        message_id, data = body.get("message_id"), body.get("data")
        message = (
            await self._chats.message(chat_id, message_id) if isinstance(message_id, int) else None
        )
        if message is None or not isinstance(data, str) or data not in _button_data(message):
            raise Refused(400, texts.BUTTON_GONE)

        def build(update_id: int, message_id: int) -> tuple[JsonDict, JsonDict | None]:
            query = {
                "id": f"web-{update_id}",
                "from": _visitor_user(chat_id),
                "chat_instance": str(chat_id),
                "data": data,
                "message": message,
            }
            return {"update_id": update_id, "callback_query": query}, None

        return await self._post(session, _key(body), build)

    async def upload(self, request: web.Request) -> web.Response:
        """``POST /chat/api/upload``: a photo or a voice recording (multipart form)."""
        session = await self._authorised(request)
        fields, content = await _read_upload(request)
        kind: MediaKind = "voice" if fields.get("kind") == "voice" else "photo"
        mime_type = _sniffed(kind, content)
        if mime_type is None:
            raise Refused(400, texts.FILE_WRONG_TYPE)
        key = _key(fields)
        self._limit(request, session)
        chat_id = session.visitor.chat_id
        file_id = await self._chats.add_file(chat_id, kind, mime_type, content)
        media = MediaFile(
            file_id, file_id, kind, content, file_path="", file_name=None, mime_type=mime_type
        )
        duration = _duration(fields.get("duration"))

        def build(update_id: int, message_id: int) -> tuple[JsonDict, JsonDict | None]:
            message = _message(chat_id, message_id, media.media(duration=duration))
            return {"update_id": update_id, "message": message}, message

        return await self._post(session, key, build)

    async def file(self, request: web.Request) -> web.StreamResponse:
        """``GET /chat/api/files/{id}``: a file of the visitor's own chat."""
        session = await self._required(request)
        stored = await self._chats.file(request.match_info["file_id"])
        if stored is None or stored.chat_id != session.visitor.chat_id:
            raise Refused(404, texts.NOT_FOUND)
        headers = SECURITY_HEADERS | {"Content-Disposition": "inline"}
        return web.Response(body=stored.content, content_type=stored.mime_type, headers=headers)

    # Helpers

    async def _session(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        visitor = await self._chats.visitor(token_hash(token))
        return None if visitor is None else Session(visitor, token)

    async def _required(self, request: web.Request) -> Session:
        session = await self._session(request)
        if session is None:
            raise Refused(401, texts.NO_SESSION)
        return session

    async def _authorised(self, request: web.Request) -> Session:
        session = await self._required(request)
        offered = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(offered.encode(), csrf_token(session.token).encode()):
            log.warning("chat page post without the right CSRF token refused")
            raise Refused(403, texts.CSRF_FAILED)
        return session

    async def _posting(self, request: web.Request) -> tuple[Session, JsonDict]:
        session = await self._authorised(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise Refused(400, texts.EMPTY_TEXT)
        self._limit(request, session)
        return session, body

    def _limit(self, request: web.Request, session: Session) -> None:
        _admit(self._per_session, session.visitor.chat_id, self._config)
        _admit(self._per_address, request.remote, self._config)

    async def _post(
        self,
        session: Session,
        key: str,
        build: Callable[[int, int], tuple[JsonDict, JsonDict | None]],
    ) -> web.Response:
        new = await self._chats.post(session.visitor.chat_id, key, build)
        if new:
            self._pipeline.wake()
        return _json({"ok": True, "new": new})


def build_web_chat(pipeline: Pipeline, config: IntakeConfig) -> web.Application:
    """The chat page's application, to be mounted at :data:`CHAT_PATH`.

    Args:
        pipeline: The bot: its inbox, web chats and news.
        config: The villages and the message limits.

    """
    chat = WebChat(pipeline, config)
    app = web.Application(middlewares=[_refusals])
    app[CHAT] = chat
    app.on_shutdown.append(chat.stop)
    app.router.add_get("/", chat.page)
    app.router.add_get("/api/session", chat.session)
    app.router.add_get("/api/events", chat.events)
    app.router.add_get("/api/files/{file_id}", chat.file)
    app.router.add_post("/api/start", chat.start)
    app.router.add_post("/api/send", chat.send)
    app.router.add_post("/api/press", chat.press)
    app.router.add_post("/api/contact", chat.contact)
    app.router.add_post("/api/upload", chat.upload)
    app.router.add_static("/static/", STATIC)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Refused as refused:
        return refused.response()
    except STORAGE_ERRORS as error:
        log.warning("chat page request not served (%s)", type(error).__name__)
        return Refused(503, texts.STORAGE_DOWN, retry_after=2).response()


def _admit(window: RateWindow, key: object, config: IntakeConfig) -> None:
    """Count one post of ``key``; over the limit, the guard's polite refusal."""
    free_at = window.admit(key)
    if free_at is None:
        return
    seconds = max(1, int((free_at - utcnow()).total_seconds()) + 1)
    limits = config.limits
    text = guard_texts.RATE_LIMITED.format(
        window=limits.window_seconds, limit=limits.messages, seconds=seconds
    )
    raise Refused(429, text, retry_after=seconds)


def _json(body: JsonDict) -> web.Response:
    return web.json_response(body, headers=SECURITY_HEADERS)


def _key(body: dict[str, Any]) -> str:
    key = body.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise Refused(400, texts.CSRF_FAILED)
    return key


def _visitor_user(chat_id: int) -> JsonDict:
    return {"id": chat_id, "is_bot": False, "first_name": texts.VISITOR_NAME}


def _message(chat_id: int, message_id: int, content: JsonDict) -> JsonDict:
    return {
        "message_id": message_id,
        "from": _visitor_user(chat_id),
        "chat": {"id": chat_id, "type": "private", "first_name": texts.VISITOR_NAME},
        "date": int(utcnow().timestamp()),
        **content,
    }


def _text(text: str) -> JsonDict:
    """A text message's content; a command is marked as Telegram marks it."""
    content: JsonDict = {"text": text}
    if text.startswith("/"):
        # Telegram counts offsets in UTF-16 code units.
        length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return content


def _button_data(message: JsonDict) -> set[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return {
        button["callback_data"]
        for row in rows
        for button in row
        if isinstance(button, dict) and isinstance(button.get("callback_data"), str)
    }


def _duration(value: str | None) -> int:
    try:
        return min(max(int(float(value or "1")), 1), 3600)
    except ValueError:
        return 1


def _sniffed(kind: MediaKind, content: bytes) -> str | None:
    """The MIME type a file's first bytes show it to be, if it is one allowed for ``kind``."""
    head = content[:16]
    return next((mime for mime, matches in _SIGNATURES[kind] if matches(head)), None)


async def _read_upload(request: web.Request) -> tuple[dict[str, str], bytes]:
    """The form fields and the file of an upload, refused once larger than any allowed file."""
    fields: dict[str, str] = {}
    content: bytes | None = None
    limit = max(MAX_BYTES.values())
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            content = await _read_capped(part, limit)
        elif part.name:
            fields[part.name] = (await part.read_chunk(1024)).decode(errors="replace")
    if content is None:
        raise Refused(400, texts.FILE_MISSING)
    kind: MediaKind = "voice" if fields.get("kind") == "voice" else "photo"
    if len(content) > MAX_BYTES[kind]:
        raise _too_large(kind)
    return fields, content


async def _read_capped(part: BodyPartReader, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(64 << 10):
        size += len(chunk)
        if size > limit:
            raise _too_large("photo")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(kind: MediaKind) -> Refused:
    name = texts.KIND_NAMES.get(kind, kind)
    return Refused(413, texts.FILE_TOO_LARGE.format(kind=name, limit=MAX_BYTES[kind] >> 20))
