import io
from collections.abc import Callable

import pytest

from bot.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``mingbai`` in-process with the given arguments and stdin; return status, out, err."""
    monkeypatch.delenv("MINGBAI_FAQ_DIR", raising=False)
    monkeypatch.delenv("MINGBAI_CONFIG", raising=False)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main(list(argv))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run
