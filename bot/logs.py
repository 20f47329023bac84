"""Logging for the long-running commands: INFO to stderr, with nothing secret or personal in it.

The HTTP client of python-telegram-bot logs every request URL at INFO, and Bot API URLs contain
the bot token, so it is kept at WARNING.
"""

from __future__ import annotations

import logging

QUIET = ("httpx", "httpcore", "aiohttp.access", "apscheduler")


def configure_logging(level: int = logging.INFO) -> None:
    """Send log records to stderr with times, keeping chatty clients quiet."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
