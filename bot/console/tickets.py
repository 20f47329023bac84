"""The queue, a ticket's page, the actions on it, and its attachments.

What a visitor may see and do is decided by intake (``list_tickets``, ``get_ticket`` and each
action's own role check), never by the console: the console only hides buttons that intake
would refuse anyway. Every change is recorded in the ticket's history by intake, which announces
its outcome to the console's ``notify`` (:func:`bot.console.core.console_middleware`) so that the
bot tells the villager.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.console import texts
from bot.console.core import CONSOLE, Console, Refusal, Visitor, redirect
from intake import (
    Attachment,
    AttachmentKind,
    DeadlineKind,
    ErrorCode,
    IntakeError,
    Level,
    Outcome,
    Rating,
    TicketFilter,
    TicketKind,
    TicketState,
    TicketView,
)
from intake import rules as intake_rules
from intake.actions import BY_CODE, available
from intake.database import STORAGE_ERRORS, unit_of_work
from intake.deadlines import open_deadlines
from intake.enums import LEVELS
from intake.rules import Action
from intake.states import OPEN_STATES

log = logging.getLogger(__name__)

PAGE_SIZE = 50
EXCERPT_CHARS = 40
SOON_DAYS = 2
# A form value longer than this is not shown again after a refusal.
ECHO_MAX = 10_000

# The actions written in the ticket's thread, whose forms are shown with it.
THREAD_ACTIONS = frozenset({Action.MESSAGE, Action.REQUEST_MORE})
# A message in the thread only staff see; taking it is taking a note (:attr:`Action.NOTE`).
INTERNAL_MESSAGE = "internal_message"

_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.WRONG_STATE: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.ALREADY_EXTENDED: 409,
}


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the queue, ticket, action and attachment routes."""
    router.add_get("/queue", queue_page, name="queue")
    router.add_get("/tickets/{number}", ticket_page, name="ticket")
    router.add_post("/tickets/{number}/{action}", ticket_action, name="action")
    router.add_get("/tickets/{number}/files/{index}", attachment, name="file")
    router.add_get("/tickets/{number}/thread/{message_id}/file", thread_file, name="thread_file")


def status_of(error: IntakeError) -> int:
    """The HTTP status that goes with an intake refusal."""
    return _STATUS.get(error.code, 400)


# The queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters, as given in the address."""

    state: str = ""
    level: str = ""
    kind: str = ""
    village: str = ""
    grid: str = ""
    category: str = ""
    deadline: str = ""
    page: int = 1

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters as query parameters (empty ones left out), with ``changes`` applied."""
        values = replace(self, **changes)
        pairs = {
            "state": values.state,
            "level": values.level,
            "kind": values.kind,
            "village": values.village,
            "grid": values.grid,
            "category": values.category,
            "deadline": values.deadline,
            "page": str(values.page) if values.page > 1 else "",
        }
        return {key: value for key, value in pairs.items() if value}


@dataclass(frozen=True)
class Due:
    """A running deadline, as shown: what it is, its last day and the days left."""

    label: str
    day: str
    left: str
    urgency: str


@dataclass(frozen=True)
class QueueRow:
    """One ticket of the queue."""

    ticket: TicketView
    village: str
    due: Due | None
    excerpt: str


def parse_queue(console: Console, query: Mapping[str, str]) -> tuple[QueueQuery, list[str]]:
    """The filters of a queue address, and the values that were not understood (ignored)."""
    config = console.services.intake_config
    bad: list[str] = []

    def pick(name: str, allowed: Iterable[str]) -> str:
        value = query.get(name, "").strip()
        if value and value not in set(allowed):
            bad.append(value[:40])
            return ""
        return value

    page_text = query.get("page", "1").strip()
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 10_000 else 1
    if page_text and not page_text.isdigit():
        bad.append(page_text[:40])
    return (
        QueueQuery(
            state=pick("state", ["all", *(s.value for s in TicketState)]),
            level=pick("level", [level.value for level in LEVELS]),
            kind=pick("kind", [kind.value for kind in TicketKind]),
            village=pick("village", [v.code for v in config.township.villages]),
            grid=pick("grid", [g.code for g in config.township.grids]),
            category=pick("category", config.categories),
            deadline=pick("deadline", ["overdue", "due_soon"]),
            page=page,
        ),
        bad,
    )


def ticket_filter(chosen: QueueQuery) -> TicketFilter:
    """The intake filter for the chosen filters (the deadline filter is applied separately)."""
    if chosen.state == "all":
        states: frozenset[TicketState] = frozenset()
    elif chosen.state:
        states = frozenset({TicketState(chosen.state)})
    else:
        states = OPEN_STATES
    return TicketFilter(
        states=states,
        levels=frozenset({Level(chosen.level)}) if chosen.level else frozenset(),
        kinds=frozenset({TicketKind(chosen.kind)}) if chosen.kind else frozenset(),
        village_code=chosen.village or None,
        grid_code=chosen.grid or None,
        category=chosen.category or None,
    )


def matches(ticket: TicketView, wanted: TicketFilter) -> bool:
    """Whether a ticket passes a filter (for lists intake did not filter)."""
    return (
        (not wanted.states or ticket.state in wanted.states)
        and (not wanted.levels or ticket.level in wanted.levels)
        and (not wanted.kinds or ticket.kind in wanted.kinds)
        and wanted.village_code in (None, ticket.village_code)
        and wanted.grid_code in (None, ticket.grid_code)
        and wanted.category in (None, ticket.category)
    )


def next_due(console: Console, ticket: TicketView) -> Due | None:
    """The ticket's earliest running deadline, with the days left."""
    running = open_deadlines(ticket)
    if not running:
        return None
    kind, due = min(running, key=lambda item: item[1])
    return describe_due(console, kind, due)


