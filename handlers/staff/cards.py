"""How a ticket looks to staff: the card with its buttons, one-line summaries and the history.

Everything here renders Telegram HTML; every value that comes from people is escaped.
The buttons only offer what the ticket's state and shape allow (:func:`intake.actions.offered`);
who may press them is decided by intake when the action runs. Every action of the catalogue
(:data:`intake.actions.CATALOGUE`) has a press of the same code, reachable from the card's
「更多」 menu; the card's first buttons are shortcuts to the commonest ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers import callbacks
from handlers.formatting import (
    TICKET_NUMBER,
    days_left_text,
    due_date_text,
    escape,
    person_name,
    village_name,
)
from handlers.services import Services
from handlers.texts import staff as texts
from handlers.texts import thread as thread_texts
from intake import DeadlineAlert, EventView, IntakeError, Level, TicketView, Visibility
from intake.actions import offered
from intake.deadlines import open_deadlines
from intake.enums import LEVELS, Rating, TicketState
from intake.privacy import mask_digits, mask_numbers
from intake.rules import FROM_STATES, Action
from intake.states import OPEN_STATES

CARD_TEXT_MAX = 800


class Press(StrEnum):
    """What a staff button asks for; the callback data is ``s:<press>:<key>[:<arg>]``.

    The presses named like an action of :data:`intake.actions.CATALOGUE` take that action.
    """

    ACCEPT = "accept"
    CLAIM = "claim"
    ASSIGN = "assign"
    REPLY = "reply"
    ESCALATE = "escalate"
    DEESCALATE = "deescalate"
    REROUTE = "reroute"
    RETURN = "return"
    EXTEND = "extend"
    NOTE = "note"
    REQUEST_FEEDBACK = "request_feedback"
    RECORD_FEEDBACK = "record_feedback"  # a 回访 made by phone: first the rating menu
    CLOSE = "close"
    REJECT = "reject"
    REQUEST_MORE = "request_more"  # ask the villager for more (补充材料)
    MESSAGE = "message"  # write to the villager in the ticket's thread
    DISPATCH = "dispatch"
    MORE = "more"  # the menu of every action the ticket offers
    SHOW = "show"  # send the card as a new message
    BACK = "back"  # redraw the card in place, e.g. leaving a menu
    RATING = "rating"  # + rating code: the villager's rating given by phone
    VILLAGE = "village"  # + village code
    LEVEL = "level"  # + level code
    UNIT = "unit"  # + unit name: the lead unit of 部门联动
    SEND = "send"  # key: the id of the staff message holding a public reply to confirm
    DROP = "drop"
    THREAD = "thread"  # show the ticket's thread
    INTERNAL = "internal"  # write an internal message in the thread


@dataclass(frozen=True)
class PressData:
    """Parsed staff callback data; ``key`` is a ticket number except for SEND and DROP."""

    press: Press
    key: str
    arg: str | None


def press_data(press: Press, key: str, arg: str | None = None) -> str:
    """The callback data of a staff button."""
    return f"{callbacks.STAFF}{press}:{key}" + ("" if arg is None else f":{arg}")


def parse_press(data: str | None) -> PressData | None:
    """Read staff callback data; ``None`` if it is malformed (forged or from an old version)."""
    if data is None or not data.startswith(callbacks.STAFF):
        return None
    parts = data.removeprefix(callbacks.STAFF).split(":", 2)
    if len(parts) < 2 or parts[0] not in Press.__members__.values():
        return None
    press, key = Press(parts[0]), parts[1]
    arg = parts[2] if len(parts) == 3 else None
    valid_key = key.isdigit() if press in (Press.SEND, Press.DROP) else TICKET_NUMBER.fullmatch(key)
    return PressData(press, key, arg) if valid_key else None


# The card ---------------------------------------------------------------------------------------


def group_view(ticket: TicketView) -> TicketView:
    """The ticket as a group may see it: ID and phone numbers masked down to their last 4 digits.

    A story often carries a 身份证号 or a phone number; everyone in the staff group sees its card,
    while only the ticket's holder needs the numbers (and the console shows them in full).
    """
    phone = ticket.contact_phone
    return replace(
        ticket,
        text=mask_numbers(ticket.text),
        contact_phone=mask_digits(phone) if phone else phone,
    )


async def view_for_chat(services: Services, chat_id: int, ticket: TicketView) -> TicketView:
    """The ticket in full in its holder's private chat, as :func:`group_view` anywhere else."""
    if ticket.assignee_id is not None and chat_id > 0:
        try:
            holder = await services.intake.get_user(ticket.assignee_id)
        except IntakeError:
            return group_view(ticket)
        if holder.telegram_id == chat_id:
            return ticket
    return group_view(ticket)


