"""A chat with the assistant in the terminal: the villager types, the bot's replies are printed.

Buttons are shown numbered; typing a number presses one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from handlers import callbacks
from handlers.replies import Reply, answer_reply, reply_to
from handlers.texts import answers as texts
from knowledge.service import Faq

QUIT = frozenset({"q", "quit", "exit", "退出"})


def render(reply: Reply) -> str:
    """The reply as terminal text, its choices numbered from 1."""
    lines = [reply.text]
    lines += [f"  {number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
    return "\n".join(lines)


class TerminalChat:
    """One villager's conversation: remembers the last choices offered, so a number picks one."""

    def __init__(self, faq: Faq) -> None:
        """Start a conversation answered from this FAQ."""
        self.faq = faq
        self._offered: Reply | None = None

    def send(self, line: str) -> Reply:
        """The bot's reply to one line the villager typed."""
        line = line.strip()
        if self._offered is not None and line.isdigit():
            reply = self._press(self._offered, int(line))
        else:
            reply = reply_to(self.faq, self.faq.match(line))
        if reply.choices or reply.text != texts.TERMINAL_BAD_PICK:
            self._offered = reply if reply.choices else None
        return reply

    def run(self, lines: Iterable[str], out: TextIO, prompt: str = "") -> None:
        """Answer each line until the input ends or the villager quits.

        Args:
            lines: The villager's lines (stdin).
            out: Where replies are written.
            prompt: Shown before each line is read (empty when stdin is not a terminal).

        """
        out.write(prompt)
        out.flush()
        for line in lines:
            if line.strip().lower() in QUIT:
                break
            out.write(render(self.send(line)) + "\n\n" + prompt)
            out.flush()

    def _press(self, offered: Reply, number: int) -> Reply:
        if not 1 <= number <= len(offered.choices):
            return Reply(texts.TERMINAL_BAD_PICK)
        action = offered.choices[number - 1].action
        if action.startswith(callbacks.SHOW_FAQ):
            return answer_reply(
                self.faq, self.faq.base.entry(action.removeprefix(callbacks.SHOW_FAQ))
            )
        if action in (callbacks.HANDOVER, callbacks.FILE_TICKET):
            return Reply(texts.TERMINAL_HANDED_OVER)
        if action == callbacks.REPHRASE:
            return Reply(texts.REPHRASE_PROMPT)
        raise ValueError(f"unknown action {action!r}")
