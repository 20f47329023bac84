"""The staff console: a web application mounted on the bot's aiohttp server at ``/console``.

Server-rendered HTML in Chinese, no JavaScript: the queue, each ticket with its actions, the
township's figures with charts and exports, and what the bot could not answer. Staff log in with
a one-time link the bot sends them (``/console``) or with a password an admin set.
"""

from bot.console.app import build_console, issue_login_link, link_issuer
from bot.console.export import report_csv, workbook_bytes, write_workbook

__all__ = [
    "build_console",
    "issue_login_link",
    "link_issuer",
    "report_csv",
    "workbook_bytes",
    "write_workbook",
]