async def card_text(services: Services, ticket: TicketView, *, heading: str | None = None) -> str:
    """The card: what staff need to decide, in a dozen short lines."""
    config = services.intake_config
    grid = config.grid(ticket.grid_code)
    lines = [texts.CARD_TITLE.format(number=ticket.number, state=ticket.state.label)]
    if heading:
        lines.append(heading)
    lines += [
        texts.CARD_KIND.format(kind=ticket.kind.label, category=escape(ticket.category)),
        texts.CARD_PLACE.format(
            village=escape(village_name(services, ticket.village_code)),
            grid=escape(grid.name if grid is not None else ticket.grid_code),
            level=ticket.level.label,
        ),
        texts.CARD_SOURCE.format(
            source=ticket.source.label, villager=escape(ticket.villager_name or texts.NOBODY)
        ),
    ]
    if ticket.reception_leader and ticket.reception_date:
        day = ticket.reception_date.isoformat()
        lines.append(texts.CARD_RECEPTION.format(leader=escape(ticket.reception_leader), day=day))
    if ticket.patrol_place:
        lines.append(texts.CARD_PATROL.format(place=escape(ticket.patrol_place)))
    if ticket.assignee_id is not None:
        assignee = await person_name(services, ticket.assignee_id)
        lines.append(texts.CARD_ASSIGNEE.format(assignee=escape(assignee)))
    if ticket.level is Level.DEPARTMENT and ticket.lead_unit:
        co = "、".join(ticket.co_units) or texts.NOBODY
        lines.append(texts.CARD_UNITS.format(lead=escape(ticket.lead_unit), co=escape(co)))
    lines += _deadline_lines(services, ticket)
    if ticket.contact_consent and ticket.contact_phone:
        lines.append(texts.CARD_PHONE.format(phone=escape(ticket.contact_phone)))
    if ticket.attachments:
        counts = Counter(attachment.kind for attachment in ticket.attachments)
        items = "、".join(f"{kind.label} {count}" for kind, count in counts.items())
        lines.append(texts.CARD_ATTACHMENTS.format(items=items))
    lines += _faq_lines(services, ticket.faq_shown)
    lines += ["", texts.CARD_TEXT, _ticket_text(ticket)]
    return "\n".join(lines)


def _deadline_lines(services: Services, ticket: TicketView) -> list[str]:
    running = open_deadlines(ticket)
    if running:
        return [
            texts.CARD_DEADLINE.format(
                deadline=kind.label,
                date=due_date_text(services, due),
                left=days_left_text(services, due),
            )
            for kind, due in running
        ]
    if ticket.state is TicketState.AWAITING_FEEDBACK and ticket.feedback_due_at is not None:
        due = ticket.feedback_due_at
        return [
            texts.CARD_FEEDBACK_DUE.format(
                date=due_date_text(services, due), left=days_left_text(services, due)
            )
        ]
    return [texts.CARD_NO_DEADLINE]


def _faq_lines(services: Services, shown: Iterable[str]) -> list[str]:
    base = services.faq.base
    questions = [base.entry(entry_id).question for entry_id in shown if entry_id in base]
    if not questions:
        return [texts.CARD_FAQ_NONE]
    return [texts.CARD_FAQ_SHOWN] + [texts.CARD_FAQ_LINE.format(question=q) for q in questions]