def describe_due(console: Console, kind: DeadlineKind, due: datetime) -> Due:
    """A deadline as shown: its last day, and days left (or overdue) counted in dates."""
    deadlines = console.intake.deadlines
    last_day = deadlines.due_date(due)
    today = console.today()
    if console.now() >= due:
        left = texts.DAYS_OVERDUE.format(days=max(1, (today - last_day).days))
        urgency = "overdue"
    elif last_day == today:
        left, urgency = texts.DUE_TODAY, "soon"
    else:
        days = (last_day - today).days
        left = texts.DAYS_LEFT.format(days=days)
        urgency = "soon" if days <= SOON_DAYS else ""
    return Due(kind.label, last_day.isoformat(), left, urgency)


async def queue_page(request: web.Request) -> web.StreamResponse:
    """The tickets the visitor may see, filtered, newest first (or by deadline)."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    chosen, bad = parse_queue(console, request.query)
    wanted = ticket_filter(chosen)
    user_id = visitor.user.id
    if chosen.deadline:
        alerts = await (
            console.intake.overdue(user_id)
            if chosen.deadline == "overdue"
            else console.intake.due_soon(user_id)
        )
        seen: dict[str, TicketView] = {}
        for alert in alerts:
            seen.setdefault(alert.ticket.number, alert.ticket)
        found = [ticket for ticket in seen.values() if matches(ticket, wanted)]
        start = (chosen.page - 1) * PAGE_SIZE
        found = found[start : start + PAGE_SIZE + 1]
    else:
        found = list(
            await console.intake.list_tickets(
                user_id, wanted, limit=PAGE_SIZE + 1, offset=(chosen.page - 1) * PAGE_SIZE
            )
        )
    more = len(found) > PAGE_SIZE
    rows = [
        QueueRow(
            ticket=ticket,
            village=village_name(console, ticket.village_code),
            due=next_due(console, ticket),
            excerpt=_excerpt(ticket.text),
        )
        for ticket in found[:PAGE_SIZE]
    ]
    config = console.services.intake_config
    return console.render(
        request,
        "queue.html",
        visitor=visitor,
        rows=rows,
        chosen=chosen,
        more=more,
        notice=texts.BAD_FILTER.format(items="、".join(bad)) if bad else None,
        states=list(TicketState),
        levels=LEVELS,
        kinds=list(TicketKind),
        villages=config.township.villages,
        grids=config.township.grids,
        categories=config.categories,
    )


def village_name(console: Console, code: str) -> str:
    """The village's name, or its code if it is no longer configured."""
    village = console.services.intake_config.village(code)
    return village.name if village is not None else code


