"""Who is acting, and whom a staff command names.

The actor is always the Telegram user behind the update, looked up in intake (configured
administrators are made admins there on first use). Intake decides what that person may do;
nothing here trusts a button or a message to prove a role.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, Message, MessageEntity, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.services import Services
from intake import IntakeError, Source, TicketView, UserView

Context = ContextTypes.DEFAULT_TYPE

_USERNAMES = "staff_usernames"
USERNAMES_MAX = 2000
# The name an administrator is registered under if they never talked to the bot themselves.
SYSTEM_ADMIN_NAME = "管理员"


async def actor(services: Services, context: Context, user: User) -> UserView:
    """The intake user behind a Telegram user, registered on first contact.

    Telegram has no way to look a user up by @username, so the usernames of people the staff
    area sees are remembered (bounded, in persisted ``bot_data``) for ``/role @name``.
    """
    if user.username:
        remember_username(context, user.username, user.id)
    if user.id in services.admin_ids:
        return await services.intake.ensure_admin(user.id, user.full_name)
    return await services.intake.get_or_create_user(user.id, user.full_name)


async def system_actor(services: Services) -> UserView | None:
    """The first configured administrator, for work nobody in particular does (reminders)."""
    if not services.admin_ids:
        return None
    return await services.intake.ensure_admin(min(services.admin_ids), SYSTEM_ADMIN_NAME)


def remember_username(context: Context, username: str, telegram_id: int) -> None:
    """Remember whose @username this is, for ``/role @name`` (Telegram cannot look it up)."""
    known: dict[str, Any] = context.bot_data.setdefault(_USERNAMES, {})
    key = username.lower()
    known.pop(key, None)  # re-inserted last, so the oldest entries are dropped first
    known[key] = telegram_id
    while len(known) > USERNAMES_MAX:
        del known[next(iter(known))]


def named_user(message: Message, arguments: str) -> tuple[User | None, str]:
    """The person a command names by replying to their message or by a mention without username.

    Args:
        message: The command.
        arguments: The command's text after the command itself.

    Returns:
        That person, if named this way, and the arguments with the mention removed.

    """
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        return replied.from_user, arguments
    for entity, mention in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
        if entity.user is not None:
            return entity.user, arguments.replace(mention, " ", 1)
    return None, arguments


async def user_by_reference(
    bot: Bot, context: Context, services: Services, reference: str
) -> UserView | None:
    """The person a staff member means by a numeric Telegram id or an @username.

    The person must have talked to the bot before (Telegram only then lets the bot look them
    up), which also keeps typos from registering strangers.
    """
    if reference.startswith("@"):
        known: dict[str, Any] = context.bot_data.get(_USERNAMES, {})
        telegram_id = known.get(reference[1:].lower())
    elif reference.isdigit():
        telegram_id = int(reference)
    else:
        return None
    if not isinstance(telegram_id, int):
        return None
    try:
        chat = await bot.get_chat(telegram_id)
    except TelegramError:
        return None
    return await services.intake.get_or_create_user(telegram_id, chat.full_name or reference)


async def contact_for(services: Services, ticket: TicketView) -> UserView | None:
    """Who hears about a ticket: the 法律明白人 who filed it for someone, else its villager.

    ``None`` when that person cannot be reached on Telegram (staff registered them without it:
    staff call them instead).
    """
    recipient_id = ticket.filed_by_id if ticket.source is Source.LIAISON else ticket.villager_id
    if recipient_id is None:
        return None
    try:
        recipient = await services.intake.get_user(recipient_id)
    except IntakeError:
        return None
    return recipient if recipient.telegram_id is not None else None
