"""``mingbai run`` without a token, twice on the same data folder: the second run answers too.

The local Bot API numbers updates from 1 at each start; before the inbox was scoped by bot, the
second run's first update was taken for the first run's (kept two days to recognise duplicates)
and silently dropped.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bot.local_chat import chat_in_terminal
from bot.services import open_runtime
from bot.settings import Settings
from tests.e2e.test_faults import ANSWER, QUESTION


async def test_second_run_on_the_same_data_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for run in ("first", "second"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(QUESTION + "\n"))
        async with open_runtime(Settings(data_dir=tmp_path)) as runtime:
            await chat_in_terminal(runtime, interactive=False)
        assert ANSWER in capsys.readouterr().out, f"the {run} run did not answer"
