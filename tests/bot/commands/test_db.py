"""``mingbai db`` (bot/commands/db.py), on an SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from intake import head_revision


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "mingbai.db"
    monkeypatch.delenv("MINGBAI_CONFIG", raising=False)
    monkeypatch.setenv("MINGBAI_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    return path


def test_upgrade_creates_the_database_and_can_be_repeated(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "current"]) == 0
    assert "尚未初始化" in capsys.readouterr().out

    head = head_revision()
    assert main(["db", "upgrade"]) == 0
    assert f"从 空库 升级到 {head}" in capsys.readouterr().out
    assert database.is_file()

    assert main(["db", "upgrade"]) == 0
    assert f"已是最新版本（{head}），无需升级" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert f"数据库版本 {head}（已是最新）" in capsys.readouterr().out


def test_an_unreachable_database_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "MINGBAI_DATABASE_URL", "postgresql+asyncpg://nobody:secret@127.0.0.1:1/none"
    )

    assert main(["db", "upgrade"]) == 1

    error = capsys.readouterr().err
    assert "无法操作数据库" in error
    assert "secret" not in error


def test_bad_settings_are_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MINGBAI_ANSWER_THRESHOLD", "very high")

    assert main(["db", "upgrade"]) == 1
    assert "配置有误" in capsys.readouterr().err
