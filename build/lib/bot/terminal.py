"""A chat with the assistant in the terminal: the villager types, the bot's replies are printed.

Buttons are shown numbered; typing a number presses one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from handlers import texts
from handlers.replies import (
    FILE_TICKET,
    HANDOVER,
    REPHRASE,
    SHOW_ENTRY,
    Reply,
    answer_reply,
    reply_to,
)
from knowledge.service import Faq

QUIT = frozenset({"q", "quit", "exit", "退出"})


def render(reply: Reply) -> str:
    """The reply as terminal text, its choices numbered from 1."""
    lines = [reply.text]
    lines += [f"  {number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
    return "\n".join(lines)


def chat(faq: Faq, lines: Iterable[str], out: TextIO, prompt: str = "") -> None:
    """Answer each line until the input ends or the user quits.

    Args:
        faq: The FAQ to answer from.
        lines: The user's lines (stdin).
        out: Where replies are written.
        prompt: Shown before each line is read (empty when stdin is not a terminal).

    """
    shown: Reply | None = None
    out.write(prompt)
    out.flush()
    for raw in lines:
        line = raw.strip()
        if line.lower() in QUIT:
            break
        if shown is not None and shown.choices and line.isdigit():
            reply = _press(faq, shown, int(line))
        else:
            reply = reply_to(faq, faq.match(line))
        out.write(render(reply) + "\n\n" + prompt)
        out.flush()
        if reply.choices or reply.text != texts.TERMINAL_BAD_PICK:
            shown = reply


def _press(faq: Faq, shown: Reply, number: int) -> Reply:
    if not 1 <= number <= len(shown.choices):
        return Reply(texts.TERMINAL_BAD_PICK)
    action = shown.choices[number - 1].action
    if action.startswith(SHOW_ENTRY):
        return answer_reply(faq, faq.base.entry(action.removeprefix(SHOW_ENTRY)))
    if action in (HANDOVER, FILE_TICKET):
        return Reply(texts.TERMINAL_HANDED_OVER)
    if action == REPHRASE:
        return Reply(texts.REPHRASE_PROMPT)
    raise ValueError(f"unknown action {action!r}")
