"""回访: once a ticket is answered and staff ask for feedback, the villager rates how it went.

满意 and 基本满意 close the ticket; 不满意 asks why (a short persistent conversation named
``feedback``) and reopens it, which puts it back in front of staff. For a ticket a liaison filed,
the buttons go to the liaison, who asks the villager and answers for them.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers import callbacks, draft, people
from handlers.acknowledgements import acknowledged_first
from handlers.callbacks import starts_with
from handlers.draft import Context
from handlers.feedback_prompts import parse_press, rating_buttons
from handlers.pufa import subscribe_offer
from handlers.services import Services
from handlers.texts import feedback as texts
from handlers.texts import filing as filing_texts
from intake import ErrorCode, IntakeError, Rating
from intake.rules import Action, check

REASON = "reason"
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

_RATING_TICKET = "feedback_ticket"
# A reason that cannot be recorded as typed: ask again rather than leave.
_RETRY_CODES = frozenset({ErrorCode.EMPTY_TEXT, ErrorCode.TEXT_TOO_LONG})


def feedback_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The persistent ``feedback`` conversation: a 回访 button, then the reason for 不满意."""
    return [FeedbackFlow(services).conversation()]


class FeedbackFlow:
    """Recording 回访 ratings, as handler callbacks sharing the services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def conversation(self) -> ConversationHandler[Any]:
        """The persistent ``feedback`` conversation."""
        rate: BaseHandler[Any, Any, Any] = CallbackQueryHandler(
            self.rate, pattern=starts_with(callbacks.FEEDBACK)
        )
        with warnings.catch_warnings():
            # Tracked per villager and chat, not per message, on purpose; PTB warns about it.
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            return ConversationHandler(
                name="feedback",
                persistent=True,
                entry_points=[rate],
                states={
                    REASON: [
                        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, self.reason),
                        MessageHandler(PRIVATE & ~filters.COMMAND, self.text_only),
                    ]
                },
                # Pressing another rating while asked for a reason: that rating counts instead.
                fallbacks=[CommandHandler("cancel", self.cancel, filters=PRIVATE), rate],
            )

    async def rate(self, update: Update, context: Context) -> str | int:
        """A 回访 button: record 满意 / 基本满意 at once, ask why for 不满意."""
        query = update.callback_query
        press = parse_press(query.data if query else None)
        message = draft.private_message(update)
        # Whatever this press leads to, it replaces an earlier 不满意 still waiting for a reason.
        draft.user_data(context).pop(_RATING_TICKET, None)
        if query is None or press is None or message is None:
            if query is not None:
                await query.answer(filing_texts.STALE_BUTTON)
            return draft.END
        actor = await people.actor(self.services, context, query.from_user)
        rating = press.rating

        async def acknowledge(*_: object) -> None:
            await query.answer()
            await _show_choice(message, rating)

        try:
            if rating is Rating.DISSATISFIED:
                # Checked now, so nobody is asked for a reason that could not be recorded.
                ticket = await self.services.intake.get_ticket(actor.id, press.number)
                check(Action.RECORD_FEEDBACK, actor, ticket)
                outcome = None
            else:
                # The villager sees the choice taken before staff are told of it.
                with acknowledged_first(acknowledge):
                    outcome = await self.services.intake.record_feedback(
                        actor.id, press.number, rating
                    )
        except IntakeError as error:
            await query.answer(error.message, show_alert=True)
            return draft.END
        if outcome is None:
            await acknowledge()
            draft.user_data(context)[_RATING_TICKET] = press.number
            await message.reply_text(texts.ASK_REASON)
            return REASON
        await message.reply_text(
            texts.THANKS.format(rating=press.rating.label, number=press.number),
            reply_markup=await subscribe_offer(self.services, message.chat.id),
        )
        return draft.END

    async def reason(self, update: Update, context: Context) -> str | int | None:
        """Why the villager is not satisfied: recorded, and the ticket reopens."""
        message = update.effective_message
        user = update.effective_user
        number = draft.user_data(context).get(_RATING_TICKET)
        if message is None or user is None or not isinstance(number, str):
            return draft.END
        actor = await people.actor(self.services, context, user)
        try:
            await self.services.intake.record_feedback(
                actor.id, number, Rating.DISSATISFIED, reason=message.text
            )
        except IntakeError as error:
            await message.reply_text(error.message)
            if error.code in _RETRY_CODES:
                return None
            draft.user_data(context).pop(_RATING_TICKET, None)
            return draft.END
        draft.user_data(context).pop(_RATING_TICKET, None)
        await message.reply_text(texts.REOPENED.format(number=number))
        return draft.END

    async def text_only(self, update: Update, context: Context) -> None:
        """A sticker or location as the reason: ask for a few typed words."""
        if update.effective_message is not None:
            await ask_for_words(update.effective_message)

    async def cancel(self, update: Update, context: Context) -> int:
        """/cancel: no rating now; the buttons come back so it can be given later."""
        number = draft.user_data(context).pop(_RATING_TICKET, None)
        message = update.effective_message
        if message is not None:
            buttons = rating_buttons(number) if isinstance(number, str) else None
            await message.reply_text(texts.CANCELLED, reply_markup=buttons)
        return draft.END


def awaiting_reason(context: Context) -> bool:
    """Whether this user was asked why they are not satisfied and has not answered yet."""
    return isinstance(draft.user_data(context).get(_RATING_TICKET), str)


async def ask_for_words(message: Message) -> None:
    """The reason for 不满意 must be typed: staff read it in the ticket, and can act on it."""
    await message.reply_text(texts.REASON_TEXT_ONLY)


async def _show_choice(message: Message, rating: Rating) -> None:
    """Replace the buttons by the choice made, so the same question is not answered twice."""
    await message.edit_text(
        f"{message.text or ''}\n\n{texts.RATED.format(rating=rating.label)}", reply_markup=None
    )
