"""The relay's deliveries to the chat page: Bot API calls made on the web chats' store.

The relay hands over the outbox rows of web chats (:func:`intake.web_chat.is_web_chat`) here
instead of calling Telegram. Each call is checked and answered as Telegram would (the local Bot
API's rules, :mod:`bot.local_api.methods`), and what it shows is written together with its
outbox row's id, so that a row delivered again after a crash is answered from what was stored
rather than shown twice. A refused call raises Telegram's error, which the relay handles as
it handles Telegram's.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InputFile
from telegram.error import BadRequest

from bot.local_api.errors import ApiError, bad_request
from bot.local_api.files import MediaKind
from bot.local_api.files import StoredFile as MediaFile
from bot.local_api.methods import (
    CONTENT_FIELDS,
    MAX_CALLBACK_ANSWER_LENGTH,
    NOT_MODIFIED,
    caption_of,
    reply_markup_of,
    text_content,
    without,
)
from bot.local_api.objects import JsonDict
from bot.local_api.params import Params
from intake.clock import utcnow
from intake.database import unit_of_work
from intake.outbox import Letter
from intake.web_chat import EventKind, WebChats, is_web_chat

# Fetches a Telegram file (a staff member's photo) as its bytes and MIME type.
FetchFile = Callable[[str], Awaitable[tuple[bytes, str]]]
_MEDIA: dict[str, MediaKind] = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendVoice": "voice",
}


class WebDelivery:
    """Makes the outbox's calls for web chats.

    Args:
        chats: The web chats' store.
        bot_user: The bot as a Telegram user (the sender of its messages).
        news: Told the chat id of every chat something was shown in (wakes its page).
        fetch_file: Fetches a Telegram file the bot sends to a web chat by its file id.

    """

    def __init__(
        self,
        chats: WebChats,
        bot_user: JsonDict,
        news: Callable[[int], None],
        fetch_file: FetchFile,
    ) -> None:
        self._chats = chats
        self._bot = bot_user
        self._news = news
        self._fetch_file = fetch_file

    async def deliver(self, letter: Letter) -> Any:
        """Make one call of the outbox, once, and answer as the Bot API does.

        Raises:
            telegram.error.BadRequest: The call is refused, as Telegram would refuse it.

        """
        file = await self._telegram_file(letter)
        try:
            async with unit_of_work(self._chats.engine):
                done = await self._chats.delivered(letter.id)
                if done is not None:
                    shown = done.kind in (EventKind.MESSAGE, EventKind.EDIT)
                    return done.payload if shown else True
                result = await self._call(letter, Params(dict(letter.params)), file)
        except ApiError as error:
            raise BadRequest(error.description.removeprefix("Bad Request: ")) from None
        self._news(letter.chat_id)
        return result

    async def to_telegram(self, method: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A call to Telegram, with any web chat's file in it uploaded (Telegram has no id for it).

        Telegram plays only OGG, MP3 and M4A as voice messages: a browser's WebM recording goes
        as a document, which staff open in their player.

        Returns:
            The method and parameters to call Telegram with.

        """
        kind = _MEDIA.get(method)
        reference = params.get(kind) if kind else None
        if kind is None or not isinstance(reference, str) or not reference.startswith("web-"):
            return method, params
        stored = await self._chats.file(reference)
        if stored is None:
            return method, params  # Telegram refuses the id; the relay records why
        if kind == "voice" and stored.mime_type == "audio/webm":
            method, kind = "sendDocument", "document"
            params = {key: value for key, value in params.items() if key != "voice"}
        extension = mimetypes.guess_extension(stored.mime_type) or ""
        upload = InputFile(stored.content, filename=f"{kind}{extension}")
        return method, params | {kind: upload}

    async def _telegram_file(self, letter: Letter) -> str | None:
        """A Telegram file the call sends, kept as a file of the web chat (its new id)."""
        kind = _MEDIA.get(letter.method)
        reference = letter.params.get(kind) if kind else None
        if kind is None or not isinstance(reference, str) or reference.startswith("web-"):
            return None
        try:
            content, mime_type = await self._fetch_file(reference)
        except Exception as error:  # any failure to fetch leaves the photo undeliverable
            raise BadRequest(f"wrong file identifier/HTTP URL specified ({error})") from None
        return await self._chats.add_file(letter.chat_id, kind, mime_type, content)

    async def _call(self, letter: Letter, params: Params, file: str | None) -> Any:
        chat_id = letter.chat_id
        method = letter.method
        if method == "sendMessage":
            return await self._post(letter, params, text_content(params))
        if method in _MEDIA:
            return await self._post(letter, params, await self._media(params, method, file))
        if method == "copyMessage":
            copied = await self._post(letter, params, await self._original(params))
            return {"message_id": copied["message_id"]}
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return await self._edit(letter, params)
        if method == "deleteMessage":
            message_id = params.require_int("message_id")
            if await self._chats.message(chat_id, message_id) is None:
                raise bad_request("message to delete not found")
            await self._chats.record(
                chat_id, EventKind.DELETE, {"message_id": message_id}, outbox_id=letter.id
            )
            return True
        if method == "answerCallbackQuery":
            text = params.get_str("text")
            if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
                raise bad_request("MESSAGE_TOO_LONG")
            if text:
                popup = {"text": text, "show_alert": params.get_bool("show_alert")}
                await self._chats.record(chat_id, EventKind.POPUP, popup, outbox_id=letter.id)
            return True
        if method == "sendChatAction":
            return True
        raise bad_request(f"method {method} is not available in a web chat")

    async def _media(self, params: Params, method: str, file: str | None) -> JsonDict:
        kind = _MEDIA[method]
        stored = await self._chats.file(file or params.get_str(kind) or "")
        if stored is None or not is_web_chat(stored.chat_id):
            raise bad_request("wrong file identifier/HTTP URL specified")
        media = MediaFile(
            stored.file_id,
            stored.file_id,
            kind,
            stored.content,
            file_path="",
            file_name=params.get_str("file_name"),
            mime_type=stored.mime_type,
        )
        return media.media(duration=params.get_int("duration") or 1) | caption_of(params)

    async def _original(self, params: Params) -> JsonDict:
        """What ``copyMessage`` copies: a message of a web chat (others are not here)."""
        original = await self._chats.message(
            params.require_int("from_chat_id"), params.require_int("message_id")
        )
        if original is None:
            raise bad_request("message to copy not found")
        content = {key: original[key] for key in CONTENT_FIELDS if key in original}
        if "text" not in content and params.has("caption"):
            content.pop("caption_entities", None)
            content.update(caption_of(params))
        return content

    async def _post(self, letter: Letter, params: Params, content: JsonDict) -> JsonDict:
        markup = reply_markup_of(params)
        message: JsonDict = {
            "message_id": await self._chats.next_message_id(letter.chat_id),
            "from": self._bot,
            "chat": {"id": letter.chat_id, "type": "private"},
            "date": int(utcnow().timestamp()),
            **content,
        }
        if markup is not None:
            # The page keeps the latest reply keyboard; Telegram keeps it on the chat.
            message["reply_markup"] = markup
        await self._chats.record(letter.chat_id, EventKind.MESSAGE, message, outbox_id=letter.id)
        return message

    async def _edit(self, letter: Letter, params: Params) -> JsonDict:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported in a web chat")
        message = await self._chats.message(letter.chat_id, params.require_int("message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self._bot["id"]:
            raise bad_request("message can't be edited")
        markup = reply_markup_of(params, inline_only=True)
        edited = without(message, "reply_markup", "edit_date")
        if letter.method == "editMessageText":
            if "text" not in message:
                raise bad_request("there is no text in the message to edit")
            edited = without(edited, "text", "entities") | text_content(params)
        if markup is not None:
            edited["reply_markup"] = markup
        if edited == without(message, "edit_date"):
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = int(utcnow().timestamp())
        await self._chats.record(letter.chat_id, EventKind.EDIT, edited, outbox_id=letter.id)
        return edited
