"""What the staff area waits for: prompt answers keyed by ticket and staff member, replies to
confirm keyed by the staff member's own message, and the parser of a prompt's title."""

from types import SimpleNamespace
from typing import Any, cast

import pytest

from handlers.staff import pending
from handlers.staff.actions import prompt_number
from handlers.staff.pending import PENDING_MAX, Context, Pending, Step
from handlers.texts import staff as texts

NUMBER = "2026-000123"
OFFICER, COLLEAGUE = 320001, 320002


def chat() -> Context:
    """A context with an empty ``chat_data``, as the persistence hands it to a handler."""
    return cast(Context, SimpleNamespace(chat_data={}))


def test_a_prompt_wait_is_found_by_ticket_and_staff_member() -> None:
    context = chat()
    awaited = Pending(Step.REROUTE, NUMBER, OFFICER, card=(-100, 7), arg="V02")
    pending.remember(context, awaited)
    assert pending.find(context, NUMBER, OFFICER) == awaited
    assert pending.find(context, NUMBER, COLLEAGUE) is None
    assert pending.find(context, "2026-000124", OFFICER) is None

    # Someone else's wait for the ticket is told apart from no wait at all.
    assert pending.waited_on_by_others(context, NUMBER, COLLEAGUE)
    assert not pending.waited_on_by_others(context, NUMBER, OFFICER)
    assert not pending.waited_on_by_others(context, "2026-000124", COLLEAGUE)
    # A ticket number that merely starts the same is another ticket.
    assert not pending.waited_on_by_others(context, "2026-00012", COLLEAGUE)

    pending.forget(context, NUMBER, OFFICER)
    assert pending.find(context, NUMBER, OFFICER) is None
    assert not pending.waited_on_by_others(context, NUMBER, COLLEAGUE)


def test_a_newer_prompt_replaces_the_older_one_and_counts_as_newest() -> None:
    context = chat()
    pending.remember(context, Pending(Step.REPLY, NUMBER, OFFICER))
    for index in range(PENDING_MAX - 1):
        pending.remember(context, Pending(Step.CLOSE, f"2026-{index:06d}", COLLEAGUE))
    newer = Pending(Step.REJECT_ROUTE, NUMBER, OFFICER, text="理由")
    pending.remember(context, newer)
    assert pending.find(context, NUMBER, OFFICER) == newer

    # Beyond the bound the oldest wait goes; the replaced one moved to the end and stays.
    pending.remember(context, Pending(Step.CLOSE, "2026-999999", COLLEAGUE))
    assert pending.find(context, "2026-000000", COLLEAGUE) is None
    assert pending.find(context, NUMBER, OFFICER) == newer
    assert len(cast(Any, context).chat_data["staff_pending"]) == PENDING_MAX


def test_replies_to_confirm_have_their_own_key_space() -> None:
    context = chat()
    held = Pending(Step.CONFIRM_REPLY, NUMBER, OFFICER, card=(-100, 7), text="已协调。")
    pending.remember_reply(context, 41, held)
    pending.remember(context, Pending(Step.REPLY, NUMBER, OFFICER))
    assert pending.find_reply(context, 41) == held
    assert pending.find(context, NUMBER, OFFICER) == Pending(Step.REPLY, NUMBER, OFFICER)
    assert pending.find_reply(context, 42) is None

    pending.forget_reply(context, 41)
    assert pending.find_reply(context, 41) is None
    assert pending.find(context, NUMBER, OFFICER) is not None


def test_waits_of_the_old_scheme_or_damaged_ones_are_not_found() -> None:
    context = chat()
    waiting = cast(Any, context).chat_data.setdefault("staff_pending", {})
    # Kept under the prompt's message id before the re-keying.
    waiting["4242"] = {"step": "reply", "number": NUMBER, "by": OFFICER, "card": None}
    assert pending.find(context, NUMBER, OFFICER) is None
    assert pending.find_reply(context, 4242) is None

    pending.remember(context, Pending(Step.REPLY, NUMBER, OFFICER))
    key = next(key for key in waiting if key != "4242")
    waiting[key] = {**waiting[key], "step": "no-such-step"}
    assert pending.find(context, NUMBER, OFFICER) is None


def test_waits_need_a_chat() -> None:
    with pytest.raises(RuntimeError):
        pending.find(cast(Context, SimpleNamespace(chat_data=None)), NUMBER, OFFICER)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (f"{texts.PROMPT_TITLE.format(number=NUMBER, action='答复')}\n韩干事，请回复", NUMBER),
        (texts.PROMPT_TITLE.format(number="2026-1234567", action="上报"), "2026-1234567"),
        (f"{texts.CARD_TITLE.format(number=NUMBER, state='已受理')}\n类型：投诉", None),
        (f"{texts.PROMPT_MARK} 工单 第一张｜答复", None),
        (f"{texts.PROMPT_MARK} 请回复\n工单 {NUMBER}", None),  # the number is not in the title
        (f"前言 {texts.PROMPT_TITLE.format(number=NUMBER, action='答复')}", None),
        ("", None),
        (None, None),
    ],
)
def test_the_ticket_number_is_read_from_a_prompt_title_only(
    text: str | None, number: str | None
) -> None:
    assert prompt_number(text) == number
