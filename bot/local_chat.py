"""``mingbai run`` without a token: the real bot on a local Bot API, the terminal as a villager.

The chat page (:mod:`bot.web_chat`) is served beside it, so that the same trial can be made in a
phone's browser on the same machine; ``mingbai run --web`` serves only the page and the console,
for a township without Telegram.

The villager types a message and sees what a phone would show: the bot's replies, messages it
edits (printed again, marked as updated), pop-up notices after a press, and a line for each photo
or document. Buttons are numbered, and typing a number presses one (a contact button shares a
demonstration phone number).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TextIO

from bot.local_api import BotMessage, LocalBotApi, News, ReplyTimeout, TelegramUser, fresh_token
from bot.local_api.objects import JsonDict
from bot.pipeline import Pipeline
from bot.runners import BotApi, polling, serving, until_stopped, web_server
from bot.services import Runtime
from bot.settings import Settings
from bot.web_chat.app import CHAT_PATH
from handlers.texts import answers as texts

VILLAGER_ID = 10001
VILLAGER_NAME = "试用村民"
DEMO_PHONE = "13800000000"
QUIT = frozenset({"q", "quit", "exit", "退出"})
# The bot may answer one message with several; those that follow the first come within this.
FOLLOW_UP_SECONDS = 0.5
FIRST_REPLY_SECONDS = 15.0
CONTACT = texts.TERMINAL_CONTACT
# The terminal trial serves no console; /console links point nowhere reachable.
LOCAL_CONSOLE = "http://127.0.0.1/console"


class TerminalVillager:
    """Relays between the terminal and the local Bot API, remembering the buttons last shown."""

    def __init__(self, villager: TelegramUser, out: TextIO) -> None:
        """Speak as ``villager``; write the bot's replies to ``out``."""
        self.villager = villager
        self.out = out
        self._buttons: list[tuple[BotMessage, str | None, str]] = []

    async def say(self, line: str) -> None:
        """Send one typed line (a number presses a shown button) and print what follows."""
        line = line.strip()
        if not line:
            return
        press = None
        if line.isdigit() and 1 <= int(line) <= len(self._buttons):
            message, data, text = self._buttons[int(line) - 1]
            if data is not None:
                press = await self.villager.press(message, data)
            elif text == CONTACT:
                await self.villager.send_contact(DEMO_PHONE)
            else:
                await self.villager.send(text)
        else:
            await self.villager.send(line)
        await self._print_news(press)

    async def _print_news(self, press: JsonDict | None) -> None:
        happened: list[News] = []
        timeout = FIRST_REPLY_SECONDS
        while True:
            try:
                happened.append(await self.villager.news(timeout, press=press))
            except ReplyTimeout:
                break
            timeout = FOLLOW_UP_SECONDS
        self._buttons = []
        for news in happened:
            if news.popup is not None and news.popup.text:
                self.out.write(texts.TERMINAL_POPUP.format(text=news.popup.text) + "\n\n")
            for edited in news.edited:
                self._print(edited, texts.TERMINAL_UPDATED)
            for reply in news.sent:
                self._print(reply)
        self.out.flush()

    def _print(self, message: BotMessage, mark: str = "") -> None:
        for line in (mark, describe_attachment(message.raw), message.text):
            if line:
                self.out.write(line + "\n")
        for row in message.buttons:
            for button in row:
                self._show(message, button.callback_data, button.text)
        for keys in message.keyboard:
            for key in keys:
                self._show(message, None, CONTACT if key.request_contact else key.text)
        self.out.write("\n")

    def _show(self, message: BotMessage, data: str | None, text: str) -> None:
        self._buttons.append((message, data, text))
        self.out.write(f"  {len(self._buttons)}. {text}\n")


async def chat_in_terminal(
    runtime: Runtime, interactive: bool, *, web: tuple[str, int] | None = None
) -> None:
    """Run the bot against a local Bot API and relay stdin/stdout until the input ends.

    Args:
        runtime: The services and state store.
        interactive: Whether a person types (a welcome and a prompt are shown).
        web: Where to serve the chat page besides (host and port; another free port if that
            one is taken), or nowhere.

    """
    lines = _typed_lines()
    async with (
        LocalBotApi(fresh_token()) as api,
        polling(runtime, local_api(api), LOCAL_CONSOLE) as pipeline,
        _chat_page(pipeline, runtime, web) as page,
    ):
        villager = TerminalVillager(api.user(VILLAGER_ID, VILLAGER_NAME), sys.stdout)
        if interactive:
            print(texts.TERMINAL_WELCOME)
            if page is not None:
                print(texts.TERMINAL_WEB_CHAT.format(url=page))
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = await lines.get()
            if not line or line.strip().lower() in QUIT:
                break
            await villager.say(line)


async def serve_web_alone(settings: Settings, runtime: Runtime) -> None:
    """The chat page and the console, on a local Bot API (no Telegram), until stopped."""
    async with (
        LocalBotApi(fresh_token()) as api,
        serving(runtime, local_api(api), settings) as bound,
    ):
        print(texts.WEB_ALONE.format(url=f"{bound}{CHAT_PATH}/"), flush=True)
        await until_stopped()


@asynccontextmanager
async def _chat_page(
    pipeline: Pipeline, runtime: Runtime, web: tuple[str, int] | None
) -> AsyncIterator[str | None]:
    """The chat page's address while it is served beside the terminal (``None``: it is not)."""
    if web is None:
        yield None
        return
    host, port = web
    async with AsyncExitStack() as stack:
        try:
            bound = await stack.enter_async_context(
                web_server(pipeline, runtime, host=host, port=port, console_url=LOCAL_CONSOLE)
            )
        except OSError:  # the port is taken (a bot already runs): any free one will do
            bound = await stack.enter_async_context(
                web_server(pipeline, runtime, host=host, port=0, console_url=LOCAL_CONSOLE)
            )
        yield f"{bound}{CHAT_PATH}/"


def _typed_lines() -> asyncio.Queue[str]:
    """The lines of stdin as they come, "" at its end.

    A daemon thread reads them, so that Ctrl-C ends the program at once instead of waiting for
    a blocked read to return (as a worker thread of ``asyncio.to_thread`` would).
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = sys.stdin.readline()
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return queue


def describe_attachment(message: JsonDict) -> str:
    """A line saying what the bot sent besides text, or "" for a text message."""
    if "photo" in message:
        return texts.TERMINAL_PHOTO
    if "document" in message:
        name = message["document"].get("file_name") or ""
        return texts.TERMINAL_DOCUMENT.format(name=name)
    for kind, label in texts.TERMINAL_MEDIA.items():
        if kind in message:
            return label
    return ""


def local_api(api: LocalBotApi) -> BotApi:
    """The local Bot API as the bot reaches it."""
    return BotApi(api.token, api.base_url, api.base_file_url)
