"""Staff commands: the work queue, overdue tickets, one ticket, notes, roles, unreachable staff.

They work in the staff group and, for staff, in a private chat with the bot. Whoever sends one
is looked up in intake; intake only shows them the tickets their role and area may see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import groupby

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from handlers import formatting, people
from handlers.services import Services
from handlers.staff import cards
from handlers.staff.actions import send_card
from handlers.texts import staff as texts
from intake import IntakeError, Role, TicketFilter, UserView
from intake.private_chats import PrivateChats
from intake.states import OPEN_STATES

Context = ContextTypes.DEFAULT_TYPE

QUEUE_LIMIT = 20
ALERTS_LIMIT = 30
MESSAGE_MAX = 4000
_ROLES = {role.value: role for role in Role} | {role.label: role for role in Role}


class StaffCommands:
    """The staff commands, each answering in the chat it was sent in."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._intake = services.intake

    async def on_command(self, update: Update, context: Context) -> None:
        """Run one of :data:`COMMANDS` for a staff member; refuse anyone else."""
        message = update.message
        if message is None or message.from_user is None or not message.text:
            return
        actor = await people.actor(self._services, context, message.from_user)
        if not actor.role.is_staff:
            await message.reply_text(texts.STAFF_ONLY)
            return
        command, *rest = message.text.split(maxsplit=1)
        arguments = rest[0].strip() if rest else ""
        run = _RUN.get(command.lstrip("/").split("@", 1)[0].lower())
        if run is None:
            return
        try:
            await run(self, context, message, actor, arguments)
        except IntakeError as error:
            await message.reply_text(error.message, do_quote=True)

    async def _unreachable(
        self, _context: Context, message: Message, actor: UserView, _arguments: str
    ) -> None:
        """Staff the bot cannot write to privately, for the admin to ask them to open a chat."""
        if actor.role is not Role.ADMIN:
            await message.reply_text(texts.UNREACHABLE_ADMIN_ONLY)
            return
        staff = await PrivateChats(self._intake.engine).unreachable_staff()
        if not staff:
            await message.reply_text(texts.UNREACHABLE_NONE)
            return
        lines = [texts.UNREACHABLE_TITLE]
        lines += [
            texts.UNREACHABLE_LINE.format(
                name=formatting.escape(user.display_name),
                role=user.role.label,
                telegram_id=user.telegram_id,
            )
            for user in staff
        ]
        await message.reply_text(_fit("\n".join(lines)), parse_mode=ParseMode.HTML)

    async def _queue(
        self, _context: Context, message: Message, actor: UserView, _arguments: str
    ) -> None:
        filters = TicketFilter(states=OPEN_STATES)
        tickets = await self._intake.list_tickets(actor.id, filters, limit=QUEUE_LIMIT + 1)
        if not tickets:
            await message.reply_text(texts.QUEUE_EMPTY)
            return
        shown = tickets[:QUEUE_LIMIT]
        lines = [texts.QUEUE_TITLE.format(count=len(shown))]
        lines += [cards.queue_line(self._services, ticket) for ticket in shown]
        if len(tickets) > QUEUE_LIMIT:
            lines.append(texts.QUEUE_MORE.format(limit=QUEUE_LIMIT))
        await message.reply_text(
            "\n".join(lines), parse_mode=ParseMode.HTML, reply_markup=cards.show_keyboard(shown)
        )

    async def _overdue(
        self, _context: Context, message: Message, actor: UserView, _arguments: str
    ) -> None:
        alerts = await self._intake.overdue(actor.id)
        if not alerts:
            await message.reply_text(texts.OVERDUE_EMPTY)
            return
        lines = [texts.OVERDUE_TITLE.format(count=len(alerts))]
        lines += [cards.alert_line(self._services, alert) for alert in alerts[:ALERTS_LIMIT]]
        await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)

    async def _ticket(
        self, context: Context, message: Message, actor: UserView, number: str
    ) -> None:
        if not formatting.TICKET_NUMBER.fullmatch(number):
            await message.reply_text(texts.TICKET_USAGE)
            return
        ticket = await self._intake.get_ticket(actor.id, number)
        events = await self._intake.history(actor.id, number)
        await send_card(context.bot, self._services, message.chat_id, ticket)
        shown = await cards.view_for_chat(self._services, message.chat_id, ticket)
        history = await cards.history_text(self._services, events, masked=shown is not ticket)
        await message.reply_text(_fit(history), parse_mode=ParseMode.HTML)

    async def _note(
        self, context: Context, message: Message, actor: UserView, arguments: str
    ) -> None:
        replied = message.reply_to_message
        number = formatting.card_number(replied.text) if replied is not None else None
        note = arguments
        words = arguments.split(maxsplit=1)
        if number is None and words and formatting.TICKET_NUMBER.fullmatch(words[0]):
            number, note = words[0], words[1] if len(words) > 1 else ""
        if number is None or not note:
            await message.reply_text(texts.NOTE_USAGE)
            return
        await self._intake.add_note(actor.id, number, note)
        await message.reply_text(texts.NOTE_ADDED.format(number=number), do_quote=True)

    async def _role(
        self, context: Context, message: Message, actor: UserView, arguments: str
    ) -> None:
        usage = texts.ROLE_USAGE.format(roles=_role_names())
        # Checked before looking anyone up, so a refused command registers nobody.
        if actor.role is not Role.ADMIN:
            await message.reply_text(texts.ROLE_ADMIN_ONLY)
            return
        named, arguments = people.named_user(message, arguments)
        words = arguments.split()
        if named is not None:
            target = await people.actor(self._services, context, named)
        elif words:
            reference, words = words[0], words[1:]
            found = await people.user_by_reference(context.bot, context, self._services, reference)
            if found is None:
                await message.reply_text(texts.PERSON_UNKNOWN.format(who=reference))
                return
            target = found
        else:
            await message.reply_text(usage)
            return
        if not 1 <= len(words) <= 2:
            await message.reply_text(usage)
            return
        role = _ROLES.get(words[0])
        if role is None:
            await message.reply_text(texts.ROLE_UNKNOWN.format(role=words[0], roles=_role_names()))
            return
        area = words[1] if len(words) == 2 else None
        where = self._area(role, area)
        if where is None:
            await message.reply_text(texts.ROLE_AREA_UNKNOWN.format(area=area))
            return
        change = await self._intake.set_role(actor.id, target.id, role, **where)
        shown_area = texts.ROLE_AREA.format(area=area) if area else ""
        await message.reply_text(
            texts.ROLE_SET.format(name=change.user.display_name, role=role.label, area=shown_area)
        )

    def _area(self, role: Role, area: str | None) -> dict[str, str | None] | None:
        """The village, grid or unit named by ``area`` (by code or name); ``None`` if unknown."""
        if area is None:
            return {}
        if role is Role.DEPARTMENT:
            return {"unit": area}  # intake names the valid units if this is not one
        township = self._services.intake_config.township
        for village in township.villages:
            if area in (village.code, village.name):
                return {"village_code": village.code}
        for grid in township.grids:
            if area in (grid.code, grid.name):
                return {"grid_code": grid.code}
        return None


