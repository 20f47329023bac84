"""The local Bot API server: Telegram's HTTP interface on the loopback interface only."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.local_api.errors import ApiError
from bot.local_api.files import MediaKind
from bot.local_api.loopback import is_loopback_host
from bot.local_api.methods import BotApiMethods
from bot.local_api.objects import (
    GroupKind,
    MemberStatus,
    group_chat,
    private_chat,
    user_object,
)
from bot.local_api.params import Params
from bot.local_api.state import ApiCall, World
from bot.local_api.updates import UpdateQueue
from bot.local_api.users import GroupChat, TelegramUser
from bot.local_api.webhook import Webhook

Interceptor = Callable[[ApiCall, web.Request], Awaitable[web.StreamResponse | None]]
"""Sees each call before it is answered: returns a response to send instead, raises
:class:`ApiError` to fail the call, may delay it, or returns ``None`` to let it through."""

DEFAULT_TOKEN = "123456789:local-bot-api-token"
# Bot ids of fresh tokens: ten digits, like Telegram's newer bots.
_FRESH_IDS = (1_000_000_000, 9_999_999_999)
# Telegram accepts uploads of up to 50 MB.
_MAX_REQUEST_BYTES = 50 * 1024 * 1024


def fresh_token() -> str:
    """A token naming a bot id of its own, for a local Bot API that starts afresh.

    The local Bot API numbers updates from 1 at each start, and the inbox knows updates by bot
    and update id: a new bot id keeps a new start's updates from passing for an earlier one's.
    """
    return f"{random.randint(*_FRESH_IDS)}:local-bot-api-token"


class LocalBotApi:
    """An in-memory Telegram that the bot reaches over HTTP at :attr:`base_url`.

    Args:
        token: The one token accepted, ``<bot id>:<secret>``.
        bot_name: The bot's first name.
        bot_username: The bot's username (without ``@``).
        privacy_mode: Whether the bot sees only group messages meant for it, as by default on
            Telegram, unless it is an admin of the group.
        webhook_max_retry_delay: The longest pause between attempts to deliver an update to a
            failing webhook, in seconds.
        webhook_timeout: How long the webhook may take to answer, in seconds.

    Example::

        async with LocalBotApi() as api:
            bot = telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
            villager = api.user(1001, "张三")
            await villager.send("彩礼能要回来吗")
            ...  # the bot polls and answers
            reply = await villager.reply()

    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "明白",
        bot_username: str = "mingbai_bot",
        privacy_mode: bool = True,
        webhook_max_retry_delay: float = 1.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '<bot id>:<secret>'")
        self.token = token
        bot_user = user_object(int(bot_id), bot_name, is_bot=True, username=bot_username)
        self.world = World(bot_user, privacy_mode=privacy_mode)
        self.updates = UpdateQueue()
        self.webhook = Webhook(
            self.updates, max_retry_delay=webhook_max_retry_delay, timeout=webhook_timeout
        )
        self.methods = BotApiMethods(self.world, self.updates, self.webhook)
        self.interceptor: Interceptor | None = None
        self._users: dict[int, TelegramUser] = {}
        self._groups: dict[int, GroupChat] = {}
        self._runner: web.AppRunner | None = None
        self._root = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host``:``port`` (0 picks a free port).

        Raises:
            ValueError: If ``host`` is not a loopback address: this server has no
                authentication beyond the token and must not be reachable from the network.
            RuntimeError: If the server was started before.

        """
        if self._runner is not None or self._root:
            raise RuntimeError("a LocalBotApi can be started once")
        if not is_loopback_host(host):
            raise ValueError(f"the local Bot API listens on loopback addresses only, not {host!r}")
        app = web.Application(client_max_size=_MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_call)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        # Handler cancellation ends the long polls a stopping bot abandons.
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._root = f"http://{_url_host(bound_host)}:{bound_port}"

    async def stop(self) -> None:
        """End waiting polls, stop webhook delivery and close the server."""
        await self.updates.close()
        await self.webhook.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """The ``base_url`` for python-telegram-bot, e.g. ``http://127.0.0.1:8081/bot``."""
        return f"{self._started_root()}/bot"

    @property
    def base_file_url(self) -> str:
        """The ``base_file_url`` for python-telegram-bot."""
        return f"{self._started_root()}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object, as in the messages it sends."""
        return self.world.bot

    @property
    def calls(self) -> list[ApiCall]:
        """Every call the bot made, oldest first."""
        return self.world.calls

    def calls_of(self, method: str) -> list[ApiCall]:
        """The calls of ``method`` (case-insensitive), oldest first."""
        return [call for call in self.world.calls if call.method.lower() == method.lower()]

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> TelegramUser:
        """The user ``user_id``, created on first use along with their private chat.

        Raises:
            ValueError: If the id is not a user id, or the user exists with another name.

        """
        existing = self._users.get(user_id)
        if existing is not None:
            _check_same(existing.profile, first_name=first_name, username=username)
            return existing
        if user_id <= 0 or user_id == self.world.bot_id:
            raise ValueError(f"{user_id} cannot be a user id")
        profile = user_object(
            user_id,
            first_name or f"用户{user_id}",
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self.world.users[user_id] = profile
        self.world.add_chat(private_chat(profile))
        user = self._users[user_id] = TelegramUser(self.world, self.updates, profile)
        return user

    def group(
        self,
        chat_id: int,
        title: str | None = None,
        *,
        kind: GroupKind = "supergroup",
        admins: Iterable[int] = (),
    ) -> GroupChat:
        """The group ``chat_id`` with the bot in it, created on first use.

        Args:
            chat_id: A negative id, e.g. ``-1001234567890`` for a supergroup.
            title: The group's name.
            kind: ``"group"`` or ``"supergroup"``.
            admins: User ids reported as administrators by getChatMember; include
                :attr:`bot_user`'s id to make the bot an admin, which lifts privacy mode.

        Raises:
            ValueError: If the id is not a group id, or the group exists with another title.

        """
        existing = self._groups.get(chat_id)
        if existing is None:
            if chat_id >= 0:
                raise ValueError(f"group ids are negative, not {chat_id}")
            record = self.world.add_chat(group_chat(chat_id, title or f"群{-chat_id}", kind))
            existing = self._groups[chat_id] = GroupChat(
                self.world, record, f"group {record.chat['title']} ({chat_id})"
            )
        else:
            _check_same(existing.chat, title=title, type=kind)
        for admin in admins:
            self.set_member_status(chat_id, admin, "administrator")
        return existing

    def set_member_status(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """Set what getChatMember reports for ``user_id`` in ``chat_id``."""
        self.world.statuses[chat_id, user_id] = status

    def add_file(
        self,
        content: bytes,
        kind: MediaKind = "document",
        *,
        file_id: str | None = None,
        file_name: str | None = None,
    ) -> str:
        """Store a file the bot may send by id (e.g. a form to fill in); returns its file id."""
        return self.world.files.add(kind, content, file_id=file_id, file_name=file_name).file_id

    async def _handle_call(self, request: web.Request) -> web.StreamResponse:
        call = ApiCall(request.match_info["method"], {}, time.time())
        self.world.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = await Params.read(request)
            call.params = params.recorded()
            response = await self._answer(call, params, request)
        except ApiError as error:
            call.error = error.description
            response = error.response()
        call.status = response.status
        return response

    async def _answer(
        self, call: ApiCall, params: Params, request: web.Request
    ) -> web.StreamResponse:
        if self.interceptor is not None:
            intercepted = await self.interceptor(call, request)
            if intercepted is not None:
                return intercepted
        handler = self.methods.find(call.method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return web.json_response({"ok": True, "result": await handler(params)})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        stored = self.world.files.at_path(request.match_info["file_path"])
        if stored is None:
            return ApiError(404, "Not Found: file not found").response()
        return web.Response(body=stored.content, content_type=stored.mime_type)

    def _started_root(self) -> str:
        if not self._root:
            raise RuntimeError("the local Bot API is not started")
        return self._root


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _check_same(existing: dict[str, Any], **wanted: str | None) -> None:
    for key, value in wanted.items():
        if value is not None and existing.get(key) != value:
            raise ValueError(f"{existing['id']} exists with {key} {existing.get(key)!r}")
