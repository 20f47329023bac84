"""Logging for the long-running commands: INFO to stderr, with nothing secret or personal in it.

The HTTP client of python-telegram-bot logs every request URL at INFO, and Bot API URLs contain
the bot token, so it is kept at WARNING. python-telegram-bot's ``Bot`` logs its URLs at DEBUG; those
records have the token replaced.
"""

from __future__ import annotations

import logging
import re

QUIET = ("httpx", "httpcore", "aiohttp.access", "apscheduler")
REDACTED = ("telegram.Bot", "telegram.ext.ExtBot")
"""The loggers whose records have bot tokens replaced by ``<token>``."""

# A token is ``<bot id>:<secret>``; in a Bot API URL it follows ``/bot`` or ``/file/bot``.
_TOKEN = re.compile(r"(?<=/bot)\d+:[^/\s'\"]+")


class RedactTokens(logging.Filter):
    """Replaces the bot token in Bot API URLs with ``<token>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message if it holds a token; never drops a record."""
        message = record.getMessage()
        redacted = _TOKEN.sub("<token>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# One instance, so that configuring twice does not add the filter twice.
_REDACT = RedactTokens()


def configure_logging(level: int = logging.INFO) -> None:
    """Send log records to stderr with times, keeping chatty clients quiet and tokens out."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in REDACTED:
        logging.getLogger(name).addFilter(_REDACT)
