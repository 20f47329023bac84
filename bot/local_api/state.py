"""The in-memory Telegram the bot talks to: chats and their messages, members, files, calls."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.local_api.errors import bad_request, forbidden
from bot.local_api.files import FileStore
from bot.local_api.objects import JsonDict, MemberStatus


@dataclass
class ApiCall:
    """One Bot API call the bot made, as the server answered it."""

    method: str
    params: JsonDict
    at: float
    """When the call arrived (``time.time()``)."""
    status: int | None = None
    """The HTTP status answered; ``None`` while the call is in progress."""
    error: str | None = None
    """The error description, for failed calls."""


@dataclass(frozen=True)
class Sent:
    """A message as the bot sent it."""

    message: JsonDict
    markup: JsonDict | None
    """The ``reply_markup`` as given, including reply keyboards, which Telegram does not echo
    back in the message."""


@dataclass
class ChatRecord:
    """One chat as the server sees it."""

    chat: JsonDict
    messages: dict[int, JsonDict] = field(default_factory=dict)
    """The current version of every message not deleted, from the bot and from users."""
    sent: list[Sent] = field(default_factory=list)
    """The bot's messages as it sent them, in order."""
    edits: list[JsonDict] = field(default_factory=list)
    """Every edited version of a bot message, in the order of the edits."""
    deleted: list[int] = field(default_factory=list)
    """The ids of the messages the bot deleted, in order."""
    actions: list[str] = field(default_factory=list)
    """The chat actions (``typing``, ...) the bot sent."""
    keyboard: JsonDict | None = None
    """The reply keyboard currently shown to users, if any."""
    bot_is_member: bool = True
    started: bool = False
    """For private chats: whether the user has written to the bot, which lets the bot write."""
    last_message_id: int = 0

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        chat_id: int = self.chat["id"]
        return chat_id

    @property
    def is_private(self) -> bool:
        """Whether this is a user's private chat with the bot."""
        return bool(self.chat["type"] == "private")

    def next_message_id(self) -> int:
        """A new message id; ids count up per chat, shared by the bot and the users."""
        self.last_message_id += 1
        return self.last_message_id

    def message(self, message_id: int, action: str) -> JsonDict:
        """The message ``message_id``, which the bot wants to ``action`` (edit, copy, ...).

        Raises:
            ApiError: 400 ``message to <action> not found`` if there is no such message (any
                more), as Telegram words it.

        """
        if message_id not in self.messages:
            raise bad_request(f"message to {action} not found")
        return self.messages[message_id]


@dataclass
class CallbackRecord:
    """A button press and the bot's answer to it."""

    query: JsonDict
    answer: JsonDict | None = None


class World:
    """Everything the server knows, shared by the Bot API methods and the user side.

    Args:
        bot_user: The bot's ``User`` object, as in the messages it sends.
        privacy_mode: Whether the bot only sees group messages meant for it (commands, replies
            to it, mentions), as with Telegram's default privacy mode, unless it is an admin.

    """

    def __init__(self, bot_user: JsonDict, *, privacy_mode: bool) -> None:
        self.bot = bot_user
        self.privacy_mode = privacy_mode
        self.users: dict[int, JsonDict] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.statuses: dict[tuple[int, int], MemberStatus] = {}
        self.files = FileStore()
        self.callback_queries: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.calls: list[ApiCall] = []
        self._changed = asyncio.Condition()

    @property
    def bot_id(self) -> int:
        """The bot's user id."""
        bot_id: int = self.bot["id"]
        return bot_id

    def add_chat(self, chat: JsonDict) -> ChatRecord:
        """Register a chat.

        Raises:
            ValueError: If a chat with its id exists already.

        """
        if chat["id"] in self.chats:
            raise ValueError(f"chat {chat['id']} exists already")
        record = self.chats[chat["id"]] = ChatRecord(chat)
        return record

    def chat(self, chat_id: int) -> ChatRecord:
        """The chat ``chat_id``.

        Raises:
            ApiError: 400 ``chat not found``, as Telegram answers for chats it does not know.

        """
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        return self.chats[chat_id]

    def writable_chat(self, chat_id: int) -> ChatRecord:
        """The chat ``chat_id``, if the bot may post there.

        Raises:
            ApiError: 400 if the chat is unknown; 403 if the user never wrote to the bot or the
                bot is no longer in the group.

        """
        record = self.chat(chat_id)
        if record.is_private and not record.started:
            raise forbidden("bot can't initiate conversation with a user")
        if not record.bot_is_member:
            raise forbidden(f"bot is not a member of the {record.chat['type']} chat")
        return record

    def member_status(self, chat_id: int, user_id: int) -> MemberStatus:
        """The status ``getChatMember`` reports: as configured, else ``member``.

        Raises:
            ApiError: 400 if the chat or the user is unknown.

        """
        record = self.chat(chat_id)
        if user_id != self.bot_id and user_id not in self.users:
            raise bad_request("user not found")
        if user_id == self.bot_id and not record.bot_is_member:
            return "left"
        return self.statuses.get((chat_id, user_id), "member")

    def bot_sees(self, record: ChatRecord, message: JsonDict) -> bool:
        """Whether a user's message produces an update for the bot (privacy mode)."""
        if record.is_private or not self.privacy_mode:
            return record.bot_is_member
        if not record.bot_is_member:
            return False
        if self.statuses.get((record.chat_id, self.bot_id)) in ("administrator", "creator"):
            return True
        text = message.get("text") or message.get("caption") or ""
        replied = message.get("reply_to_message", {}).get("from", {}).get("id")
        return (
            text.startswith("/") or replied == self.bot_id or f"@{self.bot.get('username')}" in text
        )

    async def notify(self) -> None:
        """Wake everyone waiting for the bot to do something."""
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float | None,  # noqa: ASYNC109 - a timeout is an answer here, not an error
    ) -> bool:
        """Wait until ``condition()`` holds after some change, for at most ``timeout`` seconds.

        ``None`` waits as long as it takes.

        Returns:
            Whether the condition holds.

        """
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(condition)
        except TimeoutError:
            return condition()
        return True
