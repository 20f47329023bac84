"""The ticket being filed: what was collected so far, and the steps villagers and liaisons share.

The draft lives in persisted ``user_data`` as plain JSON, so a filing interrupted by a restart
resumes where it was. Both :mod:`handlers.filing` (villagers) and :mod:`handlers.liaison` (filing
on a villager's behalf) walk it through the same steps — kind → village → story → confirm — with
a phone step of their own (the villager's contact button; the number the liaison types).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes, ConversationHandler

from handlers import callbacks, memory
from handlers.services import Services
from handlers.texts import filing as texts
from handlers.texts import offline as offline_texts
from intake import AttachmentKind, Source, TicketKind

Context = ContextTypes.DEFAULT_TYPE

# Conversation states: plain strings, because they are stored as JSON and compared as dict keys.
END = ConversationHandler.END
NAME = "name"
KIND = "kind"
VILLAGE = "village"
VILLAGER_PHONE = "villager_phone"
STORY = "story"
PHONE = "phone"
CONFIRM = "confirm"
CHANNEL = "channel"
LEADER = "leader"
RECEPTION_DAY = "reception_day"
PLACE = "place"

# Callback data inside the flow (all under callbacks.FILING).
KIND_DATA = callbacks.FILING + "k:"  # + TicketKind value
VILLAGE_DATA = callbacks.FILING + "v:"  # + village code
PAGE_DATA = callbacks.FILING + "p:"  # + page number
STORY_DONE = callbacks.FILING + "done"
STORY_CLEAR = callbacks.FILING + "clear"
SKIP_PHONE = callbacks.FILING + "skip"
SUBMIT = callbacks.FILING + "ok"
REDO = callbacks.FILING + "redo"
ABANDON = callbacks.FILING + "no"
DROP_OFFER = callbacks.FILING + "drop"
BEHALF = callbacks.FILING + "behalf"
CHANNEL_DATA = callbacks.FILING + "c:"  # + Source value
RECEPTION_TODAY = callbacks.FILING + "today"

VILLAGES_PER_PAGE = 8

_DRAFT = "filing"
_PENDING = "filing_pending"


@dataclass
class Draft:
    """A ticket in the making.

    Attributes:
        step: The step the villager is at, to ask again after a stray message.
        kind: The chosen :class:`~intake.TicketKind` value.
        village: The chosen village code.
        text: The story so far.
        attachments: ``[kind, file_id]`` pairs, in the order they came.
        phone: A contact number shared with consent.
        behalf: Whether a liaison files it for a villager.
        villager_name: That villager's name (his own, on the contact he shared, when he files).
        home_village: A village code to offer first (the liaison's own, the villager's known one).
        source: How an offline case arrived (a :class:`~intake.Source` value), when staff
            register it; ``None`` for a villager's or a liaison's filing.
        leader: The leader who received the villager (镇领导接访).
        reception_day: The day of that reception, ``YYYY-MM-DD``.
        place: Where the grid worker found the matter (网格排查).
        at_once: Filed by 找工作人员: as soon as the village is known, with no other step.

    """

    step: str = KIND
    kind: str | None = None
    village: str | None = None
    text: str = ""
    attachments: list[list[str]] = field(default_factory=list)
    phone: str | None = None
    behalf: bool = False
    villager_name: str | None = None
    home_village: str | None = None
    source: str | None = None
    leader: str | None = None
    reception_day: str | None = None
    place: str | None = None
    at_once: bool = False

    def add_text(self, text: str) -> None:
        """Append a piece of the story."""
        self.text = f"{self.text}\n{text}" if self.text else text

    def clear_story(self) -> None:
        """Forget what was said, to start the story again."""
        self.text = ""
        self.attachments = []


def load(context: Context) -> Draft:
    """The draft of this user (a fresh one if none is stored or it is unreadable)."""
    stored = user_data(context).get(_DRAFT)
    if isinstance(stored, dict):
        try:
            return Draft(**stored)
        except TypeError:
            pass
    return Draft()


def save(context: Context, draft: Draft, step: str) -> str:
    """Store the draft at ``step`` and return the step, as the conversation's next state."""
    draft.step = step
    user_data(context)[_DRAFT] = asdict(draft)
    return step


def in_progress(context: Context) -> bool:
    """Whether this user is in the middle of filing (a draft is stored)."""
    return _DRAFT in user_data(context)


def discard(context: Context) -> None:
    """Forget the draft (filed or cancelled)."""
    user_data(context).pop(_DRAFT, None)


