"""Nothing secret or personal reaches the logs, even at DEBUG and when calls fail.

Every Bot API URL contains the token, and python-telegram-bot's HTTP client (httpx) logs each
request's URL at INFO; exceptions and retry messages are the other way it could leak. At DEBUG,
python-telegram-bot logs every call's parameters and result: messages, names, phone numbers and
the console's login links.
"""

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.local_api import Faults
from bot.logs import QUIET, configure_logging
from intake import Role
from tests.e2e.harness import running_bot
from tests.e2e.test_privacy import ID_NUMBER, PHONE, STORY
from tests.e2e.test_staff import file_ticket

QUESTION = "离婚冷静期多长时间"
ANSWER = "【离婚冷静期是多长时间？冷静期里能反悔吗？】"

# PTB itself reads the deprecated int form of retry_after when it builds RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after")


@pytest.fixture
def debug_logs(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG and above, with logging configured as the bot's commands do."""
    levels = {name: logging.getLogger(name).level for name in QUIET}
    factory = logging.getLogRecordFactory()
    configure_logging(tmp_path, level=logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield caplog
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        logging.setLogRecordFactory(factory)


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


async def test_privacy_mask_debug_logs_hold_no_text_names_numbers_or_login_links(
    tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        villager = bot.user(200802, "马春花")
        await villager.send_command("/start")
        await villager.reply()
        await villager.send(f"{QUESTION}，我的电话{PHONE}")
        await villager.reply()
        await file_ticket(villager, STORY)
        card = await bot.staff_group.reply()
        officer = await bot.staff(200901, "韩干事", Role.TOWNSHIP_OFFICER)
        await officer.send_command("/console")
        link = re.search(r"token=([\w-]+)", (await officer.reply()).text)
        assert link is not None

    records = debug_logs.records
    messages = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in records]
    # The capture saw python-telegram-bot's calls and their answers at DEBUG, cleaned.
    assert any("Calling Bot API endpoint `sendMessage`" in m for m in messages)
    assert any("getUpdates" in m and "<redacted>" in m for m in messages)
    secrets = [
        ID_NUMBER,
        PHONE,
        PHONE[-4:] + "，",
        "马春花",
        "韩干事",
        QUESTION,
        "宅基地",
        card.text.splitlines()[0],
        link.group(1),
    ]
    leaks = [(secret, m) for m in messages for secret in secrets if secret in m]
    assert leaks == []
    assert not any(secret in debug_logs.text for secret in secrets)
