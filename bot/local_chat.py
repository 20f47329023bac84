"""``mingbai run`` without a token: the real bot on a local Bot API, the terminal as a villager.

The villager types a message and sees the bot's replies; buttons are numbered, and typing a number
presses one (a contact button shares a demonstration phone number).
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.local_api import BotMessage, LocalBotApi, ReplyTimeout, TelegramUser, fresh_token
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
        """Send one typed line (a number presses a shown button) and print the replies."""
        line = line.strip()
        if not line:
            return
        if line.isdigit() and 1 <= int(line) <= len(self._buttons):
            message, data, text = self._buttons[int(line) - 1]
            if data is not None:
                await self.villager.press(message, data)
            elif text == CONTACT:
                await self.villager.send_contact(DEMO_PHONE)
            else:
                await self.villager.send(text)
        else:
            await self.villager.send(line)
        await self._print_replies()

    async def _print_replies(self) -> None:
        replies: list[BotMessage] = []
        timeout = FIRST_REPLY_SECONDS
        while True:
            try:
                replies.extend(await self.villager.replies(1, timeout=timeout))
            except ReplyTimeout:
                break
            timeout = FOLLOW_UP_SECONDS
        self._buttons = []
        for reply in replies:
            self.out.write(reply.text + "\n")
            for row in reply.buttons:
                for button in row:
                    self._show(reply, button.callback_data, button.text)
            for keys in reply.keyboard:
                for key in keys:
                    self._show(reply, None, CONTACT if key.request_contact else key.text)
            self.out.write("\n")
        self.out.flush()

    def _show(self, message: BotMessage, data: str | None, text: str) -> None:
        self._buttons.append((message, data, text))
        self.out.write(f"  {len(self._buttons)}. {text}\n")


async def chat_in_terminal(runtime: Runtime, interactive: bool) -> None:
    """Run the bot against a local Bot API and relay stdin/stdout until the input ends."""
    async with LocalBotApi(fresh_token()) as api, polling(runtime, local_api(api), LOCAL_CONSOLE):
        villager = TerminalVillager(api.user(VILLAGER_ID, VILLAGER_NAME), sys.stdout)
        if interactive:
            print(texts.TERMINAL_WELCOME)
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line or line.strip().lower() in QUIT:
                break
            await villager.say(line)


def local_api(api: LocalBotApi) -> BotApi:
    """The local Bot API as the bot reaches it."""
    return BotApi(api.token, api.base_url, api.base_file_url)