def start(
    context: Context,
    *,
    behalf: bool = False,
    home_village: str | None = None,
    question: bool = True,
) -> Draft:
    """A new draft, starting the story with what the user already said or sent.

    A villager's draft starts with their last question (unless ``question`` is false: a voice
    message passed on alone); both start with anything they sent before choosing to file (a
    photo, a forwarded message).
    """
    draft = Draft(behalf=behalf, home_village=home_village)
    if question and not behalf:
        draft.add_text(memory.last_question(context) or "")
    pending = user_data(context).pop(_PENDING, None)
    if isinstance(pending, dict):
        draft.add_text(str(pending.get("text") or ""))
        draft.attachments = [list(map(str, pair)) for pair in pending.get("attachments", [])]
    return draft


def keep_pending(context: Context, message: Message) -> bool:
    """Hold what a message carries until the user decides whether to file it.

    Returns:
        Whether this is the first message of its album (only then is filing offered).

    """
    pending = user_data(context).setdefault(_PENDING, {"text": "", "attachments": []})
    text = message.text or message.caption
    if text:
        pending["text"] = f"{pending['text']}\n{text}" if pending["text"] else text
    attachment = attachment_of(message)
    if attachment is not None:
        pending["attachments"].append([attachment[0].value, attachment[1]])
    album = message.media_group_id
    first_of_album = album is None or pending.get("album") != album
    pending["album"] = album
    return first_of_album


def drop_pending(context: Context) -> None:
    """Forget what was held for an offer the user declined."""
    user_data(context).pop(_PENDING, None)


def attachment_of(message: Message) -> tuple[AttachmentKind, str] | None:
    """The file a message carries, as a ticket attachment, if it carries one we keep."""
    if message.photo:
        return AttachmentKind.PHOTO, message.photo[-1].file_id  # the largest size
    if message.voice:
        return AttachmentKind.VOICE, message.voice.file_id
    if message.audio:
        return AttachmentKind.VOICE, message.audio.file_id
    if message.video:
        return AttachmentKind.VIDEO, message.video.file_id
    if message.video_note:
        return AttachmentKind.VIDEO, message.video_note.file_id
    if message.document:
        return AttachmentKind.DOCUMENT, message.document.file_id
    return None


def describe_attachments(attachments: list[list[str]]) -> str:
    """The attachments in words, e.g. "照片2个、语音1个"."""
    counts: dict[AttachmentKind, int] = {}
    for kind, _file_id in attachments:
        try:
            counted = AttachmentKind(kind)
        except ValueError:
            continue
        counts[counted] = counts.get(counted, 0) + 1
    return "、".join(
        texts.ATTACHMENT_COUNT.format(label=kind.label, count=count)
        for kind, count in counts.items()
    )


def story_text(current: Draft) -> str:
    """The text to file: the story, or a pointer to the attachments when only files were sent."""
    if current.text.strip():
        return current.text
    return texts.ATTACHMENTS_ONLY.format(attachments=describe_attachments(current.attachments))


# The prompts of the shared steps ---------------------------------------------------------------


async def ask_kind(message: Message, context: Context, current: Draft) -> str:
    """Ask what kind of matter it is."""
    hints = "\n".join(f"· {hint}" for hint in texts.KIND_HINTS.values())
    rows = [
        [InlineKeyboardButton(kind.label, callback_data=KIND_DATA + kind.value)]
        for kind in TicketKind
    ]
    await message.reply_text(f"{texts.ASK_KIND}\n{hints}", reply_markup=InlineKeyboardMarkup(rows))
    return save(context, current, KIND)


