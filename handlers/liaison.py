"""法律明白人 (liaisons) filing on behalf of a named villager.

``/daiban`` (or ``/daiban 张三``) → the villager's name → kind → village (the liaison's own first)
→ the villager's phone, if they agreed (or 跳过) → the story → confirm. The ticket records both
the villager and the liaison; updates and the 回访 go to the liaison to relay. These steps run
inside the ``filing`` conversation (:mod:`handlers.filing`), which adds :class:`OnBehalf`'s
entry points and states to its own.

Forwarding a message to the bot is how a liaison most often brings a villager's words: it is
offered as "代谁登记？", the story prefilled with the forwarded message.

Someone who is not yet a liaison is told how to apply (``/shenqing``); an admin approves the
application in the staff console.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import callbacks, draft, people
from handlers.callbacks import exactly
from handlers.draft import Context, Draft
from handlers.services import Services
from handlers.texts import filing as filing_texts
from handlers.texts import liaison as texts
from intake import IntakeError, Source, UserView
from intake.liaisons import Liaisons
from intake.rules import check_filing
from intake.validation import NAME_MAX, clean_phone

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
TYPED = PRIVATE & filters.TEXT & ~filters.COMMAND
APPLICATION_FIELDS = 3  # name, village, phone


def liaison_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The offer made for a forwarded message ("代谁登记？" to a liaison), and ``/shenqing``.

    The on-behalf steps themselves are part of the ``filing`` conversation.
    """
    return [
        MessageHandler(PRIVATE & filters.FORWARDED, OnBehalf(services).offer_forwarded),
        CommandHandler("shenqing", Application(services).apply, filters=PRIVATE),
    ]


def may_file_on_behalf(user: UserView) -> bool:
    """Whether intake lets this person file for someone else (liaisons, admins)."""
    try:
        check_filing(user, Source.LIAISON)
    except IntakeError:
        return False
    return True


async def ask_name(message: Message, context: Context, current: Draft) -> str:
    """Ask whom the liaison files for."""
    await message.reply_text(texts.ASK_NAME)
    return draft.save(context, current, draft.NAME)


async def ask_villager_phone(message: Message, context: Context, current: Draft) -> str:
    """Ask for the villager's phone, if they agreed to be called (or 跳过)."""
    skip = InlineKeyboardButton(filing_texts.SKIP_BUTTON, callback_data=draft.SKIP_PHONE)
    await message.reply_text(texts.ASK_VILLAGER_PHONE, reply_markup=InlineKeyboardMarkup([[skip]]))
    return draft.save(context, current, draft.VILLAGER_PHONE)


class Application:
    """``/shenqing 姓名 村（社区） 电话``: applying to serve as a 法律明白人 (an admin decides)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def apply(self, update: Update, context: Context) -> None:
        """Record the application, or say what is missing or wrong (nothing is kept then)."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        args = context.args or []
        if len(args) != APPLICATION_FIELDS:
            await message.reply_text(texts.APPLY_USAGE)
            return
        name, village, phone = args
        actor = await people.actor(self.services, context, user)
        desk = Liaisons(self.services.intake, self.services.intake_config)
        try:
            applied = await desk.apply(actor.id, name, village, phone)
        except IntakeError as error:
            await message.reply_text(f"{error.message}\n\n{texts.APPLY_USAGE}")
            return
        found = self.services.intake_config.village(applied.village_code)
        village_name = found.name if found is not None else applied.village_code
        await message.reply_text(texts.APPLIED.format(name=applied.name, village=village_name))
        staff_chat = self.services.staff_chat_id
        if staff_chat is not None:
            # The phone stays out of the group: the admin sees it on the console's page.
            await context.bot.send_message(
                staff_chat, texts.NEW_APPLICATION.format(name=applied.name, village=village_name)
            )


