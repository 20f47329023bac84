import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import QUIET, configure_logging


@pytest.fixture(autouse=True)
def record_factory() -> Iterator[None]:
    """Configuring logging installs a record factory: restore the one before."""
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)


def test_the_http_client_never_logs_request_urls_at_info(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    configure_logging(tmp_path)
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info(
            "HTTP Request: POST https://api.telegram.org/bot123:SECRET/getMe"
        )
        logging.getLogger("mingbai").info("kept")
    assert "SECRET" not in caplog.text
    assert "kept" in caplog.text
    assert all(logging.getLogger(name).level >= logging.WARNING for name in QUIET)


def test_privacy_mask_records_lose_payloads_numbers_and_login_tokens(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    configure_logging(tmp_path)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("telegram.Bot").debug(
            "Calling Bot API endpoint `%s` with parameters `%s`",
            "sendMessage",
            {"chat_id": 1, "text": "马春花想问彩礼"},
        )
        logging.getLogger("telegram.ext.Application").debug("user %s: %s", "马春花", 5)
        logging.getLogger("bot.anything").info(
            "link http://x/console/login/link?token=SECRETTOKEN for 13912345678, id %s",
            "63012219800101123X",
        )
    first, name, second = (r.getMessage() for r in caplog.records)
    assert first == "Calling Bot API endpoint `sendMessage` with parameters `<redacted>`"
    assert name == "user <redacted>: 5"
    assert second == "link http://x/console/login/link?token=<token> for <number>, id <number>"
