"""The user side: villagers and staff acting in Telegram, and what they see of the bot.

Every action creates the update Telegram would send the bot; every read waits, event-driven,
for what the bot sends back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from bot.local_api.files import MediaKind, StoredFile
from bot.local_api.objects import JsonDict, command_entities, unix_now
from bot.local_api.state import CallbackRecord, ChatRecord, Sent, World
from bot.local_api.updates import UpdateQueue

DEFAULT_TIMEOUT = 5.0
_CALLS_SHOWN_ON_TIMEOUT = 10


class ReplyTimeout(AssertionError):
    """The bot did not do what a user waited for in time; the message shows what it did do."""


class UserActionError(AssertionError):
    """A user tried something the Telegram app would not let them do."""


class Button(NamedTuple):
    """An inline keyboard button."""

    text: str
    callback_data: str | None


class Key(NamedTuple):
    """A reply keyboard button."""

    text: str
    request_contact: bool = False


class CallbackAnswer(NamedTuple):
    """The bot's ``answerCallbackQuery`` to a press."""

    text: str | None
    show_alert: bool
    url: str | None


class News(NamedTuple):
    """What changed in a chat: new bot messages, edited ones and a press's pop-up answer."""

    sent: tuple[BotMessage, ...]
    edited: tuple[BotMessage, ...]
    popup: CallbackAnswer | None


