"""Transcript tests of the terminal chat: send "…" → expect "…"."""

import io

import pytest

from bot.terminal import TerminalChat, render
from knowledge.service import Faq


@pytest.fixture(scope="module")
def faq() -> Faq:
    return Faq.load()


@pytest.fixture
def chat(faq: Faq) -> TerminalChat:
    return TerminalChat(faq)


def send(chat: TerminalChat, line: str) -> str:
    return render(chat.send(line))


def test_a_clear_question_is_answered_with_sources(chat: TerminalChat) -> None:
    reply = send(chat, "离婚冷静期是多长时间？冷静期里能反悔吗？")
    assert "【离婚冷静期是多长时间？冷静期里能反悔吗？】" in reply
    assert "法律依据：《民法典》第1077条" in reply


def test_picking_a_candidate_by_number_shows_its_answer(chat: TerminalChat) -> None:
    question = send(chat, "离婚")
    assert question.startswith("您想问的是")
    first_choice = question.splitlines()[1].removeprefix("  1. ")
    assert f"【{first_choice}】" in send(chat, "1")


def test_none_of_these_hands_over(chat: TerminalChat) -> None:
    assert "  4. 都不是，转人工" in send(chat, "离婚")
    assert "工作人员" in send(chat, "4")


def test_a_number_out_of_range_is_refused_and_the_choices_stay(chat: TerminalChat) -> None:
    send(chat, "离婚")
    assert send(chat, "9") == "没有这个序号，请输入列出的数字。"
    assert send(chat, "1").startswith("【")


def test_a_number_with_nothing_offered_is_a_question(chat: TerminalChat) -> None:
    assert "工作人员" in send(chat, "3")


def test_rephrase_and_empty_lines(chat: TerminalChat) -> None:
    assert "  2. 换个说法再问" in send(chat, "青稞啥时候种")
    assert "换个说法" in send(chat, "2")
    assert "没看到您的问题" in send(chat, "")


def test_run_prints_each_reply_and_stops_at_quit(faq: Faq) -> None:
    out = io.StringIO()
    TerminalChat(faq).run(["离婚冷静期多长时间\n", "q\n", "离婚\n"], out, prompt="> ")
    printed = out.getvalue()
    assert printed.startswith("> 【")
    assert printed.count("> ") == 2
    assert "您想问的是" not in printed