def _ticket_text(ticket: TicketView) -> str:
    if len(ticket.text) <= CARD_TEXT_MAX:
        return escape(ticket.text)
    cut = texts.CARD_TEXT_CUT.format(total=len(ticket.text), number=ticket.number)
    return escape(ticket.text[:CARD_TEXT_MAX]) + cut


# Buttons ----------------------------------------------------------------------------------------


def _button(label: str, press: Press, number: str, arg: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press_data(press, number, arg))


def _allows(ticket: TicketView, *actions: Action) -> bool:
    return any(ticket.state in FROM_STATES[action] for action in actions)


def card_keyboard(ticket: TicketView) -> InlineKeyboardMarkup | None:
    """The card's buttons for what the ticket's state allows; none once it is finished."""
    number = ticket.number
    first: list[InlineKeyboardButton] = []
    second: list[InlineKeyboardButton] = []
    if _allows(ticket, Action.ACCEPT):
        first.append(_button(texts.BUTTON_ACCEPT, Press.ACCEPT, number))
    if _allows(ticket, Action.REPLY):
        first.append(_button(texts.BUTTON_REPLY, Press.REPLY, number))
    if _allows(ticket, Action.CLAIM, Action.REROUTE):
        first.append(_button(texts.BUTTON_DISPATCH, Press.DISPATCH, number))
    if _allows(ticket, Action.ESCALATE) and ticket.level is not Level.DEPARTMENT:
        first.append(_button(texts.BUTTON_ESCALATE, Press.ESCALATE, number))
    if _allows(ticket, Action.REQUEST_FEEDBACK):
        second.append(_button(texts.BUTTON_CLOSE, Press.REQUEST_FEEDBACK, number))
    else:
        if _allows(ticket, Action.RECORD_FEEDBACK):
            second.append(_button(texts.BUTTON_PHONE_FEEDBACK, Press.RECORD_FEEDBACK, number))
        if _allows(ticket, Action.CLOSE):
            second.append(_button(texts.BUTTON_CLOSE, Press.CLOSE, number))
    if _allows(ticket, Action.REJECT):
        second.append(_button(texts.BUTTON_REJECT, Press.REJECT, number))
    if _allows(ticket, Action.MESSAGE):
        second.append(_button(thread_texts.BUTTON_THREAD, Press.THREAD, number))
    # A finished ticket takes only notes, which /note adds; its card stays without buttons.
    if ticket.state in OPEN_STATES and offered(ticket):
        second.append(_button(texts.BUTTON_MORE, Press.MORE, number))
    rows = [row for row in (first, second) if row]
    return InlineKeyboardMarkup(rows) if rows else None


def more_keyboard(ticket: TicketView) -> InlineKeyboardMarkup:
    """更多: every action of the catalogue the ticket's state and shape allow."""
    number = ticket.number
    buttons = [_button(entry.label, Press(entry.code), number) for entry in offered(ticket)]
    return InlineKeyboardMarkup(
        [*_rows(buttons, 3), [_button(texts.BUTTON_BACK, Press.BACK, number)]]
    )


def rating_keyboard(number: str) -> InlineKeyboardMarkup:
    """The ratings a villager can give on a 回访 call, for staff to record."""
    ratings = [
        _button(rating.label, Press.RATING, number, rating)
        for rating in Rating
        if rating is not Rating.UNRATED
    ]
    return InlineKeyboardMarkup([ratings, [_button(texts.BUTTON_BACK, Press.BACK, number)]])


def dispatch_keyboard(ticket: TicketView) -> InlineKeyboardMarkup:
    """派单: claim or assign at this level, correct the village, or move to another level."""
    number = ticket.number
    rows: list[list[InlineKeyboardButton]] = []
    if _allows(ticket, Action.CLAIM):
        rows.append(
            [
                _button(texts.BUTTON_CLAIM, Press.CLAIM, number),
                _button(texts.BUTTON_ASSIGN, Press.ASSIGN, number),
            ]
        )
    if _allows(ticket, Action.REROUTE):
        rows.append([_button(texts.BUTTON_REROUTE, Press.REROUTE, number)])
    if _allows(ticket, Action.ESCALATE, Action.DEESCALATE):
        levels = [
            _button(texts.BUTTON_TO_LEVEL.format(level=level.label), Press.LEVEL, number, level)
            for level in LEVELS
            if level is not ticket.level
        ]
        rows += _rows(levels, 2)
    rows.append([_button(texts.BUTTON_BACK, Press.BACK, number)])
    return InlineKeyboardMarkup(rows)


