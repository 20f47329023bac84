"""``mingbai run`` without a token: the real bot on a local Bot API, the terminal as a villager.

The villager types a message and sees what a phone would show: the bot's replies, messages it
edits (printed again, marked as updated), pop-up notices after a press, and a line for each photo
or document. Buttons are numbered, and typing a number presses one (a contact button shares a
demonstration phone number).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from bot.local_api import BotMessage, LocalBotApi, News, ReplyTimeout, TelegramUser, fresh_token
from bot.local_api.objects import JsonDict
from bot.runners import BotApi, polling
from bot.services import Runtime
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


async def chat_in_terminal(runtime: Runtime, interactive: bool) -> None:
    """Run the bot against a local Bot API and relay stdin/stdout until the input ends."""
    lines = _typed_lines()
    async with LocalBotApi(fresh_token()) as api, polling(runtime, local_api(api), LOCAL_CONSOLE):
        villager = TerminalVillager(api.user(VILLAGER_ID, VILLAGER_NAME), sys.stdout)
        if interactive:
            print(texts.TERMINAL_WELCOME)
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = await lines.get()
            if not line or line.strip().lower() in QUIT:
                break
            await villager.say(line)


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
