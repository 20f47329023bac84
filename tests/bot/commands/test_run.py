from pathlib import Path

import pytest

from tests.bot.commands.conftest import Run


def test_without_a_token_the_real_bot_chats_over_a_local_bot_api(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGBAI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MINGBAI_TELEGRAM_TOKEN", raising=False)
    lines = "离婚冷静期是多长时间？冷静期里能反悔吗？\n青稞啥时候种\n1\n"
    status, out, _ = run_cli("run", stdin=lines)
    assert status == 0
    # The answer, then the hand-over with its numbered buttons, then the first step of filing.
    answer = out.index("《民法典》第1077条")
    handover = out.index("  1. 登记问题，请工作人员处理")
    filing = out.index("  3. 矛盾纠纷")
    assert answer < handover < filing
    assert (tmp_path / "mingbai.db").is_file()