def grid_name(console: Console, code: str) -> str:
    """The grid's name, or its code if it is no longer configured."""
    grid = console.services.intake_config.grid(code)
    return grid.name if grid is not None else code


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"


# A ticket -------------------------------------------------------------------------------------


async def ticket_page(request: web.Request) -> web.StreamResponse:
    """A ticket: the villager's message and files, FAQ answers seen, history and actions."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    number = request.match_info["number"]
    done = request.query.get("done", "")
    notices = []
    if done in texts.DONE:
        notices.append(texts.DONE[done])
    return await render_ticket(request, console, visitor, number, notices=notices)


async def render_ticket(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    number: str,
    *,
    notices: list[str] | None = None,
    error: IntakeError | None = None,
    action: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> web.StreamResponse:
    """Render a ticket's page, optionally with a refusal and the refused form's values."""
    try:
        ticket = await console.intake.get_ticket(visitor.user.id, number)
        events = await console.intake.history(visitor.user.id, number)
        thread = await console.intake.thread(visitor.user.id, number)
    except IntakeError as refusal:
        raise Refusal(status_of(refusal), refusal.message) from None
    ids = {ticket.filed_by_id, ticket.villager_id, ticket.assignee_id}
    ids |= {e.actor_id for e in events} | {e.assignee_id for e in events}
    ids |= {m.author_id for m in thread}
    names = await people_names(console, ids)
    base = console.services.faq.base
    faq_shown = [
        (entry_id, base.entry(entry_id) if entry_id in base else None)
        for entry_id in ticket.faq_shown
    ]
    allowed = available(visitor.user, ticket)
    codes = {entry.code for entry in allowed}
    assignees = []
    if "assign" in codes:
        assignees = [
            user
            for user in await console.store.staff()
            if intake_rules.can_claim(user, ticket) and user.id != ticket.assignee_id
        ]
    config = console.services.intake_config
    return console.render(
        request,
        "ticket.html",
        visitor=visitor,
        status=status_of(error) if error is not None else 200,
        ticket=ticket,
        village=village_name(console, ticket.village_code),
        grid=grid_name(console, ticket.grid_code),
        names=names,
        events=events,
        thread=thread,
        dues=[describe_due(console, kind, due) for kind, due in open_deadlines(ticket)],
        faq_shown=faq_shown,
        attachments=list(enumerate(ticket.attachments, start=1)),
        kinds=AttachmentKind,
        allowed=[entry for entry in allowed if entry.action not in THREAD_ACTIONS],
        thread_actions=[entry for entry in allowed if entry.action in THREAD_ACTIONS],
        may_write_internal=Action.NOTE in {entry.action for entry in allowed},
        assignees=assignees,
        levels={
            "escalate": [level for level in LEVELS if level.rank > ticket.level.rank],
            "deescalate": [level for level in LEVELS if level.rank < ticket.level.rank],
        },
        units=config.units,
        villages=[v for v in config.township.villages if v.code != ticket.village_code],
        ratings=[r for r in Rating if r is not Rating.UNRATED],
        reason_labels=texts.REASON_LABELS,
        text_labels=texts.TEXT_LABELS,
        button_labels=texts.BUTTON_LABELS,
        extension_max=config.deadlines.extension_max_days,
        text_max=config.max_text_chars,
        notices=notices or [],
        error=error.message if error is not None else None,
        failed_action=action,
        values=values or {},
    )


async def people_names(console: Console, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names with roles, by user id."""
    names = {}
    for user_id in {i for i in ids if i is not None}:
        try:
            user = await console.intake.get_user(user_id)
        except IntakeError:
            names[user_id] = "（未知）"
            continue
        names[user_id] = f"{user.display_name}（{user.role.label}）"
    return names


# Actions --------------------------------------------------------------------------------------