_Run = Callable[[StaffCommands, Context, Message, UserView, str], Awaitable[None]]


@dataclass(frozen=True)
class StaffCommand:
    """One command in the staff help.

    Attributes:
        name: The command, without its slash.
        arguments: What follows the name in the help (empty if nothing).
        does: What it does; commands in a row that do the same share a line of the help.
        run: How :class:`StaffCommands` runs it; ``None`` for those another area handles.

    """

    name: str
    arguments: str
    does: str
    run: _Run | None = None

    @property
    def usage(self) -> str:
        """The command as the help shows it, with its arguments."""
        return f"/{self.name} {self.arguments}" if self.arguments else f"/{self.name}"


# Every command of the staff group, in the help's order: the help and the commands that
# :class:`StaffCommands` handles are both read from here.
TABLE = (
    StaffCommand("tickets", "", texts.HELP_TICKETS, StaffCommands._queue),
    StaffCommand("overdue", "", texts.HELP_OVERDUE, StaffCommands._overdue),
    StaffCommand("ticket", texts.HELP_TICKET_ARGUMENTS, texts.HELP_TICKET, StaffCommands._ticket),
    StaffCommand("note", texts.HELP_NOTE_ARGUMENTS, texts.HELP_NOTE, StaffCommands._note),
    StaffCommand("role", texts.HELP_ROLE_ARGUMENTS, texts.HELP_ROLE, StaffCommands._role),
    StaffCommand("unreachable", "", texts.HELP_UNREACHABLE, StaffCommands._unreachable),
    StaffCommand("ban", texts.HELP_BAN_ARGUMENTS, texts.HELP_BAN),  # handlers.staff.bans
    StaffCommand("unban", texts.HELP_UNBAN_ARGUMENTS, texts.HELP_BAN),
    StaffCommand("console", "", texts.HELP_CONSOLE),  # handlers.console
    StaffCommand("dengji", "", texts.HELP_DENGJI),  # handlers.offline
)
_RUN = {command.name: command.run for command in TABLE if command.run is not None}
COMMANDS = tuple(_RUN)


def _help() -> str:
    lines = [texts.STAFF_HELP_TITLE]
    for does, same in groupby(TABLE, key=lambda command: command.does):
        lines.append(texts.HELP_SAME_LINE.join(command.usage for command in same) + " " + does)
    lines.append(texts.STAFF_HELP_END)
    return "\n".join(lines)


STAFF_HELP = _help()


async def staff_help(update: Update, _context: Context) -> None:
    """Any other command in the staff group: list what works there."""
    if update.message is not None:
        await update.message.reply_text(STAFF_HELP)


async def overhear(update: Update, context: Context) -> None:
    """Staff talking among themselves: no reply, only their @username is remembered."""
    user = update.effective_user
    if user is not None and user.username:
        people.remember_username(context, user.username, user.id)


def _role_names() -> str:
    return "、".join(texts.ROLE_NAME.format(code=role.value, label=role.label) for role in Role)


def _fit(text: str) -> str:
    """Keep a long history within one message, dropping the oldest lines first."""
    if len(text) <= MESSAGE_MAX:
        return text
    title, *lines = text.split("\n")
    while lines and len(title) + sum(len(line) + 1 for line in lines) + 2 > MESSAGE_MAX:
        lines.pop(0)
    return "\n".join([title, "…", *lines])
