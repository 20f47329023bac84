from pathlib import Path

import pytest

from bot.cli import main


def test_an_invalid_faq_folder_is_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("MINGBAI_FAQ_DIR", str(tmp_path))
    assert main(["ask", "彩礼"]) == 1
    assert "mingbai ask:" in capsys.readouterr().err


def test_invalid_settings_are_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINGBAI_STAFF_CHAT_ID", "x")
    assert main(["ask", "彩礼"]) == 1
    assert "MINGBAI_STAFF_CHAT_ID" in capsys.readouterr().err


def test_a_mistyped_variable_stops_the_start_with_the_name_meant(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINGBAI_STAFF_CHAT", "123")
    assert main(["run"]) == 1
    assert capsys.readouterr().err == (
        "mingbai run: unknown setting MINGBAI_STAFF_CHAT; did you mean MINGBAI_STAFF_CHAT_ID?\n"
    )


def test_an_unknown_command_exits_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
