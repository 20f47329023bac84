"""Villagers filing a ticket: a short guided conversation that survives restarts.

kind → village → the story (text, photos, voice, documents; several messages) → an optional
phone number (only the villager's own, shared with Telegram's contact button) → confirm. The
same conversation carries a liaison filing on a villager's behalf (:mod:`handlers.liaison`) and
staff registering an offline case (:mod:`handlers.offline`), so that while someone is in the
middle of filing, the conversation sees their messages first.

找工作人员 (under answers, candidate lists and the offer made for a voice message) files at once
what the villager asked and the answer he was shown, or the voice message he sent: only his
village is asked, when the township does not know it yet.

Every stray message gets a hint and the step asked again; what it carries is kept in the story
rather than lost. 确认提交 files once: the flow ends with the first tap (a second one finds its
buttons stale), and the ticket's source key is the summary message, so even a tap repeated after
a crash or restart returns the first ticket instead of filing a copy.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from datetime import date
from typing import Any

from telegram import (
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers import callbacks, draft, feedback, formatting, liaison, memory, offline, people
from handlers.callbacks import exactly, starts_with
from handlers.draft import (
    CONFIRM,
    KIND,
    NAME,
    PHONE,
    STORY,
    VILLAGE,
    VILLAGER_PHONE,
    Context,
    Draft,
)
from handlers.keyboards import buttons
from handlers.questions import shorten
from handlers.replies import ask_another
from handlers.services import Services
from handlers.texts import filing as texts
from handlers.texts import offline as offline_texts
from intake import Attachment, AttachmentKind, IntakeError, NewTicket, Outcome, Source, TicketKind
from intake.validation import NAME_MAX, clean_phone
from knowledge.intents import Intent

log = logging.getLogger(__name__)

OTHER_CATEGORY = "其他"
# A ticket is filed under the domain of the entry its story most likely concerns, when the
# understanding step is at least this confident of that entry (whatever kind of message it is).
CATEGORY_CONFIDENCE = 0.3

# New messages in a private chat (edits go to the fallbacks area, which says they are not read).
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
MEDIA = (
    filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
)
STORY_CONTENT = PRIVATE & ((filters.TEXT & ~filters.COMMAND) | MEDIA)
# Anything but a command: commands other than /cancel reach their own areas mid-flow.
NOT_A_COMMAND = PRIVATE & ~filters.COMMAND
TO_STAFF = re.compile(
    f"^({re.escape(callbacks.TO_STAFF)}.*|{re.escape(callbacks.VOICE_TO_STAFF)})$"
)
# Below this much room left, a long text is refused rather than cut to almost nothing.
SHORTENED_MIN = 100
_PHONE_LIKE = re.compile(r"\d[\d\s\-]{5,}\d")


def filing_handlers(services: Services) -> list[BaseHandler[Any, Any, Any]]:
    """The filing conversation, then the offers made outside it.

    Order: the persistent ``filing`` conversation (entry points: the FILE_TICKET and 找工作人员
    buttons, /file, /daiban, the liaison's 替村民登记 button and the staff's /dengji); the offer
    to file a photo, voice message, video or document sent outside the flow; declining that offer;
    presses of filing buttons from a flow that has ended.
    """
    flow = FilingFlow(services)
    return [
        flow.conversation(),
        MessageHandler(PRIVATE & ~filters.FORWARDED & MEDIA, flow.offer_media),
        CallbackQueryHandler(flow.decline_offer, pattern=exactly(draft.DROP_OFFER)),
        CallbackQueryHandler(flow.stale_button, pattern=starts_with(callbacks.FILING)),
    ]


class FilingFlow:
    """The steps of filing, as handler callbacks sharing the services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.on_behalf = liaison.OnBehalf(services)
        self.offline = offline.OfflineIntake(services)

    def conversation(self) -> ConversationHandler[Any]:
        """The persistent ``filing`` conversation."""
        stray: BaseHandler[Any, Any, Any] = MessageHandler(NOT_A_COMMAND, self.stray_message)
        with warnings.catch_warnings():
            # One conversation per villager and chat is what is wanted, so its buttons are
            # tracked per chat, not per message; PTB warns about that choice.
            warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
            return ConversationHandler(
                name="filing",
                persistent=True,
                entry_points=[
                    CallbackQueryHandler(self.start, pattern=exactly(callbacks.FILE_TICKET)),
                    CallbackQueryHandler(self.hand_over, pattern=TO_STAFF),
                    CommandHandler("file", self.start, filters=PRIVATE),
                    *self.on_behalf.entry_points(),
                    *self.offline.entry_points(),
                ],
                states={
                    **{
                        step: [*handlers, stray] for step, handlers in self.offline.states().items()
                    },
                    NAME: [*self.on_behalf.name_handlers(), stray],
                    KIND: [
                        CallbackQueryHandler(
                            self.choose_kind, pattern=starts_with(draft.KIND_DATA)
                        ),
                        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, self.type_kind),
                        stray,
                    ],
                    VILLAGE: [
                        CallbackQueryHandler(
                            self.choose_village, pattern=starts_with(draft.VILLAGE_DATA)
                        ),
                        CallbackQueryHandler(self.turn_page, pattern=starts_with(draft.PAGE_DATA)),
                        MessageHandler(
                            PRIVATE & filters.TEXT & ~filters.COMMAND, self.type_village
                        ),
                        stray,
                    ],
                    VILLAGER_PHONE: [*self.on_behalf.phone_handlers(), stray],
                    STORY: [
                        MessageHandler(STORY_CONTENT, self.add_to_story),
                        CallbackQueryHandler(self.story_done, pattern=exactly(draft.STORY_DONE)),
                        CallbackQueryHandler(self.clear_story, pattern=exactly(draft.STORY_CLEAR)),
                        MessageHandler(NOT_A_COMMAND, self.unsupported),
                    ],
                    PHONE: [
                        MessageHandler(PRIVATE & filters.CONTACT, self.share_phone),
                        MessageHandler(
                            PRIVATE & filters.Text([texts.SKIP_BUTTON]), self.skip_phone
                        ),
                        MessageHandler(PRIVATE & filters.Regex(_PHONE_LIKE), self.typed_phone),
                        stray,
                    ],
                    CONFIRM: [
                        CallbackQueryHandler(self.submit, pattern=exactly(draft.SUBMIT)),
                        CallbackQueryHandler(self.redo, pattern=exactly(draft.REDO)),
                        CallbackQueryHandler(self.abandon, pattern=exactly(draft.ABANDON)),
                        stray,
                    ],
                },
                fallbacks=[
                    CommandHandler("cancel", self.cancel, filters=PRIVATE),
                    CommandHandler(
                        ["file", "daiban", "dengji"], self.still_filing, filters=PRIVATE
                    ),
                    CallbackQueryHandler(self.still_filing, pattern=exactly(callbacks.FILE_TICKET)),
                    CallbackQueryHandler(self.still_filing, pattern=TO_STAFF),
                    CallbackQueryHandler(self.stale_in_flow, pattern=starts_with(callbacks.FILING)),
                ],
            )

    # Starting ---------------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> str | int:
        """Begin with the kind, the story prefilled with what the villager already said.

        The village he is known by (his last ticket's; on the chat page, his QR code's) is
        offered first when he is asked for it.
        """
        message = await _answered(update)
        user = update.effective_user
        if message is None or user is None:
            return draft.END
        home = await self.services.intake.home_village(user.id)
        return await draft.ask_kind(message, context, draft.start(context, home_village=home))

    async def offer_media(self, update: Update, context: Context) -> None:
        """A file sent outside the flow: keep it and offer to file it (once per album)."""
        message = update.effective_message
        if message is None:
            return
        if feedback.awaiting_reason(context):
            # This handler comes before the 回访 conversation, which would otherwise never see
            # a voice message or photo sent as the reason for 不满意.
            await feedback.ask_for_words(message)
            return
        if not draft.keep_pending(context, message):
            return
        if message.voice:
            # The bot cannot listen: say how to ask in words, or pass the voice on as it is.
            offer = draft.offer_buttons(texts.VOICE_BUTTON, callbacks.VOICE_TO_STAFF)
            await message.reply_text(texts.VOICE_OFFER, reply_markup=offer)
        else:
            await message.reply_text(texts.MEDIA_OFFER, reply_markup=draft.offer_buttons())

    async def hand_over(self, update: Update, context: Context) -> str | int | None:
        """找工作人员: file at once the question and the answer shown, or the voice message.

        The ticket goes to the villager's own village when the township knows it; otherwise
        the village is asked first (:meth:`_village_chosen` then files).
        """
        data = _pressed(update)
        message = await _answered(update)
        user = update.effective_user
        if message is None or user is None:
            return draft.END
        voice = data == callbacks.VOICE_TO_STAFF
        current = draft.start(context, question=not voice)
        if voice and not current.attachments:
            # Passed on or dropped already: nothing is left to hand over.
            await message.reply_text(texts.STALE_BUTTON)
            return draft.END
        kind = self._kind(current.text)
        if not voice:
            self._add_answer_shown(current, data.removeprefix(callbacks.TO_STAFF))
        if not current.text.strip() and not current.attachments:
            return await draft.ask_kind(message, context, current)
        current.at_once = True
        current.kind = kind.value
        current.village = await self.services.intake.home_village(user.id)
        if self.services.intake_config.village(current.village or "") is None:
            return await draft.ask_village(message, context, self.services, current)
        return await self._file_at_once(message, context, user, current)

    async def decline_offer(self, update: Update, context: Context) -> None:
        """不用了: forget the held file."""
        message = await _answered(update)
        draft.drop_pending(context)
        if message is not None:
            await _remove_buttons(message)
            await message.reply_text(texts.DROPPED)

    async def stale_button(self, update: Update, context: Context) -> None:
        """A filing button pressed after its flow ended (a double tap, an old message)."""
        query = update.callback_query
        if query is None:
            return
        await query.answer(texts.STALE_BUTTON)
        if isinstance(query.message, Message):
            await _remove_buttons(query.message)

    # The steps ------------------------------------------------------------------------------

    async def choose_kind(self, update: Update, context: Context) -> str | None:
        """A kind button."""
        kind = _pressed(update).removeprefix(draft.KIND_DATA)
        if kind not in set(TicketKind):
            return await self.stale_in_flow(update, context)
        message = await _answered(update)
        if message is None:
            return None
        return await self._kind_chosen(message, context, TicketKind(kind))

    async def type_kind(self, update: Update, context: Context) -> str | None:
        """The kind typed instead of pressed ("投诉"); anything else is kept in the story."""
        message = update.effective_message
        typed = (message.text or "").strip() if message else ""
        kind = next((k for k in TicketKind if k.label == typed), None)
        if message is None or kind is None:
            return await self.stray_message(update, context)
        return await self._kind_chosen(message, context, kind)

    async def _kind_chosen(self, message: Message, context: Context, kind: TicketKind) -> str:
        current = draft.load(context)
        current.kind = kind.value
        return await draft.ask_village(message, context, self.services, current)

    async def turn_page(self, update: Update, context: Context) -> str | None:
        """上一页 / 下一页 of the villages."""
        page = _pressed(update).removeprefix(draft.PAGE_DATA)
        if not page.isdigit():
            return await self.stale_in_flow(update, context)
        message = await _answered(update)
        if message is None:
            return None
        current = draft.load(context)
        return await draft.ask_village(
            message, context, self.services, current, page=int(page), edit=True
        )

    async def choose_village(self, update: Update, context: Context) -> str | int | None:
        """A village button."""
        code = _pressed(update).removeprefix(draft.VILLAGE_DATA)
        if self.services.intake_config.village(code) is None:
            return await self.stale_in_flow(update, context)
        message = await _answered(update)
        if message is None:
            return None
        return await self._village_chosen(update, message, context, code)

    async def type_village(self, update: Update, context: Context) -> str | int | None:
        """The village's name typed instead of pressed; anything else is kept in the story."""
        message = update.effective_message
        typed = (message.text or "").strip() if message else ""
        villages = self.services.intake_config.township.villages
        village = next((v for v in villages if typed in (v.name, v.code)), None)
        if message is None or village is None:
            return await self.stray_message(update, context)
        return await self._village_chosen(update, message, context, village.code)

    async def _village_chosen(
        self, update: Update, message: Message, context: Context, code: str
    ) -> str | int | None:
        current = draft.load(context)
        current.village = code
        if current.at_once and update.effective_user is not None:
            return await self._file_at_once(message, context, update.effective_user, current)
        if current.behalf:
            return await liaison.ask_villager_phone(message, context, current)
        return await draft.ask_story(message, context, current)

    async def add_to_story(self, update: Update, context: Context) -> str | None:
        """A piece of the story: text, a photo, a voice message, a document."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        added, note = self._add(current, message)
        reply = "\n".join(filter(None, (note, texts.STORY_RECEIVED if added else None)))
        await message.reply_text(reply, reply_markup=draft.story_buttons())
        return draft.save(context, current, STORY)

    async def unsupported(self, update: Update, context: Context) -> str | None:
        """A sticker, a location …: nothing to keep."""
        if update.effective_message is not None:
            await update.effective_message.reply_text(texts.STORY_UNSUPPORTED)
        return None

    async def clear_story(self, update: Update, context: Context) -> str | None:
        """清空重说."""
        message = await _answered(update)
        if message is None:
            return None
        current = draft.load(context)
        current.clear_story()
        await message.reply_text(texts.STORY_CLEARED)
        return draft.save(context, current, STORY)

    async def story_done(self, update: Update, context: Context) -> str | None:
        """说完了: on to the phone (a liaison gave the villager's already), or ask for more."""
        message = await _answered(update)
        if message is None:
            return None
        current = draft.load(context)
        if not current.text.strip() and not current.attachments:
            await message.reply_text(texts.STORY_EMPTY)
            return None
        if current.behalf:
            return await draft.ask_confirmation(message, context, self.services, current)
        return await self.ask_phone(message, context, current)

    async def ask_phone(self, message: Message, context: Context, current: Draft) -> str:
        """Offer the contact button (the villager's own number) or 跳过."""
        keyboard = ReplyKeyboardMarkup(
            [
                [KeyboardButton(texts.SHARE_PHONE_BUTTON, request_contact=True)],
                [KeyboardButton(texts.SKIP_BUTTON)],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await message.reply_text(texts.ASK_PHONE, reply_markup=keyboard)
        return draft.save(context, current, PHONE)

    async def share_phone(self, update: Update, context: Context) -> str | None:
        """A shared contact: kept only if it is the villager's own (sharing it is the consent).

        The name on it names him on the ticket (on the chat page, what he typed beside it).
        """
        message = update.effective_message
        user = update.effective_user
        if message is None or message.contact is None or user is None:
            return None
        current = draft.load(context)
        contact = message.contact
        if contact.user_id != user.id:
            return await self._phone_hint(message, context, current, texts.PHONE_NOT_OWN)
        try:
            current.phone = clean_phone(contact.phone_number, consent=True)
        except IntakeError as error:
            return await self._phone_hint(message, context, current, error.message)
        named = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        current.villager_name = named[:NAME_MAX] or None
        await message.reply_text(texts.PHONE_SAVED, reply_markup=ReplyKeyboardRemove())
        return await draft.ask_confirmation(message, context, self.services, current)

    async def skip_phone(self, update: Update, context: Context) -> str | None:
        """跳过: no phone."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        current.phone = None
        await message.reply_text(texts.PHONE_SKIPPED, reply_markup=ReplyKeyboardRemove())
        return await draft.ask_confirmation(message, context, self.services, current)

    async def typed_phone(self, update: Update, context: Context) -> str | None:
        """A typed number is not taken: only the contact button proves it is their own."""
        message = update.effective_message
        if message is None:
            return None
        return await self._phone_hint(message, context, draft.load(context), texts.PHONE_USE_BUTTON)

    async def _phone_hint(
        self, message: Message, context: Context, current: Draft, hint: str
    ) -> str:
        await message.reply_text(hint)
        return await self.ask_phone(message, context, current)

    async def submit(self, update: Update, context: Context) -> str | int | None:
        """确认提交: file the ticket, show it to staff, tell the villager what happens next.

        The draft is dropped only once the villager has their number: if anything fails before,
        the next tap files with the same source key, which returns the same ticket (no copy, no
        second card) and tells them its number.
        """
        message = await _answered(update)
        user = update.effective_user
        if message is None or user is None:
            return None
        current = draft.load(context)
        if current.kind not in set(TicketKind) or current.village is None:
            return await self.ask_again(message, context, current)
        outcome = await self._file(message, context, user, current)
        if outcome is None:
            return None
        await _remove_buttons(message)
        await message.reply_text(self._filed_text(outcome, current))
        memory.forget_filed(context)
        draft.discard(context)
        return draft.END

    async def _file_at_once(
        self, message: Message, context: Context, user: User, current: Draft
    ) -> str | int | None:
        """File a 找工作人员 ticket; what the villager writes next adds to it (handlers.thread).

        The files he sent go into the ticket's thread as well, so that staff hear a voice
        message or see a photo in their group as it is, not only as a count on the card.
        """
        outcome = await self._file(message, context, user, current)
        if outcome is None:
            return None
        actor = await people.actor(self.services, context, user)
        for index, attachment in enumerate(outcome.ticket.attachments):
            try:
                await self.services.intake.add_villager_message(
                    actor.id,
                    outcome.ticket.number,
                    text=None,
                    attachment=attachment,
                    source_key=f"{_source_key(message)}:{index}",
                )
            except IntakeError as error:
                # The file is on the ticket all the same: only its copy in the thread is lost.
                log.warning("ticket %s: file not passed on: %s", outcome.ticket.number, error)
                break
        if current.step == VILLAGE and message.from_user and message.from_user.is_bot:
            await _remove_buttons(message)  # the village buttons, pressed
        number = outcome.ticket.number
        await message.reply_text(
            texts.HANDED_OVER.format(number=number), reply_markup=buttons([ask_another()])
        )
        memory.forget_filed(context)
        draft.discard(context)
        memory.remember_handed_over(context, number)
        return draft.END

    async def _file(
        self, message: Message, context: Context, user: User, current: Draft
    ) -> Outcome | None:
        """File the draft and show it to staff; ``None`` (and why, said) if refused."""
        actor = await people.actor(self.services, context, user)
        try:
            outcome = await self.services.intake.file_ticket(
                actor.id, self._new_ticket(context, current, message)
            )
        except IntakeError as error:
            await message.reply_text(error.message)
            return None
        return outcome

    async def redo(self, update: Update, context: Context) -> str | None:
        """重新填写: choose again from the kind on; the story stays."""
        message = await _answered(update)
        if message is None:
            return None
        await _remove_buttons(message)
        current = draft.load(context)
        current.kind = current.village = current.phone = None
        await message.reply_text(texts.REDO)
        return await draft.ask_kind(message, context, current)

    async def abandon(self, update: Update, context: Context) -> int:
        """取消 on the summary."""
        message = await _answered(update)
        if message is not None:
            await _remove_buttons(message)
        return await self.cancel(update, context)

    # Leaving and stray input ------------------------------------------------------------------

    async def cancel(self, update: Update, context: Context) -> int:
        """/cancel at any step: nothing is filed."""
        draft.discard(context)
        draft.drop_pending(context)
        chat = update.effective_chat
        if chat is not None:
            await context.bot.send_message(
                chat.id, texts.CANCELLED, reply_markup=ReplyKeyboardRemove()
            )
        return draft.END

    async def still_filing(self, update: Update, context: Context) -> str | None:
        """/file, /daiban or a 登记 button while already filing: carry on where we were."""
        message = await _answered(update)
        if message is None:
            return None
        await message.reply_text(texts.STILL_FILING)
        return await self.ask_again(message, context, draft.load(context))

    async def stale_in_flow(self, update: Update, context: Context) -> str | None:
        """A button of another step, forged or old: say so and ask the current step again."""
        query = update.callback_query
        if query is not None:
            await query.answer(texts.STALE_BUTTON)
        message = draft.private_message(update)
        if message is None:
            return None
        return await self.ask_again(message, context, draft.load(context))

    async def stray_message(self, update: Update, context: Context) -> str | None:
        """A message the step did not ask for: keep what it says in the story, ask again."""
        message = update.effective_message
        if message is None:
            return None
        current = draft.load(context)
        _added, note = self._add(current, message)
        await message.reply_text(note or texts.PRESS_A_BUTTON)
        return await self.ask_again(message, context, current)

    async def ask_again(self, message: Message, context: Context, current: Draft) -> str:
        """Ask the question of the step the villager is at."""
        services = self.services
        if current.step in offline.STEPS:
            return await offline.ask_step(message, context, current)
        if current.step == NAME:
            return await liaison.ask_name(message, context, current)
        if current.step == VILLAGE:
            return await draft.ask_village(message, context, services, current)
        if current.step == VILLAGER_PHONE:
            return await liaison.ask_villager_phone(message, context, current)
        if current.step == STORY:
            return await draft.ask_story(message, context, current)
        if current.step == PHONE:
            return await self.ask_phone(message, context, current)
        if current.step == CONFIRM:
            return await draft.ask_confirmation(message, context, services, current)
        return await draft.ask_kind(message, context, current)

    # Helpers ----------------------------------------------------------------------------------

    def _add(self, current: Draft, message: Message) -> tuple[bool, str | None]:
        """Add what the message carries to the story.

        Returns:
            Whether anything was added, and what to tell the villager about it (a text too
            long for what room is left is kept by its beginning and end, as questions are).

        """
        config = self.services.intake_config
        text = message.text or message.caption
        attachment = draft.attachment_of(message)
        if not text and attachment is None:
            return False, texts.STORY_UNSUPPORTED
        if attachment is not None and len(current.attachments) >= config.max_attachments:
            return False, texts.STORY_TOO_MANY_FILES.format(limit=config.max_attachments)
        note = None
        if text:
            room = config.max_text_chars - len(current.text) - (1 if current.text else 0)
            if len(text) > room and room < SHORTENED_MIN:
                return False, texts.STORY_FULL.format(limit=config.max_text_chars)
            if len(text) > room:
                text, note = shorten(text, room), texts.STORY_SHORTENED
            current.add_text(text)
        if attachment is not None:
            current.attachments.append([attachment[0].value, attachment[1]])
        return True, note

    def _new_ticket(self, context: Context, current: Draft, message: Message) -> NewTicket:
        text = draft.story_text(current)
        if current.source in set(Source):
            source = Source(current.source)
        else:
            source = Source.LIAISON if current.behalf else Source.VILLAGER
        day = current.reception_day
        return NewTicket(
            # The summary message: a second tap on it returns the ticket the first one filed.
            source_key=_source_key(message),
            kind=TicketKind(current.kind or ""),
            category=self._category(text),
            text=text,
            village_code=current.village or "",
            source=source,
            villager_name=current.villager_name,
            attachments=tuple(
                Attachment(AttachmentKind(kind), file_id)
                for kind, file_id in current.attachments
                if kind in set(AttachmentKind)
            ),
            faq_shown=memory.shown_entries(context),
            contact_phone=current.phone,
            contact_consent=current.phone is not None,
            reception_leader=current.leader,
            reception_date=date.fromisoformat(day) if day else None,
            patrol_place=current.place,
        )

    def _kind(self, question: str) -> TicketKind:
        """求助 for a message that asks for action, else 咨询 (staff may change it)."""
        asks_for_action = (
            bool(question.strip())
            and self.services.faq.understand(question).kind is Intent.ACTION_REQUEST
        )
        return TicketKind.REQUEST if asks_for_action else TicketKind.CONSULTATION

    def _add_answer_shown(self, current: Draft, entry_id: str) -> None:
        """Add the answer the villager was shown, keeping the whole within the text limit."""
        base = self.services.faq.base
        if entry_id not in base:
            return
        entry = base.entry(entry_id)
        answer = base.contacts.fill(entry.answer.strip())
        shown = texts.ANSWER_SHOWN.format(question=entry.question, answer=answer)
        room = self.services.intake_config.max_text_chars - len(shown) - 2
        if len(current.text) > room:
            current.text = shorten(current.text, max(room, 0))
        current.text = f"{current.text}\n\n{shown}" if current.text else shown

    def _category(self, text: str) -> str:
        """The FAQ domain the story is most likely about, or 其他 when it cannot be told."""
        result = self.services.faq.understand(text)
        if result.best is None or result.best.score < CATEGORY_CONFIDENCE:
            return OTHER_CATEGORY
        domain = self.services.faq.base.entry(result.best.id).domain
        return domain if domain in self.services.intake_config.categories else OTHER_CATEGORY

    def _filed_text(self, outcome: Outcome, current: Draft) -> str:
        ticket = outcome.ticket
        deadlines = self.services.intake_config.deadlines
        values = {
            "number": ticket.number,
            "accept_days": deadlines.acceptance.days,
            "accept_date": formatting.due_date_text(self.services, ticket.accept_due_at),
            "handle_days": deadlines.handling.days,
        }
        if current.source in set(Source):
            channel = Source(current.source).label
            return offline_texts.FILED.format(channel=channel, name=current.villager_name, **values)
        if current.behalf:
            return texts.FILED_BEHALF.format(name=current.villager_name, **values)
        return texts.FILED.format(**values)


def _source_key(message: Message) -> str:
    """The source key of a ticket filed from this message."""
    return f"tg:{message.chat.id}:{message.message_id}"


def _pressed(update: Update) -> str:
    """The callback data of a press ("" if none)."""
    query = update.callback_query
    return (query.data or "") if query is not None else ""


async def _answered(update: Update) -> Message | None:
    """Answer a button press (Telegram shows a spinner until then) and return its message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    return draft.private_message(update)


async def _remove_buttons(message: Message) -> None:
    """Take the buttons off a message that has been acted on, so it cannot be pressed again."""
    # Already without buttons, or too old to edit: nothing can be pressed either way.
    with contextlib.suppress(BadRequest):
        await message.edit_reply_markup(reply_markup=None)
