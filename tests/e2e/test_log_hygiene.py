"""The bot token never reaches the logs, even at DEBUG and when calls fail.

Every Bot API URL contains the token, and python-telegram-bot's HTTP client (httpx) logs each
request's URL at INFO; exceptions and retry messages are the other way it could leak.
"""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.local_api import Faults
from bot.logs import QUIET, REDACTED, configure_logging
from tests.e2e.harness import running_bot

QUESTION = "离婚冷静期多长时间"
ANSWER = "【离婚冷静期是多长时间？冷静期里能反悔吗？】"

# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG and above, with logging configured as the bot's commands do."""
    levels = {name: logging.getLogger(name).level for name in QUIET}
    filters = {name: list(logging.getLogger(name).filters) for name in REDACTED}
    configure_logging(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for name, kept in filters.items():
            logging.getLogger(name).filters = kept


async def test_an_exchange_with_failures_logs_no_token(
    tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        secret = bot.api.token.partition(":")[2]
        # Failed calls are logged, and retried: make some fail.
        faults = Faults().install(bot.api).next("sendMessage", "drop").next("getUpdates", "502")
        villager = bot.user(200801, "祁大爷")
        await villager.send(QUESTION)
        assert ANSWER in (await villager.reply()).text  # delivered on the second try
        assert len(faults.injected) == 2

    records = debug_logs.records
    # The capture saw DEBUG records and both failures, so it would have seen a leak.
    assert any(r.levelno == logging.DEBUG and r.name.startswith("telegram") for r in records)
    assert any(r.name == "bot.relay" and "NetworkError" in r.getMessage() for r in records)
    assert any(r.name == "bot.poller" and "NetworkError" in r.getMessage() for r in records)
    # python-telegram-bot's Bot logs its API URL at DEBUG: there, without the token.
    assert any("/bot<token>" in r.getMessage() for r in records)
    leaks = [
        f"{r.levelname} {r.name}: {r.getMessage()}" for r in records if secret in r.getMessage()
    ]
    assert leaks == []
    assert secret not in debug_logs.text