@dataclass(frozen=True)
class BotMessage:
    """A message from the bot, as the user sees it.

    Attributes:
        message_id: Its id in its chat.
        chat_id: The chat it is in.
        text: Its text, or its caption; empty if it has neither.
        buttons: The inline keyboard, row by row.
        keyboard: The reply keyboard sent with it, row by row.
        raw: The Telegram ``Message`` object.

    """

    message_id: int
    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    keyboard: tuple[tuple[Key, ...], ...]
    raw: JsonDict

    @classmethod
    def of(cls, message: JsonDict, markup: JsonDict | None) -> BotMessage:
        """The user's view of ``message`` sent with ``markup``."""
        markup = markup or {}
        return cls(
            message_id=message["message_id"],
            chat_id=message["chat"]["id"],
            text=message.get("text") or message.get("caption") or "",
            buttons=tuple(
                tuple(Button(button["text"], button.get("callback_data")) for button in row)
                for row in markup.get("inline_keyboard", ())
            ),
            keyboard=_keys(markup),
            raw=message,
        )

    @property
    def button_texts(self) -> list[str]:
        """The inline buttons' texts, row after row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        """The inline button labelled ``text``.

        Raises:
            UserActionError: If there is none.

        """
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise UserActionError(
            f"no button {text!r} on message {self.message_id}; there are {self.button_texts}"
        )


class ChatView:
    """What one chat shows of the bot: the messages it sent and edited, its keyboard.

    Reads are cursors: :meth:`replies` returns the bot messages not yet returned, in order.
    Waits end after ``timeout`` seconds, or never with ``timeout=None`` (an interactive chat).
    """

    def __init__(self, world: World, record: ChatRecord, name: str) -> None:
        self._world = world
        self._record = record
        self._name = name
        self._replies_read = 0
        self._edits_read = 0
        self._calls_seen = 0
        self._popups_seen: set[str] = set()

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return self._record.chat_id

    @property
    def chat(self) -> JsonDict:
        """The Telegram ``Chat`` object."""
        return self._record.chat

    @property
    def unread(self) -> int:
        """How many bot messages :meth:`replies` has not returned yet."""
        return len(self._record.sent) - self._replies_read

    @property
    def last_reply(self) -> BotMessage | None:
        """The bot's newest message still in the chat, as it is now (after any edits)."""
        for sent in reversed(self._record.sent):
            current = self._record.messages.get(sent.message["message_id"])
            if current is not None:
                # Inline keyboards change with edits; a reply keyboard stays as sent.
                kept = sent.markup if sent.markup and "keyboard" in sent.markup else None
                return BotMessage.of(current, current.get("reply_markup") or kept)
        return None

    @property
    def keyboard(self) -> tuple[tuple[Key, ...], ...]:
        """The reply keyboard shown now; empty if none."""
        return _keys(self._record.keyboard or {})

    @property
    def deleted(self) -> list[int]:
        """The ids of the messages the bot deleted here, oldest first."""
        return list(self._record.deleted)

    @property
    def chat_actions(self) -> list[str]:
        """The chat actions (``typing``, ...) the bot sent, oldest first."""
        return list(self._record.actions)

    async def replies(
        self,
        count: int = 1,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the deadline is part of the question
    ) -> list[BotMessage]:
        """Wait for the next ``count`` bot messages in this chat and return them as sent.

        Raises:
            ReplyTimeout: If fewer arrive within ``timeout`` seconds.

        """
        wanted = self._replies_read + count
        if not await self._world.wait_until(lambda: len(self._record.sent) >= wanted, timeout):
            got = self._record.sent[self._replies_read :]
            raise ReplyTimeout(self._timeout_report(f"{count} bot message(s)", timeout, got))
        new = self._record.sent[self._replies_read : wanted]
        self._replies_read = wanted
        self._calls_seen = len(self._world.calls)
        return [BotMessage.of(sent.message, sent.markup) for sent in new]

    async def reply(self, timeout: float | None = DEFAULT_TIMEOUT) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next bot message in this chat (``replies(1)``)."""
        return (await self.replies(1, timeout))[0]

    async def edits(
        self,
        count: int = 1,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Wait for the next ``count`` edits of bot messages here; each as the edit left it.

        Raises:
            ReplyTimeout: If fewer happen within ``timeout`` seconds.

        """
        wanted = self._edits_read + count
        if not await self._world.wait_until(lambda: len(self._record.edits) >= wanted, timeout):
            got = [Sent(edit, None) for edit in self._record.edits[self._edits_read :]]
            raise ReplyTimeout(self._timeout_report(f"{count} edit(s)", timeout, got))
        new = self._record.edits[self._edits_read : wanted]
        self._edits_read = wanted
        self._calls_seen = len(self._world.calls)
        return [BotMessage.of(edit, edit.get("reply_markup")) for edit in new]

    async def news(
        self,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        *,
        press: JsonDict | None = None,
    ) -> News:
        """Wait for anything new here: bot messages, edits or the pop-up answer to ``press``.

        What is new is returned and counted as read, so the next call waits for what follows.
        An interactive chat shows whatever the bot does; a test asks for what it expects.

        Raises:
            ReplyTimeout: If nothing new happens within ``timeout`` seconds.

        """
        callback = self._world.callback_queries[press["id"]] if press else None

        def unseen_popup() -> JsonDict | None:
            if callback is None or callback.query["id"] in self._popups_seen:
                return None
            return callback.answer

        def changed() -> bool:
            return (
                len(self._record.sent) > self._replies_read
                or len(self._record.edits) > self._edits_read
                or unseen_popup() is not None
            )

        if not await self._world.wait_until(changed, timeout):
            raise ReplyTimeout(self._timeout_report("anything new", timeout, []))
        sent = self._record.sent[self._replies_read :]
        edits = self._record.edits[self._edits_read :]
        self._replies_read += len(sent)
        self._edits_read += len(edits)
        self._calls_seen = len(self._world.calls)
        answer = unseen_popup()
        popup = None
        if callback is not None and answer is not None:
            self._popups_seen.add(callback.query["id"])
            popup = CallbackAnswer(answer["text"], answer["show_alert"], answer["url"])
        return News(
            tuple(BotMessage.of(s.message, s.markup) for s in sent),
            tuple(BotMessage.of(edit, edit.get("reply_markup")) for edit in edits),
            popup,
        )

    def _timeout_report(self, expected: str, timeout: float | None, got: list[Sent]) -> str:
        lines = [f"{self._name}: expected {expected} within {timeout}s, got {len(got)}"]
        lines += [f"  #{sent.message['message_id']}: {_summary(sent.message)}" for sent in got]
        calls = self._world.calls[self._calls_seen :]
        if not calls:
            lines.append("the bot made no API call at all meanwhile: is it running?")
        # Polling is noise here; what the bot sent, and where, is the clue.
        shown = [call for call in calls if call.method.lower() != "getupdates"]
        if shown:
            lines.append("bot API calls meanwhile (latest last):")
        for call in shown[-_CALLS_SHOWN_ON_TIMEOUT:]:
            outcome = call.error or call.status or "pending"
            lines.append(f"  {call.method} chat_id={call.params.get('chat_id')} → {outcome}")
        return "\n".join(lines)


class GroupChat(ChatView):
    """A group or supergroup with the bot in it; users post there with ``send_to``."""

    @property
    def title(self) -> str:
        """The group's title."""
        title: str = self._record.chat["title"]
        return title