async def ticket_action(request: web.Request) -> web.StreamResponse:
    """Do one action on a ticket; refused input changes nothing and is shown with the reason."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    posted = await console.form(request, visitor)
    number = request.match_info["number"]
    action = request.match_info["action"]
    if action not in BY_CODE and action != INTERNAL_MESSAGE:
        raise Refusal(404, texts.UNKNOWN_ACTION.format(action=action[:40]))
    try:
        # The change and the notices intake announces of it commit together (the outbox is in
        # the database).
        async with unit_of_work(console.intake.engine):
            outcome = await perform(console, visitor, number, action, posted)
    except STORAGE_ERRORS:
        log.warning("console: ticket %s: %s not saved, the database is unavailable", number, action)
        raise Refusal(503, texts.NOT_SAVED) from None
    except IntakeError as refusal:
        if refusal.code is ErrorCode.NOT_FOUND:
            raise Refusal(404, refusal.message) from None
        values = {key: value for key, value in posted.items() if len(value) <= ECHO_MAX}
        return await render_ticket(
            request, console, visitor, number, error=refusal, action=action, values=values
        )
    target = console.url(request, "ticket", number=outcome.ticket.number)
    return redirect(f"{target}?done={action}")


Perform = Callable[[Console, int, str, MultiDictProxy[str]], Awaitable[Outcome]]


async def perform(
    console: Console, visitor: Visitor, number: str, action: str, form: MultiDictProxy[str]
) -> Outcome:
    """Run a catalogue action through intake, which checks the visitor's role and the state."""
    if action == INTERNAL_MESSAGE:
        return await _internal_message(console, visitor.user.id, number, form)
    entry = BY_CODE.get(action)
    if entry is None:
        raise Refusal(404, texts.UNKNOWN_ACTION.format(action=action[:40]))
    return await PERFORM[entry.action](console, visitor.user.id, number, form)