class OnBehalf:
    """The liaison's entry points and steps, as handler callbacks sharing the services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def entry_points(self) -> list[BaseHandler[Any, Any, Any]]:
        """``/daiban [name]`` and the 替村民登记 button under a forwarded message."""
        return [
            CommandHandler("daiban", self.start_command, filters=PRIVATE),
            CallbackQueryHandler(self.start_from_forward, pattern=exactly(draft.BEHALF)),
        ]

    def name_handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The name step."""
        return [MessageHandler(TYPED, self.take_name)]

    def phone_handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """The villager's phone step."""
        return [
            CallbackQueryHandler(self.skip_phone, pattern=exactly(draft.SKIP_PHONE)),
            MessageHandler(TYPED, self.take_phone),
        ]

    async def offer_forwarded(self, update: Update, context: Context) -> None:
        """A forwarded message: a liaison is asked "代谁登记？", anyone else offered to file it."""
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None or not draft.keep_pending(context, message):
            return
        if not may_file_on_behalf(await people.actor(self.services, context, user)):
            await message.reply_text(filing_texts.FORWARD_OFFER, reply_markup=draft.offer_buttons())
            return
        buttons = [
            [InlineKeyboardButton(texts.BEHALF_BUTTON, callback_data=draft.BEHALF)],
            [InlineKeyboardButton(texts.OWN_BUTTON, callback_data=callbacks.FILE_TICKET)],
            [InlineKeyboardButton(filing_texts.NO_THANKS_BUTTON, callback_data=draft.DROP_OFFER)],
        ]
        await message.reply_text(texts.FORWARD_OFFER, reply_markup=InlineKeyboardMarkup(buttons))

    async def start_command(self, update: Update, context: Context) -> str | int:
        """``/daiban``, with the villager's name after it or asked next."""
        message = update.effective_message
        if message is None or update.effective_user is None:
            return draft.END
        current = await self._start(message, context, update.effective_user)
        if current is None:
            return draft.END
        name = " ".join(context.args or ()).strip()
        if name and len(name) <= NAME_MAX:
            current.villager_name = name
            return await draft.ask_kind(message, context, current)
        return await ask_name(message, context, current)

    async def start_from_forward(self, update: Update, context: Context) -> str | int:
        """替村民登记, under a forwarded message (the role is checked again: data can be forged)."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None or message is None:
            return draft.END
        await query.answer()
        current = await self._start(message, context, query.from_user)
        return draft.END if current is None else await ask_name(message, context, current)

    async def _start(self, message: Message, context: Context, user: User) -> Draft | None:
        actor = await people.actor(self.services, context, user)
        if not may_file_on_behalf(actor):
            refusal = texts.STAFF_USE_DENGJI if actor.role.is_staff else texts.NOT_A_LIAISON
            await message.reply_text(refusal)
            return None
        return draft.start(context, behalf=True, home_village=actor.village_code)

    async def take_name(self, update: Update, context: Context) -> str | None:
        """The villager's name."""
        message = update.effective_message
        if message is None:
            return None
        name = (message.text or "").strip()
        if not name:
            return await ask_name(message, context, draft.load(context))
        if len(name) > NAME_MAX:
            await message.reply_text(texts.NAME_TOO_LONG.format(limit=NAME_MAX))
            return None
        current = draft.load(context)
        current.villager_name = name
        return await draft.ask_kind(message, context, current)

    async def take_phone(self, update: Update, context: Context) -> str | None:
        """The villager's phone, typed by the liaison (who asked for the villager's consent)."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        typed = (message.text or "").strip()
        if typed == filing_texts.SKIP_BUTTON:
            return await draft.ask_story(message, context, current)
        try:
            current.phone = clean_phone(typed, consent=True)
        except IntakeError as error:
            await message.reply_text(error.message)
            return await ask_villager_phone(message, context, current)
        await message.reply_text(texts.VILLAGER_PHONE_SAVED)
        return await draft.ask_story(message, context, current)

    async def skip_phone(self, update: Update, context: Context) -> str | None:
        """跳过: no phone for the villager."""
        query = update.callback_query
        message = draft.private_message(update)
        if query is None or message is None:
            return None
        await query.answer()
        current = draft.load(context)
        current.phone = None
        return await draft.ask_story(message, context, current)
