"""/console: a staff member asks for a one-time login link to the web console.

The link is issued by the console (``bot.console``), passed in as ``issue_link`` because handlers
do not import ``bot``. It is sent only in a private chat, without a link preview (a preview would
make Telegram fetch the page); in a group the bot says to ask privately instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from handlers.services import Services
from handlers.texts import console as texts

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
IssueLink = Callable[[int], Awaitable[str | None]]


def console_handlers(services: Services, issue_link: IssueLink) -> list[BaseHandler[Any, Any, Any]]:
    """/console in private chats (a link for staff, a refusal for others) and in groups.

    Args:
        services: The bot's services.
        issue_link: Returns a one-time login link for a Telegram user id, or ``None`` if that
            person is not staff.

    """
    command = _Console(services, issue_link)
    return [
        CommandHandler(
            "console", command.on_private, filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        ),
        CommandHandler(
            "console", command.on_group, filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
        ),
    ]


class _Console:
    def __init__(self, services: Services, issue_link: IssueLink) -> None:
        self.services = services
        self.issue_link = issue_link

    async def on_private(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if user.id in self.services.admin_ids:
            await self.services.intake.ensure_admin(user.id, user.full_name)
        url = await self.issue_link(user.id)
        if url is None:
            await message.reply_text(texts.NOT_STAFF)
            return
        await message.reply_text(
            texts.LINK.format(url=url),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            protect_content=True,
        )

    async def on_group(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(texts.PRIVATE_ONLY)
