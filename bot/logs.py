"""Logging for the long-running commands: to a file and stderr, nothing secret or personal in it.

Records at INFO and above go to ``mingbai.log`` in the data folder and to stderr; the terminal
trial logs to the file only, its stderr being the villager's chat.

Privacy by default, at every level: no message text, names, phone or ID numbers, bot tokens or
console login links reach a log record. The HTTP client of python-telegram-bot logs every request
URL at INFO, and Bot API URLs contain the bot token, so it is kept at WARNING. Every record is then
cleaned as it is made (:func:`redact_record`), whichever logger made it:

- python-telegram-bot logs whole API payloads at DEBUG (the parameters of ``sendMessage``, the
  messages ``getUpdates`` returned): in its records any value that is not a plain word or number
  is replaced by ``<redacted>``;
- in every record, bot tokens, login-link tokens and ID and phone numbers are replaced.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from intake.privacy import PERSONAL_NUMBER

LOG_FILE = "mingbai.log"
QUIET = ("httpx", "httpcore", "aiohttp.access", "apscheduler")
REDACTED_LOGGERS = ("telegram",)
"""The libraries whose records have their payload arguments replaced by ``<redacted>``."""
REDACTED = "<redacted>"

# A token is ``<bot id>:<secret>``; in a Bot API URL it follows ``/bot`` or ``/file/bot``.
_TOKEN = re.compile(r"(?<=/bot)\d+:[^/\s'\"]+")
# A console login link's secret is its ``token`` query parameter.
_LINK_TOKEN = re.compile(r"(?<=[?&]token=)[^&\s'\"]+")
# An endpoint name, a URL, a number: what a library's record may keep of its arguments (ASCII
# only: a name or a message in Chinese is never plain).
_PLAIN = re.compile(r"[\w.:/-]{0,200}", re.ASCII)


def redact_text(text: str) -> str:
    """``text`` without bot tokens, login-link tokens, ID or phone numbers."""
    text = _TOKEN.sub("<token>", text)
    text = _LINK_TOKEN.sub("<token>", text)
    return PERSONAL_NUMBER.sub("<number>", text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Clean a record in place (see the module's docstring) and return it."""
    if record.args and record.name.startswith(REDACTED_LOGGERS):
        record.args = _plain_args(record.args)
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        # A malformed call: logging reports it when formatting; its arguments stay out of it.
        record.msg, record.args = f"{record.msg!s} {REDACTED}", None
        message = record.msg
    redacted = redact_text(message)
    if redacted != message or record.args:
        record.msg, record.args = redacted, None
    return record


def _plain_args(args: Any) -> Any:
    if isinstance(args, dict):
        return {key: _plain(value) for key, value in args.items()}
    return tuple(_plain(value) for value in args)


def _plain(value: object) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str) and _PLAIN.fullmatch(value):
        return value
    return REDACTED


class _RedactingFactory:
    """Wraps the record factory in force, so that every new record is cleaned."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(self.inner(*args, **kwargs))


def install_redaction() -> None:
    """Clean every log record as it is made; installing twice changes nothing."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(factory))


def configure_logging(data_dir: Path, *, to_stderr: bool = True, level: int = logging.INFO) -> None:
    """Send log records to the data folder's log file (and stderr), with times.

    Chatty clients are kept quiet and every record is cleaned (see the module's docstring).
    """
    install_redaction()
    data_dir.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(data_dir / LOG_FILE, encoding="utf-8")]
    if to_stderr:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