def village_keyboard(services: Services, number: str) -> InlineKeyboardMarkup:
    """Every village, to correct a ticket's village (改派)."""
    villages = [
        _button(village.name, Press.VILLAGE, number, village.code)
        for village in services.intake_config.township.villages
    ]
    return InlineKeyboardMarkup(
        [*_rows(villages, 3), [_button(texts.BUTTON_BACK, Press.BACK, number)]]
    )


def unit_keyboard(services: Services, number: str) -> InlineKeyboardMarkup:
    """Every unit that can lead joint handling (部门联动)."""
    units = [_button(unit, Press.UNIT, number, unit) for unit in services.intake_config.units]
    return InlineKeyboardMarkup(
        [*_rows(units, 2), [_button(texts.BUTTON_BACK, Press.BACK, number)]]
    )


def confirm_keyboard(message_id: int) -> InlineKeyboardMarkup:
    """Send or drop a public reply written in answer to a card."""
    key = str(message_id)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_SEND, callback_data=press_data(Press.SEND, key)),
                InlineKeyboardButton(texts.BUTTON_DROP, callback_data=press_data(Press.DROP, key)),
            ]
        ]
    )


def show_keyboard(tickets: Iterable[TicketView]) -> InlineKeyboardMarkup | None:
    """One button per ticket of a list, to open its card."""
    buttons = [_button(ticket.number, Press.SHOW, ticket.number) for ticket in tickets]
    return InlineKeyboardMarkup(_rows(buttons, 3)) if buttons else None


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


# Lists and history ------------------------------------------------------------------------------


def queue_line(services: Services, ticket: TicketView) -> str:
    """One ticket of a work queue: number, state, kind, village and its nearest deadline."""
    running = open_deadlines(ticket)
    due = days_left_text(services, min(d for _, d in running)) if running else texts.NOBODY
    return texts.QUEUE_LINE.format(
        number=ticket.number,
        state=ticket.state.label,
        kind=ticket.kind.label,
        village=escape(village_name(services, ticket.village_code)),
        due=due,
    )


def alert_line(services: Services, alert: DeadlineAlert) -> str:
    """One deadline that passed or will pass soon."""
    return texts.ALERT_LINE.format(
        number=alert.ticket.number,
        deadline=alert.kind.label,
        date=due_date_text(services, alert.due_at),
        left=days_left_text(services, alert.due_at),
        village=escape(village_name(services, alert.ticket.village_code)),
    )


async def history_text(
    services: Services, events: Iterable[EventView], *, masked: bool = True
) -> str:
    """A ticket's history, oldest first, with who did what and the words they wrote.

    Args:
        services: The services (for names).
        events: The ticket's events, oldest first.
        masked: Whether ID and phone numbers in the words are masked (see :func:`group_view`).

    """
    tz = services.intake_config.tz
    names: dict[int, str] = {}
    lines = [texts.HISTORY_TITLE]
    for event in events:
        if event.actor_id is None:
            actor = texts.SYSTEM
        else:
            if event.actor_id not in names:
                names[event.actor_id] = await person_name(services, event.actor_id)
            actor = names[event.actor_id]
        mark = texts.HISTORY_INTERNAL if event.visibility is Visibility.INTERNAL else ""
        when = event.created_at.astimezone(tz).strftime("%m-%d %H:%M")
        lines.append(
            mark + texts.HISTORY_LINE.format(time=when, event=event.type.label, actor=escape(actor))
        )
        for detail in (event.text, event.route):
            if detail:
                shown = mask_numbers(detail) if masked else detail
                lines.append(texts.HISTORY_DETAIL.format(text=escape(_shorten(shown))))
    return "\n".join(lines)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
