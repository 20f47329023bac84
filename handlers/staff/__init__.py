"""Staff: ticket cards in the staff group, the actions on them, staff commands and jobs.

Handler order (all in one group, so the first match wins):

1. presses of staff buttons (``s:…``), in any chat — who pressed is checked, not the chat;
2. the staff commands (``/tickets /overdue /ticket /note /role /unreachable``) in the staff
   group or a private chat;
3. replies to the bot's ticket cards and prompts, in the staff group or a private chat;
4. any other command in the staff group: the list of staff commands;
5. anything else in the staff group: ignored (staff talk among themselves there).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import callbacks
from handlers.services import Services
from handlers.staff.actions import RepliesToStaffMessage, StaffActions
from handlers.staff.bans import ban_handlers
from handlers.staff.commands import COMMANDS, StaffCommands, overhear, staff_help
from handlers.staff.jobs import schedule_staff_jobs

__all__ = ["schedule_staff_jobs", "staff_handlers"]


def staff_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The staff area's handlers, in the order they must be tried."""
    actions = StaffActions(services)
    commands = StaffCommands(services)
    fresh = filters.UpdateType.MESSAGE  # edited messages are left to the fallbacks
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    if services.staff_chat_id is not None:
        where = where | filters.Chat(services.staff_chat_id)
    handlers: list[BaseHandler[Any, Any, Any]] = [
        CallbackQueryHandler(actions.on_press, pattern=f"^{callbacks.STAFF}"),
        CommandHandler(COMMANDS, commands.on_command, filters=where & fresh),
        *ban_handlers(services),
        MessageHandler(where & fresh & RepliesToStaffMessage(), actions.on_reply),
    ]
    if services.staff_chat_id is not None:
        staff_chat = filters.Chat(services.staff_chat_id)
        handlers += [
            MessageHandler(staff_chat & fresh & filters.COMMAND, staff_help),
            MessageHandler(staff_chat, overhear),
        ]
    return handlers
