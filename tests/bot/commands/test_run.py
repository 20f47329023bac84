import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.commands.run import INTERRUPTED
from bot.local_chat import describe_attachment
from bot.logs import LOG_FILE
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
