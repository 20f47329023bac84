import logging

import pytest

from bot.logs import QUIET, configure_logging


def test_the_http_client_never_logs_request_urls_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging()
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info(
            "HTTP Request: POST https://api.telegram.org/bot123:SECRET/getMe"
        )
        logging.getLogger("mingbai").info("kept")
    assert "SECRET" not in caplog.text
    assert "kept" in caplog.text
    assert all(logging.getLogger(name).level >= logging.WARNING for name in QUIET)
