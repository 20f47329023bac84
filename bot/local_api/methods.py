"""The Bot API methods the local server implements, acting on the in-memory :class:`World`.

Each method validates its parameters as Telegram does and fails with the error Telegram would
give, so that the bot's mistakes surface in tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.local_api.errors import ApiError, bad_request
from bot.local_api.files import MediaKind, StoredFile
from bot.local_api.formatting import FormattingError, parse_html
from bot.local_api.objects import JsonDict, chat_full_info, chat_member, unix_now
from bot.local_api.params import Params
from bot.local_api.state import ChatRecord, Sent, World
from bot.local_api.updates import UpdateQueue
from bot.local_api.webhook import Webhook

Handler = Callable[[Params], Awaitable[Any]]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# What copyMessage and forwardMessage carry over from the original.
CONTENT_FIELDS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "voice",
    "sticker",
    "contact",
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class BotApiMethods:
    """The implemented methods, looked up by name case-insensitively as Telegram does.

    Args:
        world: The chats, users and files the methods act on.
        updates: The bot's pending updates (``getUpdates``).
        webhook: The webhook setting (``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``).

    """

    def __init__(self, world: World, updates: UpdateQueue, webhook: Webhook) -> None:
        self._world = world
        self._updates = updates
        self._webhook = webhook
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendVoice": self.send_voice,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "leaveChat": self.leave_chat,
        }
        self.names = sorted(handlers)
        self._handlers = {name.lower(): handler for name, handler in handlers.items()}

    def find(self, method: str) -> Handler | None:
        """The handler of ``method``, if it is implemented."""
        return self._handlers.get(method.lower())

    # Updates and webhook

    async def get_me(self, params: Params) -> JsonDict:
        """``getMe``: the bot's user and what it may do."""
        return self._world.bot | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self._world.privacy_mode,
            "supports_inline_queries": False,
        }

    async def get_updates(self, params: Params) -> list[JsonDict]:
        """``getUpdates``: confirm by ``offset``, long-poll up to ``timeout`` seconds."""
        if self._webhook.active:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        allowed = params.get_json("allowed_updates")
        if allowed is not None:
            self._updates.allow(_strings(allowed, "allowed_updates"))
        limit = params.get_int("limit")
        return await self._updates.poll(
            offset=params.get_int("offset") or 0,
            limit=100 if limit is None else limit,
            timeout=params.get_float("timeout", 0),
        )

    async def set_webhook(self, params: Params) -> bool:
        """``setWebhook``: deliver updates to a loopback URL from now on."""
        allowed = params.get_json("allowed_updates")
        await self._webhook.set(
            params.get_str("url") or "",
            secret_token=params.get_str("secret_token"),
            max_connections=params.get_int("max_connections") or 40,
            allowed_updates=None if allowed is None else _strings(allowed, "allowed_updates"),
        )
        if params.get_bool("drop_pending_updates"):
            self._updates.drop_pending()
        return True

    async def delete_webhook(self, params: Params) -> bool:
        """``deleteWebhook``: back to getUpdates."""
        await self._webhook.delete()
        if params.get_bool("drop_pending_updates"):
            self._updates.drop_pending()
        return True

    async def get_webhook_info(self, params: Params) -> JsonDict:
        """``getWebhookInfo``."""
        return self._webhook.info()

    # Sending

    async def send_message(self, params: Params) -> JsonDict:
        """``sendMessage``."""
        record = self._chat_to_post_in(params)
        return await self._post(record, params, text_content(params))

    async def send_photo(self, params: Params) -> JsonDict:
        """``sendPhoto``: by file id or upload."""
        return await self._send_media(params, "photo")

    async def send_document(self, params: Params) -> JsonDict:
        """``sendDocument``: by file id or upload."""
        return await self._send_media(params, "document")

    async def send_voice(self, params: Params) -> JsonDict:
        """``sendVoice``: by file id or upload."""
        return await self._send_media(params, "voice")

    async def copy_message(self, params: Params) -> JsonDict:
        """``copyMessage``: the content without a link to the original; returns its id."""
        record = self._chat_to_post_in(params)
        original = self._world.chat(params.require_int("from_chat_id")).message(
            params.require_int("message_id"), "copy"
        )
        content = {key: original[key] for key in CONTENT_FIELDS if key in original}
        if "text" not in content and params.has("caption"):
            content.pop("caption_entities", None)
            content.update(caption_of(params))
        message = await self._post(record, params, content)
        return {"message_id": message["message_id"]}

    async def forward_message(self, params: Params) -> JsonDict:
        """``forwardMessage``: the content with its origin."""
        record = self._chat_to_post_in(params)
        original = self._world.chat(params.require_int("from_chat_id")).message(
            params.require_int("message_id"), "forward"
        )
        origin = original.get("forward_origin") or {
            "type": "user",
            "sender_user": original["from"],
            "date": original["date"],
        }
        content = {key: original[key] for key in CONTENT_FIELDS if key in original}
        return await self._post(record, params, content | {"forward_origin": origin})

    async def send_chat_action(self, params: Params) -> bool:
        """``sendChatAction``: recorded on the chat."""
        record = self._chat_to_post_in(params)
        action = params.require_str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        record.actions.append(action)
        await self._world.notify()
        return True

    # Changing sent messages

    async def edit_message_text(self, params: Params) -> JsonDict:
        """``editMessageText``: without ``reply_markup`` the inline keyboard goes."""
        record, message = self._own_message(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        content = text_content(params)
        markup = reply_markup_of(params, inline_only=True)
        edited = without(message, "text", "entities", "reply_markup", "edit_date") | content
        return await self._store_edit(record, message, edited, markup)

    async def edit_message_reply_markup(self, params: Params) -> JsonDict:
        """``editMessageReplyMarkup``: without ``reply_markup`` the inline keyboard goes."""
        record, message = self._own_message(params)
        markup = reply_markup_of(params, inline_only=True)
        edited = without(message, "reply_markup", "edit_date")
        return await self._store_edit(record, message, edited, markup)

    async def delete_message(self, params: Params) -> bool:
        """``deleteMessage``."""
        record = self._world.chat(_chat_id(params))
        message_id = params.require_int("message_id")
        record.message(message_id, "delete")
        del record.messages[message_id]
        record.deleted.append(message_id)
        await self._world.notify()
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        """``answerCallbackQuery``: once per press."""
        callback = self._world.callback_queries.get(params.require_str("callback_query_id"))
        if callback is None or callback.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        callback.answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
        }
        await self._world.notify()
        return True

    # Files, commands, chats

    async def get_file(self, params: Params) -> JsonDict:
        """``getFile``: the path to download the file from under the file URL."""
        stored = self._world.files.get(params.require_str("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.file_object()

    async def set_my_commands(self, params: Params) -> bool:
        """``setMyCommands``, per scope and language."""
        commands = params.get_json("commands")
        if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is invalid")
        self._world.commands[_commands_key(params)] = [
            {"command": command["command"], "description": command["description"]}
            for command in commands
        ]
        return True

    async def get_my_commands(self, params: Params) -> list[JsonDict]:
        """``getMyCommands``: those set for exactly this scope and language."""
        return self._world.commands.get(_commands_key(params), [])

    async def get_chat(self, params: Params) -> JsonDict:
        """``getChat``."""
        return chat_full_info(self._world.chat(_chat_id(params)).chat)

    async def get_chat_member(self, params: Params) -> JsonDict:
        """``getChatMember``: the configured status, ``member`` by default."""
        user_id = params.require_int("user_id")
        status = self._world.member_status(_chat_id(params), user_id)
        user = self._world.bot if user_id == self._world.bot_id else self._world.users[user_id]
        return chat_member(user, status)

    async def leave_chat(self, params: Params) -> bool:
        """``leaveChat``: the bot can no longer post in or hear from the group."""
        record = self._world.chat(_chat_id(params))
        if record.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        record.bot_is_member = False
        return True

    # Helpers

    def _chat_to_post_in(self, params: Params) -> ChatRecord:
        return self._world.writable_chat(_chat_id(params))

    def _own_message(self, params: Params) -> tuple[ChatRecord, JsonDict]:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the local Bot API")
        record = self._world.writable_chat(_chat_id(params))
        message = record.message(params.require_int("message_id"), "edit")
        if message["from"]["id"] != self._world.bot_id:
            raise bad_request("message can't be edited")
        return record, message

    async def _send_media(self, params: Params, kind: MediaKind) -> JsonDict:
        record = self._chat_to_post_in(params)
        stored = self._input_file(params, kind)
        content = stored.media(duration=params.get_int("duration") or 1) | caption_of(params)
        return await self._post(record, params, content)

    def _input_file(self, params: Params, kind: MediaKind) -> StoredFile:
        reference = params.get_str(kind) or ""
        upload = params.uploads.get(kind) or params.uploads.get(reference.removeprefix("attach://"))
        if upload is not None:
            return self._world.files.add(
                kind, upload.content, file_name=upload.filename, mime_type=upload.content_type
            )
        if not reference:
            raise bad_request(f"there is no {kind} in the request")
        stored = self._world.files.get(reference)
        if stored is not None:
            return stored
        if reference.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content: the local Bot API has no network")
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _post(self, record: ChatRecord, params: Params, content: JsonDict) -> JsonDict:
        """Add a bot message with ``content`` and the markup and reply the call asks for."""
        markup = reply_markup_of(params)
        replied = _replied_message(record, params)
        message: JsonDict = {
            "message_id": record.next_message_id(),
            "from": self._world.bot,
            "chat": record.chat,
            "date": unix_now(),
            **content,
        }
        if replied is not None:
            message["reply_to_message"] = without(replied, "reply_to_message")
        if params.get_bool("protect_content"):
            message["has_protected_content"] = True
        if markup is not None:
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
            elif "keyboard" in markup:
                record.keyboard = markup
            elif markup.get("remove_keyboard"):
                record.keyboard = None
        record.messages[message["message_id"]] = message
        record.sent.append(Sent(message, markup))
        await self._world.notify()
        return message

    async def _store_edit(
        self, record: ChatRecord, message: JsonDict, edited: JsonDict, markup: JsonDict | None
    ) -> JsonDict:
        if markup is not None:
            edited["reply_markup"] = markup
        if edited == without(message, "edit_date"):
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = unix_now()
        record.messages[message["message_id"]] = edited
        record.edits.append(edited)
        await self._world.notify()
        return edited


def _chat_id(params: Params) -> int:
    chat_id = params.values.get("chat_id")
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        raise bad_request("chat not found")  # no chat here has a public username
    return params.require_int("chat_id")


def formatted(params: Params, text_field: str, entities_field: str) -> tuple[str, list[JsonDict]]:
    """The text as the recipient sees it and its entities, by ``parse_mode`` or as given."""
    text = params.get_str(text_field) or ""
    parse_mode = params.get_str("parse_mode")
    if not parse_mode:
        entities = params.get_json(entities_field) or []
        if not isinstance(entities, list):
            raise bad_request(f"can't parse {entities_field} JSON object")
        return text, entities
    if parse_mode.lower() != "html":
        known = parse_mode.lower() in ("markdown", "markdownv2")
        raise bad_request(
            f"parse_mode {parse_mode} is not implemented by the local Bot API; use HTML"
            if known
            else "unsupported parse_mode"
        )
    try:
        return parse_html(text)
    except FormattingError as error:
        raise bad_request(f"can't parse entities: {error}") from None


def text_content(params: Params) -> JsonDict:
    """The text of a message (``sendMessage``, ``editMessageText``) and its entities.

    Raises:
        ApiError: The text is empty, too long or badly formatted.

    """
    text, entities = formatted(params, "text", "entities")
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return {"text": text} | ({"entities": entities} if entities else {})


def caption_of(params: Params) -> JsonDict:
    """The caption of a media message and its entities ({} without one)."""
    caption, entities = formatted(params, "caption", "caption_entities")
    if len(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not caption:
        return {}
    return {"caption": caption} | ({"caption_entities": entities} if entities else {})


def reply_markup_of(params: Params, *, inline_only: bool = False) -> JsonDict | None:
    """The ``reply_markup`` of a call, checked as Telegram checks it (``None``: none given)."""
    markup = params.get_json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _check_keyboard(markup["keyboard"])
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    for button in _buttons(rows, "inline keyboard"):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text must be non-empty")
        actions = _INLINE_BUTTON_ACTIONS.intersection(button)
        if not actions:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad_request(f"an inline keyboard button can have only one of {sorted(actions)}")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def _check_keyboard(rows: Any) -> None:
    for button in _buttons(rows, "keyboard"):
        text = button if isinstance(button, str) else (button or {}).get("text")
        if not isinstance(text, str) or not text:
            raise bad_request("can't parse keyboard button: Text must be non-empty")


def _buttons(rows: Any, what: str) -> list[Any]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f"can't parse {what}: it must be an array of button rows")
    return [button for row in rows for button in row]


def _replied_message(record: ChatRecord, params: Params) -> JsonDict | None:
    reply = params.get_json("reply_parameters")
    if reply is None:
        message_id = params.get_int("reply_to_message_id")
        if message_id is None:
            return None
        without = params.get_bool("allow_sending_without_reply")
        reply = {"message_id": message_id, "allow_sending_without_reply": without}
    if not isinstance(reply, dict) or "message_id" not in reply:
        raise bad_request("can't parse reply parameters JSON object")
    if str(reply.get("chat_id", record.chat_id)) != str(record.chat_id):
        raise bad_request("replies to other chats are not supported by the local Bot API")
    message = record.messages.get(int(reply["message_id"]))
    if message is None and not reply.get("allow_sending_without_reply"):
        raise bad_request("message to be replied not found")
    return message


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.get_str("language_code") or ""


def _strings(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad_request(f"can't parse {name} JSON array")
    return value


def without(message: JsonDict, *keys: str) -> JsonDict:
    """``message`` without ``keys``."""
    return {key: value for key, value in message.items() if key not in keys}
