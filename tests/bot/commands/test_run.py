import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.commands.run import INTERRUPTED
from bot.local_chat import chat_in_terminal, describe_attachment
from bot.logs import LOG_FILE
from bot.services import open_runtime
from bot.settings import Settings
from handlers.texts import answers as texts
from handlers.texts import questions
from tests.bot.commands.conftest import Run
from tests.knowledge.faq_files import bundled_copy


def test_without_a_token_the_real_bot_chats_over_a_local_bot_api(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGBAI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MINGBAI_TELEGRAM_TOKEN", raising=False)
    lines = "离婚冷静期是多长时间？冷静期里能反悔吗？\n青稞啥时候种\n1\n"
    status, out, _ = run_cli("run", stdin=lines)
    assert status == 0
    # The answer, then the hand-over with its numbered buttons, then the first step of filing.
    answer = out.index("依据：民法典第1077")
    handover = out.index("  1. 登记问题，请工作人员处理")
    filing = out.index("  3. 矛盾纠纷")
    assert answer < handover < filing
    assert (tmp_path / "mingbai.db").is_file()


def test_the_terminal_shows_edited_messages_and_pop_up_notices(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGBAI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MINGBAI_TELEGRAM_TOKEN", raising=False)
    # Without titles or details, 👍 is the answer's first button.
    monkeypatch.setenv("MINGBAI_FAQ_DIR", str(bundled_copy(tmp_path / "faq")))
    # Browse to 土地 (the category list is edited in place), then ask and press 👍.
    lines = "/topics\n4\n离婚冷静期多长时间\n1\n"
    status, out, _ = run_cli("run", stdin=lines)
    assert status == 0
    categories = out.index("  4. 土地")
    land = out.index(texts.TERMINAL_UPDATED + "\n【土地】")
    answer = out.index("【离婚冷静期是多长时间？")
    thanks = out.index(texts.TERMINAL_POPUP.format(text=questions.THANKS_FOR_RATING))
    rated = out.index(texts.TERMINAL_UPDATED, thanks)
    assert categories < land < answer < thanks < rated
    assert "👍" not in out[rated:]


def test_the_terminal_says_what_the_bot_sent_besides_text() -> None:
    assert (
        describe_attachment({"photo": [{"file_id": "p"}], "caption": "照片"})
        == texts.TERMINAL_PHOTO
    )
    document = {"document": {"file_id": "d", "file_name": "登记表.xlsx"}}
    assert describe_attachment(document) == texts.TERMINAL_DOCUMENT.format(name="登记表.xlsx")
    assert describe_attachment({"voice": {"file_id": "v"}}) == texts.TERMINAL_MEDIA["voice"]
    assert describe_attachment({"text": "你好"}) == ""


def test_ctrl_c_ends_the_terminal_trial_at_once_with_one_polite_line(tmp_path: Path) -> None:
    environment = {**os.environ, "MINGBAI_DATA_DIR": str(tmp_path)}
    environment.pop("MINGBAI_TELEGRAM_TOKEN", None)
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )
    assert chat.stdin is not None and chat.stdout is not None
    chat.stdin.write("离婚冷静期多长时间\n")
    chat.stdin.flush()
    # The answer is printed once the bot runs; stdin stays open, so the trial waits for more.
    deadline = time.monotonic() + 60
    while "依据：民法典第1077" not in chat.stdout.readline():
        assert time.monotonic() < deadline, "no answer from the terminal trial"
    chat.send_signal(signal.SIGINT)
    _, err = chat.communicate(timeout=10)
    assert chat.returncode == INTERRUPTED
    # The chat's stderr holds the goodbye alone: the log went to its file in the data folder.
    assert err.strip() == texts.STOPPED
    assert "INFO" in (tmp_path / LOG_FILE).read_text(encoding="utf-8")


def test_web_serves_the_chat_page_alone_until_sigterm(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "MINGBAI_DATA_DIR": str(tmp_path),
        "MINGBAI_LISTEN_PORT": str(port),
    }
    environment.pop("MINGBAI_TELEGRAM_TOKEN", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--web"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        text=True,
    )
    assert server.stdout is not None
    try:
        address = f"http://127.0.0.1:{port}/chat/"
        assert server.stdout.readline().strip() == texts.WEB_ALONE.format(url=address)
        with urllib.request.urlopen(address + "?v=V01", timeout=10) as page:
            assert page.status == 200
            assert "HttpOnly" in page.headers["Set-Cookie"]
            assert "明白" in page.read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    assert server.returncode == 0


async def test_the_terminal_trial_prints_the_chat_pages_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("q\n"))
    async with open_runtime(Settings(data_dir=tmp_path)) as runtime:
        await chat_in_terminal(runtime, interactive=True, web=("127.0.0.1", 0))
    out = capsys.readouterr().out
    assert texts.TERMINAL_WELCOME in out
    [line] = [line for line in out.splitlines() if line.startswith(texts.TERMINAL_WEB_CHAT[:8])]
    assert re.fullmatch(
        re.escape(texts.TERMINAL_WEB_CHAT).replace(r"\{url\}", r"http://127\.0\.0\.1:\d+/chat/"),
        line,
    )