async def _accept(console: Console, actor: int, number: str, _form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.accept(actor, number)


async def _claim(console: Console, actor: int, number: str, _form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.claim(actor, number)


async def _assign(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.assign(actor, number, _integer(form, "assignee", "承办人"))


async def _reply(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.reply(actor, number, form.get("text", ""))


async def _escalate(
    console: Console, actor: int, number: str, form: MultiDictProxy[str]
) -> Outcome:
    level = form.get("to_level", "")
    return await console.intake.escalate(
        actor,
        number,
        reason=form.get("reason", ""),
        to_level=_level(level, "上报到") if level else None,
        lead_unit=form.get("lead_unit") or None,
        co_units=[unit for unit in form.getall("co_units", []) if unit],
    )


async def _deescalate(
    console: Console, actor: int, number: str, form: MultiDictProxy[str]
) -> Outcome:
    level = form.get("to_level", "")
    return await console.intake.deescalate(
        actor,
        number,
        reason=form.get("reason", ""),
        to_level=_level(level, "下派到") if level else None,
    )


async def _reroute(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    village = form.get("village_code", "").strip()
    if not village:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.MISSING_CHOICE.format(field="村（社区）"))
    return await console.intake.reroute(
        actor, number, village_code=village, reason=form.get("reason", "")
    )


async def _return(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.return_to_triage(actor, number, reason=form.get("reason", ""))


async def _extend(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    days = _integer(form, "days", "延期天数")
    return await console.intake.extend(actor, number, days=days, reason=form.get("reason", ""))


async def _note(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.add_note(actor, number, form.get("text", ""))


async def _message(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.post_message(actor, number, form.get("text", ""))


async def _internal_message(
    console: Console, actor: int, number: str, form: MultiDictProxy[str]
) -> Outcome:
    return await console.intake.post_message(actor, number, form.get("text", ""), internal=True)


async def _request_more(
    console: Console, actor: int, number: str, form: MultiDictProxy[str]
) -> Outcome:
    return await console.intake.request_more(actor, number, form.get("text", ""))


async def _request_feedback(
    console: Console, actor: int, number: str, _form: MultiDictProxy[str]
) -> Outcome:
    return await console.intake.request_feedback(actor, number)


async def _record_feedback(
    console: Console, actor: int, number: str, form: MultiDictProxy[str]
) -> Outcome:
    chosen = form.get("rating", "")
    if not chosen:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.MISSING_CHOICE.format(field="回访评价"))
    try:
        rating = Rating(chosen)
    except ValueError:
        raise IntakeError(
            ErrorCode.INVALID_INPUT, texts.BAD_CHOICE.format(field="回访评价")
        ) from None
    reason = form.get("reason", "").strip() or None
    return await console.intake.record_feedback(actor, number, rating, reason=reason, by_phone=True)


async def _close(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.close(actor, number, reason=form.get("reason", ""))


async def _reject(console: Console, actor: int, number: str, form: MultiDictProxy[str]) -> Outcome:
    return await console.intake.reject(
        actor, number, reason=form.get("reason", ""), route=form.get("route", "")
    )


# How the console runs each action of the catalogue (:data:`intake.actions.CATALOGUE`).
PERFORM: dict[Action, Perform] = {
    Action.ACCEPT: _accept,
    Action.CLAIM: _claim,
    Action.ASSIGN: _assign,
    Action.REPLY: _reply,
    Action.ESCALATE: _escalate,
    Action.DEESCALATE: _deescalate,
    Action.REROUTE: _reroute,
    Action.RETURN: _return,
    Action.EXTEND: _extend,
    Action.NOTE: _note,
    Action.REQUEST_FEEDBACK: _request_feedback,
    Action.RECORD_FEEDBACK: _record_feedback,
    Action.CLOSE: _close,
    Action.REJECT: _reject,
    Action.REQUEST_MORE: _request_more,
    Action.MESSAGE: _message,
}


def _level(code: str, field: str) -> Level:
    try:
        return Level(code)
    except ValueError:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.BAD_CHOICE.format(field=field)) from None


def _integer(form: MultiDictProxy[str], name: str, label: str) -> int:
    value = form.get(name, "").strip()
    if not value:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.MISSING_CHOICE.format(field=label))
    if not value.isdigit() or len(value) > 12:
        raise IntakeError(ErrorCode.INVALID_INPUT, texts.BAD_NUMBER.format(field=label))
    return int(value)


# Attachments ----------------------------------------------------------------------------------

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)
_INLINE = {
    AttachmentKind.PHOTO: ("image/",),
    AttachmentKind.VOICE: ("audio/",),
    AttachmentKind.VIDEO: ("video/",),
}


def sniff(data: bytes) -> str:
    """The media type of a file, from its first bytes; never a type a browser would run."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    return "application/octet-stream"


async def attachment(request: web.Request) -> web.StreamResponse:
    """An attachment of a ticket the visitor may see, fetched from Telegram."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    number = request.match_info["number"]
    try:
        ticket = await console.intake.get_ticket(visitor.user.id, number)
    except IntakeError as refusal:
        raise Refusal(status_of(refusal), refusal.message) from None
    index_text = request.match_info["index"]
    index = int(index_text) if index_text.isdigit() and len(index_text) < 4 else 0
    if not 1 <= index <= len(ticket.attachments):
        raise Refusal(404, texts.FILE_MISSING.format(number=number, index=index_text[:8]))
    return await _file_response(console, ticket.attachments[index - 1], f"{number}-{index}")


async def thread_file(request: web.Request) -> web.StreamResponse:
    """The file of a message in a ticket's thread, if the visitor may see that message."""
    console = request.app[CONSOLE]
    visitor = await console.visitor(request)
    number = request.match_info["number"]
    try:
        thread = await console.intake.thread(visitor.user.id, number)
    except IntakeError as refusal:
        raise Refusal(status_of(refusal), refusal.message) from None
    wanted = request.match_info["message_id"]
    found = next((m.attachment for m in thread if str(m.id) == wanted and m.attachment), None)
    if found is None:
        raise Refusal(404, texts.FILE_MISSING.format(number=number, index=wanted[:8]))
    return await _file_response(console, found, f"{number}-m{wanted}")


async def _file_response(console: Console, item: Attachment, name: str) -> web.StreamResponse:
    """A Telegram file as a download, shown inline only when it is a harmless media type."""
    try:
        data = await console.fetch_file(item.file_id)
    except Exception:
        log.exception("console: fetching file %s failed", name)
        raise Refusal(502, texts.FILE_UNAVAILABLE) from None
    media_type = sniff(bytes(data[:16]))
    inline = media_type.startswith(_INLINE.get(item.kind, ("-",)))
    disposition = "inline" if inline else "attachment"
    extension = media_type.rsplit("/", 1)[-1] if inline else "bin"
    response = web.Response(body=bytes(data), content_type=media_type)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{extension}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