async def ask_village(
    message: Message,
    context: Context,
    services: Services,
    current: Draft,
    *,
    page: int = 0,
    edit: bool = False,
) -> str:
    """Ask which village, one page of buttons at a time (the filer's own village first).

    Args:
        message: Where to ask (or the message to edit, when turning a page).
        context: The handler context.
        services: For the list of villages.
        current: The draft.
        page: Which page of villages to show.
        edit: Turn the page of ``message`` instead of sending a new one.

    """
    villages = services.intake_config.township.villages
    pages = max(1, -(-len(villages) // VILLAGES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = villages[page * VILLAGES_PER_PAGE : (page + 1) * VILLAGES_PER_PAGE]
    buttons = [InlineKeyboardButton(v.name, callback_data=VILLAGE_DATA + v.code) for v in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    own = services.intake_config.village(current.home_village) if current.home_village else None
    if own is not None:
        label = texts.OWN_VILLAGE.format(name=own.name)
        rows.insert(0, [InlineKeyboardButton(label, callback_data=VILLAGE_DATA + own.code)])
    turn = []
    if page > 0:
        turn.append(
            InlineKeyboardButton(texts.PREVIOUS_PAGE, callback_data=f"{PAGE_DATA}{page - 1}")
        )
    if page < pages - 1:
        turn.append(InlineKeyboardButton(texts.NEXT_PAGE, callback_data=f"{PAGE_DATA}{page + 1}"))
    if turn:
        rows.append(turn)
    markup = InlineKeyboardMarkup(rows)
    if edit:
        await message.edit_reply_markup(reply_markup=markup)
    else:
        prompt = texts.ASK_VILLAGE_AT_ONCE if current.at_once else texts.ASK_VILLAGE
        await message.reply_text(prompt, reply_markup=markup)
    return save(context, current, VILLAGE)


def channel_summary(current: Draft) -> str:
    """The lines of the summary that say how an offline case arrived ("" for other filings)."""
    if current.source not in set(Source):
        return ""
    source = Source(current.source)
    lines = offline_texts.SUMMARY_CHANNEL.format(channel=source.label)
    if source is Source.RECEPTION:
        lines += offline_texts.SUMMARY_RECEPTION.format(
            leader=current.leader, day=current.reception_day
        )
    if source is Source.GRID_PATROL:
        lines += offline_texts.SUMMARY_PLACE.format(place=current.place)
    return lines


def offer_buttons(
    label: str = texts.FILE_BUTTON, action: str = callbacks.FILE_TICKET
) -> InlineKeyboardMarkup:
    """登记问题 (or another way to file) / 不用了, under an offer to file something sent."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=action)],
            [InlineKeyboardButton(texts.NO_THANKS_BUTTON, callback_data=DROP_OFFER)],
        ]
    )


def story_buttons() -> InlineKeyboardMarkup:
    """The buttons under every acknowledgement of the story: finished, or start again."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.STORY_DONE_BUTTON, callback_data=STORY_DONE)],
            [InlineKeyboardButton(texts.STORY_CLEAR_BUTTON, callback_data=STORY_CLEAR)],
        ]
    )


async def ask_story(message: Message, context: Context, current: Draft) -> str:
    """Ask for the story, showing what is already in it."""
    parts = [texts.ASK_STORY]
    if current.text:
        parts.append(texts.STORY_PREFILLED.format(text=current.text))
    if current.attachments:
        attachments = describe_attachments(current.attachments)
        parts.append(texts.STORY_ATTACHMENTS_PREFILLED.format(attachments=attachments))
    buttons = story_buttons() if current.text or current.attachments else None
    await message.reply_text("\n\n".join(parts), reply_markup=buttons)
    return save(context, current, STORY)


async def ask_confirmation(
    message: Message, context: Context, services: Services, current: Draft
) -> str:
    """Show the summary with 确认提交 / 重新填写 / 取消."""
    village = services.intake_config.village(current.village or "")
    kind = TicketKind(current.kind) if current.kind in set(TicketKind) else None
    name, phone = current.villager_name, current.phone
    behalf = texts.SUMMARY_BEHALF.format(name=name) if current.behalf and name else ""
    summary = texts.SUMMARY.format(
        kind=kind.label if kind else "",
        village=village.name if village else "",
        behalf=channel_summary(current) + behalf,
        phone=texts.SUMMARY_PHONE.format(tail=phone[-4:]) if phone else texts.SUMMARY_NO_PHONE,
        attachments=describe_attachments(current.attachments) or texts.SUMMARY_NO_ATTACHMENTS,
        text=story_text(current),
    )
    rows = [
        [InlineKeyboardButton(texts.CONFIRM_BUTTON, callback_data=SUBMIT)],
        [InlineKeyboardButton(texts.REDO_BUTTON, callback_data=REDO)],
        [InlineKeyboardButton(texts.ABANDON_BUTTON, callback_data=ABANDON)],
    ]
    await message.reply_text(summary, reply_markup=InlineKeyboardMarkup(rows))
    return save(context, current, CONFIRM)


def private_message(update: Update) -> Message | None:
    """The message of a private-chat update (a button's message, for a press)."""
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE:
        return None
    if update.callback_query is not None:
        message = update.callback_query.message
        return message if isinstance(message, Message) else None
    return update.effective_message


def user_data(context: Context) -> dict[str, Any]:
    """The user's persisted data (every update these areas handle comes from a user)."""
    data = context.user_data
    if data is None:
        raise RuntimeError("user_data is only available for updates from a user")
    return data