class TelegramUser(ChatView):
    """A Telegram user, and their private chat with the bot.

    The reading methods (:meth:`replies`, :attr:`last_reply`, ...) are about the private chat;
    methods taking ``to`` post in that group instead.
    """

    def __init__(self, world: World, updates: UpdateQueue, profile: JsonDict) -> None:
        super().__init__(
            world, world.chat(profile["id"]), f"{profile['first_name']} ({profile['id']})"
        )
        self._updates = updates
        self.profile = profile

    @property
    def user_id(self) -> int:
        """The user's id, which is also their private chat's id."""
        return self.chat_id

    async def send(self, text: str, *, to: GroupChat | None = None) -> JsonDict:
        """Send a text message to the bot (or to the group ``to``); commands are detected.

        Returns:
            The ``Message`` created.

        """
        if not text:
            raise UserActionError("Telegram does not send empty messages")
        return await self._post(_text(text), to)

    async def send_to(self, group: GroupChat, text: str) -> JsonDict:
        """Post ``text`` in ``group``; in privacy mode the bot only sees it if it is meant for it.

        Returns:
            The ``Message`` created.

        """
        return await self.send(text, to=group)

    async def send_command(self, command: str, *, to: GroupChat | None = None) -> JsonDict:
        """Send a command such as ``/start`` or ``/start payload``."""
        entities = command_entities(command)
        if not entities or entities[0]["offset"] != 0:
            raise UserActionError(f"{command!r} does not start with a command")
        return await self.send(command, to=to)

    async def reply_to(self, message: BotMessage | JsonDict, text: str) -> JsonDict:
        """Reply with ``text`` to ``message``, in the chat it is in."""
        record, current = self._find(message)
        return await self._post(_text(text), record, reply_to=current)

    async def press(
        self, message: BotMessage | JsonDict, callback_data: str, *, forged: bool = False
    ) -> JsonDict:
        """Press the inline button carrying ``callback_data`` on ``message``.

        Args:
            message: The bot message, in its current version (after edits).
            callback_data: The button's data.
            forged: Send ``callback_data`` even if no button carries it, as a tampered client can.

        Returns:
            The ``CallbackQuery`` sent to the bot.

        Raises:
            UserActionError: If no button carries ``callback_data`` and ``forged`` is false.

        """
        record, current = self._find(message)
        if not forged:
            keyboard = current.get("reply_markup", {}).get("inline_keyboard", [])
            offered = [button.get("callback_data") for row in keyboard for button in row]
            if callback_data not in offered:
                raise UserActionError(
                    f"message {current['message_id']} has no button with callback_data "
                    f"{callback_data!r} (now); its buttons carry {offered}"
                )
        query: JsonDict = {
            "id": f"{self.user_id}-{len(self._world.callback_queries) + 1}",
            "from": self.profile,
            "message": current,
            "chat_instance": str(record.chat_id),
            "data": callback_data,
        }
        self._world.callback_queries[query["id"]] = CallbackRecord(query)
        await self._updates.push("callback_query", query)
        return query

    async def callback_answer(
        self,
        query: JsonDict,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Wait for the bot's answer to a press.

        Raises:
            ReplyTimeout: If the bot does not answer within ``timeout`` seconds.

        """
        callback = self._world.callback_queries[query["id"]]
        if not await self._world.wait_until(lambda: callback.answer is not None, timeout):
            raise ReplyTimeout(
                f"{self._name}: the bot did not answer press {query['id']} "
                f"({query['data']!r}) within {timeout}s"
            )
        answer = callback.answer or {}
        return CallbackAnswer(answer["text"], answer["show_alert"], answer["url"])

    async def send_photo(
        self,
        file_id: str | None = None,
        *,
        content: bytes | None = None,
        caption: str | None = None,
        to: GroupChat | None = None,
    ) -> JsonDict:
        """Send a photo: an existing ``file_id``, or new ``content`` (a placeholder if none)."""
        stored = self._file("photo", file_id, content)
        return await self._post(stored.media() | _caption(caption), to)

    async def send_document(
        self,
        file_id: str | None = None,
        *,
        content: bytes | None = None,
        file_name: str = "document.pdf",
        caption: str | None = None,
        to: GroupChat | None = None,
    ) -> JsonDict:
        """Send a document: an existing ``file_id``, or new ``content`` named ``file_name``."""
        stored = self._file("document", file_id, content, file_name)
        return await self._post(stored.media() | _caption(caption), to)

    async def send_voice(
        self,
        file_id: str | None = None,
        *,
        content: bytes | None = None,
        duration: int = 3,
        to: GroupChat | None = None,
    ) -> JsonDict:
        """Send a voice message of ``duration`` seconds."""
        stored = self._file("voice", file_id, content)
        return await self._post(stored.media(duration=duration), to)

    async def send_sticker(
        self, file_id: str | None = None, *, emoji: str = "👍", to: GroupChat | None = None
    ) -> JsonDict:
        """Send a sticker standing for ``emoji``."""
        stored = self._file("sticker", file_id, None)
        return await self._post(stored.media(emoji=emoji), to)

    async def send_contact(
        self,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        own: bool = True,
        to: GroupChat | None = None,
    ) -> JsonDict:
        """Share a contact: by default one's own, as the "share my phone number" button does."""
        contact: JsonDict = {
            "phone_number": phone_number,
            "first_name": first_name or self.profile["first_name"],
        }
        if last_name:
            contact["last_name"] = last_name
        if own:
            contact["user_id"] = self.user_id
        return await self._post({"contact": contact}, to)

    async def forward(
        self, from_user: TelegramUser | str, text: str, *, to: GroupChat | None = None
    ) -> JsonDict:
        """Forward a text message by ``from_user``: a user, or the name of a hidden account."""
        now = unix_now()
        origin: JsonDict = (
            {"type": "user", "sender_user": from_user.profile, "date": now}
            if isinstance(from_user, TelegramUser)
            else {"type": "hidden_user", "sender_user_name": from_user, "date": now}
        )
        return await self._post(_text(text) | {"forward_origin": origin}, to)

    async def edit(self, message: JsonDict, text: str) -> JsonDict:
        """Edit one's own text message; the bot gets an ``edited_message`` update.

        Returns:
            The edited ``Message``.

        """
        record, current = self._find(message)
        if current.get("from", {}).get("id") != self.user_id or "text" not in current:
            raise UserActionError(f"{self._name} can only edit their own text messages")
        edited = {key: value for key, value in current.items() if key != "entities"}
        edited |= _text(text) | {"edit_date": unix_now()}
        record.messages[edited["message_id"]] = edited
        if self._world.bot_sees(record, edited):
            await self._updates.push("edited_message", edited)
        return edited

    async def _post(
        self, content: JsonDict, to: ChatView | ChatRecord | None, reply_to: JsonDict | None = None
    ) -> JsonDict:
        """Post ``content`` in ``to`` (a chat; by default the private one)."""
        record = to if isinstance(to, ChatRecord) else (to or self)._record
        message: JsonDict = {
            "message_id": record.next_message_id(),
            "from": self.profile,
            "chat": record.chat,
            "date": unix_now(),
            **content,
        }
        if reply_to is not None:
            message["reply_to_message"] = {
                key: value for key, value in reply_to.items() if key != "reply_to_message"
            }
        record.messages[message["message_id"]] = message
        if record.is_private:
            record.started = True
        if self._world.bot_sees(record, message):
            await self._updates.push("message", message)
        return message

    def _find(self, message: BotMessage | JsonDict) -> tuple[ChatRecord, JsonDict]:
        """The chat of ``message`` and the message's current version."""
        raw = message.raw if isinstance(message, BotMessage) else message
        record = self._world.chat(raw["chat"]["id"])
        current = record.messages.get(raw["message_id"])
        if current is None:
            raise UserActionError(f"message {raw['message_id']} was deleted")
        return record, current

    def _file(
        self,
        kind: MediaKind,
        file_id: str | None,
        content: bytes | None,
        file_name: str | None = None,
    ) -> StoredFile:
        existing = self._world.files.get(file_id) if file_id else None
        if existing is not None:
            return existing
        placeholder = f"{kind} sent by {self._name}".encode()
        return self._world.files.add(
            kind, placeholder if content is None else content, file_id=file_id, file_name=file_name
        )


def _text(text: str) -> JsonDict:
    entities = command_entities(text)
    return {"text": text} | ({"entities": entities} if entities else {})


def _caption(caption: str | None) -> JsonDict:
    return {"caption": caption} if caption else {}


def _keys(markup: JsonDict) -> tuple[tuple[Key, ...], ...]:
    return tuple(
        tuple(
            Key(key) if isinstance(key, str) else Key(key["text"], bool(key.get("request_contact")))
            for key in row
        )
        for row in markup.get("keyboard", ())
    )


def _summary(message: JsonDict) -> str:
    text = message.get("text") or message.get("caption")
    if text:
        return repr(text if len(text) <= 80 else text[:77] + "...")
    kinds = ("photo", "document", "voice", "sticker", "contact")
    return f"<{next((kind for kind in kinds if kind in message), 'message')}>"
