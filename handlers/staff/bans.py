"""Staff commands /ban and /unban, in the staff group or a private chat with the bot.

Township officers and admins name the person by replying to their message, by a mention, by
their numeric Telegram id or by a remembered @username (as for ``/role``). Intake checks the
role again and records every ban and unban (:mod:`intake.moderation`); the guard
(:mod:`handlers.guard`) then tells a banned person once and ignores them.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, filters

from handlers import people
from handlers.services import Services
from handlers.texts import guard as texts
from intake import IntakeError, UserView
from intake.moderation import BANNING_ROLES, Moderation

Context = ContextTypes.DEFAULT_TYPE

COMMANDS = ("ban", "unban")


def ban_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """/ban and /unban, for new messages in a private chat or the staff group."""
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    if services.staff_chat_id is not None:
        where = where | filters.Chat(services.staff_chat_id)
    commands = BanCommands(services)
    return [
        CommandHandler(COMMANDS, commands.on_command, filters=where & filters.UpdateType.MESSAGE)
    ]


class BanCommands:
    """/ban and /unban, answering in the chat they were sent in."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._moderation = Moderation(services.intake.engine)

    async def on_command(self, update: Update, context: Context) -> None:
        """Ban or unban the person named; refuse anyone but township officers and admins."""
        message = update.message
        if message is None or message.from_user is None or not message.text:
            return
        actor = await people.actor(self._services, context, message.from_user)
        # Checked before looking anyone up, so a refused command registers nobody.
        if actor.role not in BANNING_ROLES:
            await message.reply_text(texts.BAN_NOT_ALLOWED)
            return
        command, *rest = message.text.split(maxsplit=1)
        banning = command.lstrip("/").split("@", 1)[0].lower() == "ban"
        usage = texts.BAN_USAGE if banning else texts.UNBAN_USAGE
        named, arguments = people.named_user(message, rest[0] if rest else "")
        target: UserView | None
        if named is not None:
            target = await people.actor(self._services, context, named)
        else:
            words = arguments.split(maxsplit=1)
            if not words:
                await message.reply_text(usage)
                return
            reference, arguments = words[0], words[1] if len(words) > 1 else ""
            target = await people.user_by_reference(context.bot, context, self._services, reference)
            if target is None:
                await message.reply_text(texts.PERSON_UNKNOWN.format(who=reference))
                return
        try:
            if banning:
                record = await self._moderation.ban(actor.id, target.id, arguments)
                reason = texts.BAN_REASON.format(reason=record.reason) if record.reason else ""
                await message.reply_text(
                    texts.BAN_DONE.format(name=target.display_name, reason=reason)
                )
            else:
                await self._moderation.unban(actor.id, target.id)
                await message.reply_text(texts.UNBAN_DONE.format(name=target.display_name))
        except IntakeError as error:
            await message.reply_text(error.message, do_quote=True)
