"""The intake service: what the Telegram handlers and the staff console call.

Every method runs in its own transaction. A method that changes a ticket records one or more
events in that same transaction and returns them in an :class:`~intake.views.Outcome`, so the
caller can turn them into notifications; a refusal raises
:class:`~intake.errors.IntakeError` and changes nothing. Events are only ever added, never
updated or deleted. Actors are identified by their user id (see :meth:`get_or_create_user`).

Deadlines follow :mod:`intake.deadlines` (calendar days for the statutory periods, working
days for the per-level targets); permissions follow :mod:`intake.rules` and
:mod:`intake.access`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from intake import rules, validation
from intake.access import can_see, visible_clause
from intake.clock import utcnow
from intake.config import IntakeConfig
from intake.database import session_factory
from intake.deadlines import DeadlinePolicy, open_deadlines
from intake.enums import (
    LEVELS,
    EventType,
    Level,
    Rating,
    Role,
    Side,
    Source,
    TicketState,
    Visibility,
)
from intake.errors import ErrorCode, IntakeError
from intake.inputs import Attachment, NewTicket, TicketFilter
from intake.models import (
    RoleChangeRecord,
    Ticket,
    TicketCoUnit,
    TicketEvent,
    TicketMessage,
    TicketSequence,
    User,
)
from intake.report_query import Window, count_groups
from intake.reporting import Report, ReportLabels, build_report
from intake.rules import Action
from intake.standings import forget_standings
from intake.states import CLOSED_STATES, OPEN_STATES, WORKING_STATES
from intake.views import (
    DeadlineAlert,
    EventView,
    Outcome,
    RoleChange,
    ThreadMessageView,
    TicketView,
    UserView,
)

log = logging.getLogger(__name__)

LIST_LIMIT_MAX = 200
DISPLAY_NAME_MAX = 128
UNRATED_CLOSING_NOTE = "回访期限内未收到评价，按「未评价」办结。"
PHONE_FEEDBACK_NOTE = "电话回访，由工作人员记录"


@dataclass
class _Change:
    """A change to one ticket in progress.

    Holds the actor (``None`` for the system), the ticket, the session it was loaded in and the
    events recorded so far.
    """

    session: AsyncSession
    actor: User | None
    ticket: Ticket
    now: datetime
    events: list[TicketEvent] = field(default_factory=list)
    message: TicketMessage | None = None

    @property
    def actor_view(self) -> UserView:
        if self.actor is None:
            raise RuntimeError("this change needs a person, not the system")
        return self.actor.to_view()

    def check(self, action: Action) -> None:
        rules.check(action, self.actor_view, self.ticket.to_view())

    def record(self, type_: EventType, **fields: Any) -> None:
        self.events.append(
            TicketEvent(
                ticket_id=self.ticket.id,
                type=type_,
                visibility=type_.visibility,
                actor_id=self.actor.id if self.actor is not None else None,
                created_at=self.now,
                **fields,
            )
        )

    def write(
        self,
        side: Side,
        visibility: Visibility,
        text: str | None,
        attachment: Attachment | None = None,
        source_key: str | None = None,
    ) -> None:
        """Add a message to the ticket's thread, written by the actor."""
        self.message = TicketMessage(
            ticket_id=self.ticket.id,
            side=side,
            author_id=self.actor_view.id,
            visibility=visibility,
            created_at=self.now,
            text=text,
            file_kind=attachment.kind if attachment is not None else None,
            file_id=attachment.file_id if attachment is not None else None,
            source_key=source_key,
        )

    def move(self, state: TicketState) -> dict[str, TicketState]:
        """Set the state; return the from/to fields for the event that records it."""
        before, self.ticket.state = self.ticket.state, state
        return {"from_state": before, "to_state": state}


class IntakeService:
    """Tickets on the four-level chain, their deadlines and history, people and reports.

    Args:
        engine: The database, already migrated (``mingbai db upgrade``).
        config: The intake configuration.
        clock: Returns the current instant (timezone-aware); tests pass a fake one.

    Attributes:
        deadlines: The deadline policy, e.g. to show a deadline as a township date.

    """

    def __init__(
        self,
        engine: AsyncEngine,
        config: IntakeConfig,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._config = config
        self._clock = clock
        self.deadlines = DeadlinePolicy(config)

    @property
    def engine(self) -> AsyncEngine:
        """The database this service works on, for its companions (question log, console)."""
        return self._engine

    # People ---------------------------------------------------------------------------------

    async def get_or_create_user(self, telegram_id: int, display_name: str) -> UserView:
        """The user with this Telegram id, registered as a villager on first contact.

        A registration is recorded as a role change with no previous role and no actor.

        Args:
            telegram_id: The Telegram user id.
            display_name: The name to show, used only when the user is new.

        Returns:
            The user.

        """
        name = display_name.strip()[:DISPLAY_NAME_MAX] or "村民"
        async with self._sessions() as session:
            existing = await self._user_by_telegram(session, telegram_id)
            if existing is not None:
                return existing.to_view()
        try:
            async with self._sessions.begin() as session:
                now = self._now()
                user = User(
                    telegram_id=telegram_id, display_name=name, role=Role.VILLAGER, created_at=now
                )
                session.add(user)
                await session.flush()
                session.add(
                    RoleChangeRecord(
                        user_id=user.id, actor_id=None, created_at=now, to_role=Role.VILLAGER
                    )
                )
                registered = user.to_view()
            # The guard remembers who was never seen (:mod:`intake.standings`).
            forget_standings(self._engine)
            return registered
        except IntegrityError:
            # Two first messages from the same person raced; the other one registered them.
            async with self._sessions() as session:
                raced = await self._user_by_telegram(session, telegram_id)
                if raced is None:
                    raise
                return raced.to_view()

    async def ensure_admin(self, telegram_id: int, display_name: str) -> UserView:
        """Make the configured administrator an admin (for the composition root at start-up).

        Returns:
            The admin; a role change is recorded, with no actor, only if one was needed.

        """
        user = await self.get_or_create_user(telegram_id, display_name)
        if user.role is Role.ADMIN:
            return user
        async with self._sessions.begin() as session:
            record = await self._require_user(session, user.id)
            change = await self._change_role(session, None, record, Role.ADMIN, None, None, None)
        forget_standings(self._engine)
        log.info("user %s: made admin from the configuration", user.id)
        return change.user

    async def get_user(self, user_id: int) -> UserView:
        """The user with this id.

        Raises:
            IntakeError: ``UNKNOWN_USER``.

        """
        async with self._sessions() as session:
            return (await self._require_user(session, user_id)).to_view()

    async def home_village(self, telegram_id: int) -> str | None:
        """The village a person belongs to, as far as the township knows, or ``None``.

        Staff and liaisons have one on their record; a villager's is the village of the last
        ticket filed for him.
        """
        async with self._sessions() as session:
            user = await self._user_by_telegram(session, telegram_id)
            if user is None:
                return None
            if user.village_code is not None:
                return user.village_code
            latest = await session.scalars(
                select(Ticket.village_code)
                .where(Ticket.villager_id == user.id)
                .order_by(Ticket.received_at.desc(), Ticket.id.desc())
                .limit(1)
            )
            return latest.first()

    async def set_role(
        self,
        actor_id: int,
        user_id: int,
        role: Role,
        *,
        village_code: str | None = None,
        grid_code: str | None = None,
        unit: str | None = None,
    ) -> RoleChange:
        """Give someone a role and area (admins only; nobody changes their own role).

        Grid workers need a grid, village mediators and liaisons a village, departments a unit;
        a village implies its grid.

        Args:
            actor_id: The admin making the change.
            user_id: The person whose role changes.
            role: The new role.
            village_code: Their village, where it applies.
            grid_code: Their grid, where it applies.
            unit: Their unit, for department staff only.

        Returns:
            The recorded change.

        Raises:
            IntakeError: ``FORBIDDEN``, ``UNKNOWN_USER``, ``UNKNOWN_VILLAGE``, ``UNKNOWN_GRID``,
                ``UNKNOWN_UNIT`` or ``INVALID_INPUT``.

        """
        village = None
        if village_code is not None:
            village = validation.find_village(self._config, village_code)
            grid_code = validation.clean_grid(self._config, village, grid_code)
        elif grid_code is not None and self._config.grid(grid_code) is None:
            raise IntakeError(ErrorCode.UNKNOWN_GRID, f"没有找到网格「{grid_code}」。")
        _check_role_area(self._config, role, village_code, grid_code, unit)
        async with self._sessions.begin() as session:
            actor = await self._require_user(session, actor_id)
            if actor.role is not Role.ADMIN:
                raise IntakeError(ErrorCode.FORBIDDEN, "只有管理员可以设置人员身份。")
            if actor_id == user_id:
                raise IntakeError(ErrorCode.FORBIDDEN, "不能修改自己的身份，请另一位管理员操作。")
            user = await self._require_user(session, user_id)
            change = await self._change_role(
                session, actor, user, role, village_code, grid_code, unit
            )
        forget_standings(self._engine)
        log.info("user %s: role set to %s by user %s", user_id, role.value, actor_id)
        return change

    # Filing ---------------------------------------------------------------------------------

    async def file_ticket(self, actor_id: int, new: NewTicket) -> Outcome:
        """Open a ticket; filing the same ``source_key`` again returns the first ticket.

        Who the villager is depends on the source: with ``Source.VILLAGER`` it is the actor;
        with ``LIAISON`` (liaisons only) or an offline source (``WINDOW``, ``PHONE``,
        ``RECEPTION``, ``GRID_PATROL``: grid, village and township staff) it is the named
        ``villager_name``, linked to ``villager_id`` if given. A ``RECEPTION`` records the
        leader and the day, a ``GRID_PATROL`` the place.

        Args:
            actor_id: Who files.
            new: The ticket.

        Returns:
            The new ticket and its ``filed`` event; for a repeat, the first ticket and no events.

        Raises:
            IntakeError: For bad input (see :func:`intake.validation.clean_new_ticket`), an
                unknown ``villager_id``, or a source the actor may not use.

        """
        now = self._now()
        clean = validation.clean_new_ticket(self._config, new, today=self.deadlines.local_date(now))
        try:
            async with self._sessions.begin() as session:
                actor = await self._require_user(session, actor_id)
                rules.check_filing(actor.to_view(), new.source)
                existing = await self._ticket_by_source_key(session, new.source_key)
                if existing is not None:
                    return self._repeat_filing(actor, existing)
                if new.source is Source.VILLAGER:
                    villager_id: int | None = actor.id
                    villager_name: str | None = clean.villager_name or actor.display_name
                else:
                    villager_id = new.villager_id
                    villager_name = clean.villager_name
                    if villager_id is not None:
                        await self._require_user(session, villager_id)
                ticket = Ticket(
                    number=await self._next_number(session, now),
                    source_key=new.source_key,
                    kind=new.kind,
                    category=new.category,
                    text=clean.text,
                    attachments=[
                        {"kind": a.kind.value, "file_id": a.file_id} for a in new.attachments
                    ],
                    source=new.source,
                    filed_by_id=actor.id,
                    villager_id=villager_id,
                    villager_name=villager_name,
                    village_code=clean.village.code,
                    grid_code=clean.grid_code,
                    faq_shown=list(new.faq_shown),
                    contact_phone=clean.contact_phone,
                    contact_consent=new.contact_consent and clean.contact_phone is not None,
                    state=TicketState.NEW,
                    level=Level.GRID,
                    received_at=now,
                    accept_due_at=self.deadlines.acceptance_due(now),
                    reception_leader=clean.reception_leader,
                    reception_date=clean.reception_date,
                    patrol_place=clean.patrol_place,
                    co_unit_rows=[],
                )
                session.add(ticket)
                await session.flush()
                change = _Change(session, actor, ticket, now)
                change.record(
                    EventType.FILED,
                    to_state=TicketState.NEW,
                    to_level=Level.GRID,
                    due_at=ticket.accept_due_at,
                    village_code=ticket.village_code,
                    grid_code=ticket.grid_code,
                )
                outcome = await self._finish(session, change)
        except IntegrityError:
            # The same source message was filed concurrently and the other filing won.
            async with self._sessions() as session:
                raced = await self._ticket_by_source_key(session, new.source_key)
                if raced is None:
                    raise
                return self._repeat_filing(await self._require_user(session, actor_id), raced)
        self._log(outcome)
        return outcome

    # Triage ---------------------------------------------------------------------------------

    async def accept(self, actor_id: int, number: str) -> Outcome:
        """Accept a new or returned ticket (受理), starting the handling and level clocks.

        A returned ticket that had been accepted before keeps its acceptance date and handling
        deadline.
        """

        async def apply(change: _Change) -> None:
            change.check(Action.ACCEPT)
            ticket = change.ticket
            if ticket.accepted_at is None:
                ticket.accepted_at = change.now
                ticket.handle_due_at = self.deadlines.handling_due(change.now, 0)
            ticket.level_due_at = self.deadlines.level_due(change.now, ticket.level)
            change.record(
                EventType.ACCEPTED,
                **change.move(TicketState.ACCEPTED),
                due_at=ticket.handle_due_at,
            )

        return await self._change(actor_id, number, apply)

    async def reject(self, actor_id: int, number: str, *, reason: str, route: str) -> Outcome:
        """Decline a ticket (不予受理), telling the villager why and where to turn instead.

        Args:
            actor_id: A township officer or admin.
            number: The ticket.
            reason: Why it is not accepted.
            route: The right channel, e.g. "向湟中区人民法院起诉".

        """
        clean_reason = validation.clean_text(
            reason, what="不予受理的理由", limit=validation.REASON_MAX
        )
        clean_route = validation.clean_text(route, what="应当走的途径", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            change.check(Action.REJECT)
            change.ticket.reject_reason = clean_reason
            change.ticket.reject_route = clean_route
            change.ticket.assignee_id = None
            change.record(
                EventType.REJECTED,
                **change.move(TicketState.REJECTED),
                text=clean_reason,
                route=clean_route,
            )

        return await self._change(actor_id, number, apply)

    async def reroute(
        self,
        actor_id: int,
        number: str,
        *,
        village_code: str,
        reason: str,
        grid_code: str | None = None,
    ) -> Outcome:
        """Correct the village (and grid) of a ticket in triage."""
        village = validation.find_village(self._config, village_code)
        new_grid = validation.clean_grid(self._config, village, grid_code)
        clean_reason = validation.clean_text(reason, what="改派理由", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            change.check(Action.REROUTE)
            change.ticket.village_code = village.code
            change.ticket.grid_code = new_grid
            change.record(
                EventType.REROUTED, text=clean_reason, village_code=village.code, grid_code=new_grid
            )

        return await self._change(actor_id, number, apply)

    async def return_to_triage(self, actor_id: int, number: str, *, reason: str) -> Outcome:
        """Send a misrouted ticket back to triage (退回), releasing its assignee."""
        clean_reason = validation.clean_text(reason, what="退回理由", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            change.check(Action.RETURN)
            change.ticket.assignee_id = None
            change.record(
                EventType.RETURNED, **change.move(TicketState.RETURNED), text=clean_reason
            )

        return await self._change(actor_id, number, apply)

    # Handling -------------------------------------------------------------------------------

    async def claim(self, actor_id: int, number: str) -> Outcome:
        """Take an unheld ticket at one's own level. Of two people claiming at once, one wins."""

        async def apply(change: _Change) -> None:
            change.check(Action.CLAIM)
            holder = change.ticket.assignee_id
            if holder is not None:
                who = "您" if holder == actor_id else "其他工作人员"
                raise IntakeError(
                    ErrorCode.CONFLICT, f"工单 {number} 已由{who}认领，不能重复认领。"
                )
            change.ticket.assignee_id = actor_id
            change.record(
                EventType.CLAIMED,
                **change.move(_working_state(change.ticket)),
                assignee_id=actor_id,
            )

        return await self._change(actor_id, number, apply)

    async def assign(self, actor_id: int, number: str, assignee_id: int) -> Outcome:
        """Give a ticket to someone who works at its current level and area."""

        async def apply(change: _Change) -> None:
            change.check(Action.ASSIGN)
            assignee = await self._require_user(change.session, assignee_id)
            if not rules.can_claim(assignee.to_view(), change.ticket.to_view()):
                raise IntakeError(
                    ErrorCode.INVALID_INPUT,
                    f"{assignee.display_name}（{assignee.role.label}）不负责"
                    f"「{change.ticket.level.label}」阶段的这张工单，不能指派给他/她。",
                )
            if change.ticket.assignee_id == assignee_id:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT, f"工单 {number} 已经由{assignee.display_name}承办。"
                )
            change.ticket.assignee_id = assignee_id
            change.record(
                EventType.ASSIGNED,
                **change.move(_working_state(change.ticket)),
                assignee_id=assignee_id,
            )

        return await self._change(actor_id, number, apply)

    async def escalate(
        self,
        actor_id: int,
        number: str,
        *,
        reason: str,
        to_level: Level | None = None,
        lead_unit: str | None = None,
        co_units: Iterable[str] = (),
    ) -> Outcome:
        """Move a ticket up the chain (to the next level unless ``to_level`` says otherwise).

        The ticket is released for someone at the new level to claim, and that level's target
        starts. Joint handling (部门联动) needs a lead unit and may have co-handling units.
        """
        clean_reason = validation.clean_text(reason, what="上报理由", limit=validation.REASON_MAX)
        units = tuple(dict.fromkeys(co_units))

        async def apply(change: _Change) -> None:
            change.check(Action.ESCALATE)
            ticket = change.ticket
            if ticket.level is Level.DEPARTMENT and to_level is None:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT, f"工单 {number} 已在「部门联动」，不能再上报。"
                )
            target = to_level or LEVELS[ticket.level.rank + 1]
            rules.check_level_change(change.actor_view, ticket.to_view(), target, up=True)
            if target is Level.DEPARTMENT:
                self._check_units(lead_unit, units)
            elif lead_unit is not None or units:
                raise IntakeError(ErrorCode.INVALID_INPUT, "只有部门联动才需要指定牵头和协办单位。")
            self._change_level(change, EventType.ESCALATED, target, clean_reason, lead_unit, units)

        return await self._change(actor_id, number, apply)

    async def deescalate(
        self, actor_id: int, number: str, *, reason: str, to_level: Level | None = None
    ) -> Outcome:
        """Move a ticket down the chain (to the previous level unless ``to_level`` says so)."""
        clean_reason = validation.clean_text(reason, what="下派理由", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            change.check(Action.DEESCALATE)
            ticket = change.ticket
            if ticket.level is Level.GRID:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT, f"工单 {number} 已在「网格」，不能再下派。"
                )
            target = to_level or LEVELS[ticket.level.rank - 1]
            rules.check_level_change(change.actor_view, ticket.to_view(), target, up=False)
            self._change_level(change, EventType.DEESCALATED, target, clean_reason, None, ())

        return await self._change(actor_id, number, apply)

    async def add_note(self, actor_id: int, number: str, text: str) -> Outcome:
        """Add an internal note (staff only; villagers never see it)."""
        clean = validation.clean_text(text, what="备注", limit=self._config.max_text_chars)

        async def apply(change: _Change) -> None:
            change.check(Action.NOTE)
            change.record(EventType.NOTED, text=clean)

        return await self._change(actor_id, number, apply)

    async def extend(self, actor_id: int, number: str, *, days: int, reason: str) -> Outcome:
        """Extend the handling deadline once, by at most the configured days (延期).

        Args:
            actor_id: A township officer or admin (the law requires the unit head's approval).
            number: The ticket.
            days: How many days, in the handling period's unit (calendar days by default).
            reason: Why; the villager is told (信访工作条例 art. 34).

        """
        validation.check_extension_days(self._config, days)
        clean_reason = validation.clean_text(reason, what="延期理由", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            ticket = change.ticket
            if ticket.extension_days is not None:
                raise IntakeError(
                    ErrorCode.ALREADY_EXTENDED,
                    f"工单 {number} 已经延期过一次（{ticket.extension_days} 天），不能再次延期。",
                )
            change.check(Action.EXTEND)
            assert ticket.accepted_at is not None
            ticket.extension_days = days
            ticket.handle_due_at = self.deadlines.handling_due(ticket.accepted_at, days)
            change.record(
                EventType.EXTENDED,
                **change.move(TicketState.EXTENDED),
                text=clean_reason,
                extension_days=days,
                due_at=ticket.handle_due_at,
            )

        return await self._change(actor_id, number, apply)

    async def reply(self, actor_id: int, number: str, text: str) -> Outcome:
        """Give the villager the answer (答复); whoever answers an unheld ticket now holds it."""
        clean = validation.clean_text(text, what="答复内容", limit=self._config.max_text_chars)

        async def apply(change: _Change) -> None:
            change.check(Action.REPLY)
            ticket = change.ticket
            if ticket.assignee_id is None:
                ticket.assignee_id = actor_id
            ticket.answered_at = change.now
            change.record(
                EventType.REPLIED,
                **change.move(TicketState.ANSWERED),
                text=clean,
                assignee_id=ticket.assignee_id,
            )

        return await self._change(actor_id, number, apply)

    # Feedback and closing ---------------------------------------------------------------------

    async def request_feedback(self, actor_id: int, number: str) -> Outcome:
        """Ask the villager to rate the answer (回访); unanswered, it closes as 未评价."""

        async def apply(change: _Change) -> None:
            change.check(Action.REQUEST_FEEDBACK)
            change.ticket.feedback_due_at = self.deadlines.feedback_due(change.now)
            change.record(
                EventType.FEEDBACK_REQUESTED,
                **change.move(TicketState.AWAITING_FEEDBACK),
                due_at=change.ticket.feedback_due_at,
            )

        return await self._change(actor_id, number, apply)

    async def record_feedback(
        self,
        actor_id: int,
        number: str,
        rating: Rating,
        *,
        reason: str | None = None,
        by_phone: bool = False,
    ) -> Outcome:
        """Record the villager's rating: 满意 or 基本满意 closes, 不满意 reopens (reason needed).

        A rating the villager gave on a 回访 call counts exactly as one given in the chat; the
        staff member who recorded it is the event's actor, and its text says it came by phone.

        Args:
            actor_id: The villager, whoever filed for them, the assignee, or a supervisor
                recording a 回访 call.
            number: The ticket.
            rating: 满意, 基本满意 or 不满意.
            reason: Why the villager is not satisfied (required for 不满意).
            by_phone: Staff record a rating the villager gave by phone.

        Raises:
            IntakeError: ``FORBIDDEN`` when someone not on staff records a phone rating, besides
                the refusals of :func:`intake.rules.check`.

        """
        if rating is Rating.UNRATED:
            raise IntakeError(ErrorCode.INVALID_INPUT, "请选择满意、基本满意或不满意。")
        clean_reason = (
            validation.clean_text(reason, what="不满意的原因", limit=self._config.max_text_chars)
            if rating is Rating.DISSATISFIED or reason
            else None
        )

        note = clean_reason
        if by_phone:
            note = f"{PHONE_FEEDBACK_NOTE}：{clean_reason}" if clean_reason else PHONE_FEEDBACK_NOTE

        async def apply(change: _Change) -> None:
            if by_phone and not change.actor_view.role.is_staff:
                raise IntakeError(ErrorCode.FORBIDDEN, "只有工作人员可以记录电话回访的评价。")
            change.check(Action.RECORD_FEEDBACK)
            ticket = change.ticket
            ticket.rating = rating
            ticket.feedback_due_at = None
            change.record(EventType.FEEDBACK_RECORDED, rating=rating, text=note)
            if rating is Rating.DISSATISFIED:
                change.record(
                    EventType.REOPENED, **change.move(_working_state(ticket)), text=clean_reason
                )
            else:
                ticket.closed_at = change.now
                change.record(EventType.CLOSED, **change.move(TicketState.CLOSED), rating=rating)

        return await self._change(actor_id, number, apply)

    async def close(self, actor_id: int, number: str, *, reason: str) -> Outcome:
        """Close an answered ticket without a rating (未评价), e.g. when 回访 is impossible."""
        clean_reason = validation.clean_text(reason, what="办结说明", limit=validation.REASON_MAX)

        async def apply(change: _Change) -> None:
            change.check(Action.CLOSE)
            _close_unrated(change, clean_reason)

        return await self._change(actor_id, number, apply)

    async def close_unrated(self) -> list[Outcome]:
        """Close every ticket whose 回访 period ran out (the scheduled sweep; no actor).

        Returns:
            One outcome per ticket closed. A ticket changed concurrently (e.g. rated just now)
            is left alone.

        """
        async with self._sessions() as session:
            numbers = (
                await session.scalars(
                    select(Ticket.number).where(
                        Ticket.state == TicketState.AWAITING_FEEDBACK,
                        Ticket.feedback_due_at <= self._now(),
                    )
                )
            ).all()

        async def apply(change: _Change) -> None:
            # Re-checked inside the transaction: the villager may have answered meanwhile.
            due = change.ticket.feedback_due_at
            waiting = change.ticket.state is TicketState.AWAITING_FEEDBACK
            if waiting and due is not None and due <= change.now:
                _close_unrated(change, UNRATED_CLOSING_NOTE)

        outcomes = []
        for number in numbers:
            try:
                outcome = await self._change(None, number, apply)
            except IntakeError as error:
                if error.code is not ErrorCode.CONFLICT:
                    raise
                continue
            if outcome.events:
                outcomes.append(outcome)
        return outcomes

    # The thread -----------------------------------------------------------------------------

    async def post_message(
        self, actor_id: int, number: str, text: str, *, internal: bool = False
    ) -> Outcome:
        """Write in a ticket's thread as staff: to the villager, or (internal) to staff only.

        A public message is not the answer (答复): the ticket's state and deadlines stay.

        Raises:
            IntakeError: ``FORBIDDEN`` for non-staff; ``WRONG_STATE`` for a public message on a
                finished ticket; ``EMPTY_TEXT`` / ``TEXT_TOO_LONG``.

        """
        clean = validation.clean_text(text, what="留言", limit=self._config.max_text_chars)

        async def apply(change: _Change) -> None:
            change.check(Action.NOTE if internal else Action.MESSAGE)
            visibility = Visibility.INTERNAL if internal else Visibility.PUBLIC
            change.write(Side.STAFF, visibility, clean)

        return await self._change(actor_id, number, apply)

    async def request_more(self, actor_id: int, number: str, text: str) -> Outcome:
        """Ask the villager for more (补充材料) without answering: the ticket waits on them.

        Until the villager writes in the thread, :attr:`TicketView.more_requested_at` is set;
        their next message clears it and records ``more_received``.
        """
        clean = validation.clean_text(
            text, what="需要补充的材料", limit=self._config.max_text_chars
        )

        async def apply(change: _Change) -> None:
            change.check(Action.REQUEST_MORE)
            change.ticket.more_requested_at = change.now
            change.record(EventType.MORE_REQUESTED, text=clean)
            change.write(Side.STAFF, Visibility.PUBLIC, clean)

        return await self._change(actor_id, number, apply)

    async def add_villager_message(
        self,
        actor_id: int,
        number: str,
        *,
        text: str | None,
        attachment: Attachment | None = None,
        source_key: str,
    ) -> Outcome:
        """Add the villager's message (words, a file, or both) to the thread of their ticket.

        Only the ticket's villager or whoever filed it writes on the villager's side, and only
        while the ticket is not finished. Adding the same ``source_key`` again adds nothing.

        Returns:
            The outcome with the new message (``more_received`` too if the ticket waited on the
            villager); for a repeat, no events and no message.

        Raises:
            IntakeError: ``NOT_FOUND``, ``WRONG_STATE``, ``EMPTY_TEXT`` or ``TEXT_TOO_LONG``.

        """
        clean = (text or "").strip() or None
        if clean is None and attachment is None:
            raise IntakeError(ErrorCode.EMPTY_TEXT, "补充的内容不能为空。")
        if clean is not None:
            clean = validation.clean_text(
                clean, what="补充的内容", limit=self._config.max_text_chars
            )

        async def apply(change: _Change) -> None:
            ticket = change.ticket
            if change.actor_view.id not in (ticket.villager_id, ticket.filed_by_id):
                raise _not_found(number)
            if ticket.state in CLOSED_STATES:
                raise IntakeError(
                    ErrorCode.WRONG_STATE,
                    f"工单 {number} 已经{ticket.state.label}，不能再补充；如有新情况，请重新登记。",
                )
            repeat = await change.session.scalar(
                select(TicketMessage.id).where(TicketMessage.source_key == source_key)
            )
            if repeat is not None:
                return
            if ticket.more_requested_at is not None:
                ticket.more_requested_at = None
                change.record(EventType.MORE_RECEIVED)
            change.write(Side.VILLAGER, Visibility.PUBLIC, clean, attachment, source_key)

        return await self._change(actor_id, number, apply)

    async def thread(self, actor_id: int, number: str) -> tuple[ThreadMessageView, ...]:
        """The ticket's thread, oldest first; villagers and liaisons see only public messages."""
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            ticket = await self._visible_ticket(session, number, actor)
            query = select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
            if not actor.role.is_staff:
                query = query.where(TicketMessage.visibility == Visibility.PUBLIC)
            messages = await session.scalars(query.order_by(TicketMessage.id))
            return tuple(message.to_view() for message in messages)

    async def open_tickets_of(self, telegram_id: int) -> tuple[TicketView, ...]:
        """The unfinished tickets a Telegram user is the villager of or filed, newest first.

        Looked up by Telegram id so that asking does not register anyone: someone unknown simply
        has none.
        """
        person = select(User.id).where(User.telegram_id == telegram_id).scalar_subquery()
        async with self._sessions() as session:
            query = (
                select(Ticket)
                .where(
                    or_(Ticket.villager_id == person, Ticket.filed_by_id == person),
                    Ticket.state.in_(OPEN_STATES),
                )
                .order_by(Ticket.received_at.desc(), Ticket.id.desc())
                .limit(LIST_LIMIT_MAX)
            )
            return tuple(ticket.to_view() for ticket in await session.scalars(query))

    # Reading --------------------------------------------------------------------------------

    async def get_ticket(self, actor_id: int, number: str) -> TicketView:
        """The ticket, if the actor may see it.

        Raises:
            IntakeError: ``NOT_FOUND`` whether it does not exist or is hidden from the actor.

        """
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            return (await self._visible_ticket(session, number, actor)).to_view()

    async def history(self, actor_id: int, number: str) -> tuple[EventView, ...]:
        """The ticket's events, oldest first; villagers and liaisons see only public ones."""
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            ticket = await self._visible_ticket(session, number, actor)
            query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
            if not actor.role.is_staff:
                query = query.where(TicketEvent.visibility == Visibility.PUBLIC)
            events = await session.scalars(query.order_by(TicketEvent.id))
            return tuple(event.to_view() for event in events)

    async def list_tickets(
        self,
        actor_id: int,
        filters: TicketFilter | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[TicketView, ...]:
        """Tickets the actor may see, newest first.

        Args:
            actor_id: Who asks.
            filters: Which tickets; all visible ones if omitted.
            limit: At most this many (capped at 200).
            offset: Skip this many, for paging.

        """
        filters = filters or TicketFilter()
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            query = _filtered(select(Ticket), filters).where(visible_clause(actor.to_view()))
            query = query.order_by(Ticket.received_at.desc(), Ticket.id.desc())
            query = query.limit(max(0, min(limit, LIST_LIMIT_MAX))).offset(max(0, offset))
            return tuple(ticket.to_view() for ticket in await session.scalars(query))

    async def overdue(self, actor_id: int) -> tuple[DeadlineAlert, ...]:
        """Running deadlines already passed, on tickets the actor may see, earliest first."""
        now = self._now()
        return await self._alerts(actor_id, lambda due: due <= now, now)

    async def due_soon(
        self, actor_id: int, within: timedelta | None = None
    ) -> tuple[DeadlineAlert, ...]:
        """Running deadlines that pass within ``within`` (default from the configuration)."""
        now = self._now()
        horizon = now + (within or timedelta(hours=self._config.deadlines.due_soon_hours))
        return await self._alerts(actor_id, lambda due: now < due <= horizon, horizon)

    async def report(self, start: date, end: date) -> Report:
        """The township's figures for the period from ``start`` to ``end`` (inclusive).

        The figures are aggregates without personal data, so no actor is checked; see
        :mod:`intake.reporting` for what each one counts. A period ending after today is counted
        up to today.

        Raises:
            IntakeError: ``INVALID_INPUT`` if ``end`` is before ``start`` or the period has not
                begun yet.

        """
        if end < start:
            raise IntakeError(ErrorCode.INVALID_INPUT, "结束日期不能早于开始日期。")
        now = self._now()
        today = self.deadlines.local_date(now)
        if start > today:
            raise IntakeError(
                ErrorCode.INVALID_INPUT,
                f"开始日期 {start} 还没到，请选择今天（{today}）以前的日期。",
            )
        tz = self._config.tz
        as_of = min(end, today)
        cutoff = datetime.combine(as_of + timedelta(days=1), time(), tz)
        window = Window(
            since=datetime.combine(start, time(), tz),
            cutoff=cutoff,
            checked_at=min(now, cutoff),
            as_of=as_of,
            tz=tz,
        )
        async with self._sessions() as session:
            counts = await count_groups(session, window, self._engine.dialect.name)
        labels = ReportLabels(
            villages=tuple((v.code, v.name) for v in self._config.township.villages),
            categories=self._config.categories,
        )
        return build_report(counts, start=start, end=end, as_of=as_of, labels=labels)

    # Internals ------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return now.astimezone(UTC)

    async def _change(
        self,
        actor_id: int | None,
        number: str,
        apply: Callable[[_Change], Awaitable[None]],
    ) -> Outcome:
        """Run ``apply`` on one ticket in one transaction, refusing stale concurrent updates."""
        now = self._now()
        try:
            async with self._sessions.begin() as session:
                if actor_id is None:
                    actor = None
                    ticket = await self._require_ticket(session, number)
                else:
                    actor = await self._require_user(session, actor_id)
                    ticket = await self._visible_ticket(session, number, actor)
                change = _Change(session, actor, ticket, now)
                await apply(change)
                outcome = await self._finish(session, change)
        except StaleDataError:
            raise await self._conflict(number) from None
        self._log(outcome)
        return outcome

    async def _finish(self, session: AsyncSession, change: _Change) -> Outcome:
        session.add_all(change.events)
        if change.message is not None:
            session.add(change.message)
        # Flushing here runs the version check, so a lost race surfaces as StaleDataError.
        await session.flush()
        return Outcome(
            ticket=change.ticket.to_view(),
            events=tuple(event.to_view() for event in change.events),
            message=change.message.to_view() if change.message is not None else None,
        )

    async def _conflict(self, number: str) -> IntakeError:
        async with self._sessions() as session:
            ticket = await self._require_ticket(session, number)
        return IntakeError(
            ErrorCode.CONFLICT,
            f"工单 {number} 刚刚被其他人处理（现为「{ticket.state.label}」），"
            "您的操作没有生效，请刷新后再看。",
        )

    def _change_level(
        self,
        change: _Change,
        type_: EventType,
        target: Level,
        reason: str,
        lead_unit: str | None,
        co_units: tuple[str, ...],
    ) -> None:
        ticket = change.ticket
        before = ticket.level
        ticket.level = target
        ticket.assignee_id = None
        ticket.lead_unit = lead_unit
        ticket.co_unit_rows = [TicketCoUnit(unit=unit) for unit in co_units]
        ticket.level_due_at = self.deadlines.level_due(change.now, target)
        change.record(
            type_,
            from_level=before,
            to_level=target,
            text=reason,
            due_at=ticket.level_due_at,
            lead_unit=lead_unit,
            co_units=list(co_units) if co_units else None,
        )

    def _check_units(self, lead_unit: str | None, co_units: tuple[str, ...]) -> None:
        if lead_unit is None:
            raise IntakeError(ErrorCode.INVALID_INPUT, "部门联动需要指定牵头单位。")
        unknown = [u for u in (lead_unit, *co_units) if u not in self._config.units]
        if unknown:
            raise IntakeError(
                ErrorCode.UNKNOWN_UNIT,
                f"没有这些单位：{'、'.join(unknown)}；可选：{'、'.join(self._config.units)}。",
            )
        if lead_unit in co_units:
            raise IntakeError(ErrorCode.INVALID_INPUT, "牵头单位不能同时是协办单位。")

    async def _change_role(
        self,
        session: AsyncSession,
        actor: User | None,
        user: User,
        role: Role,
        village_code: str | None,
        grid_code: str | None,
        unit: str | None,
    ) -> RoleChange:
        before = user.role
        user.role = role
        user.village_code, user.grid_code, user.unit = village_code, grid_code, unit
        record = RoleChangeRecord(
            user_id=user.id,
            actor_id=actor.id if actor is not None else None,
            created_at=self._now(),
            from_role=before,
            to_role=role,
            village_code=village_code,
            grid_code=grid_code,
            unit=unit,
        )
        session.add(record)
        await session.flush()
        return RoleChange(
            id=record.id,
            user=user.to_view(),
            actor_id=record.actor_id,
            from_role=before,
            created_at=record.created_at,
        )

    def _repeat_filing(self, actor: User, ticket: Ticket) -> Outcome:
        if not can_see(actor.to_view(), ticket.to_view()):
            raise IntakeError(ErrorCode.CONFLICT, "这条消息已经被登记过了。")
        return Outcome(ticket=ticket.to_view(), events=())

    async def _alerts(
        self, actor_id: int, passes: Callable[[datetime], bool], horizon: datetime
    ) -> tuple[DeadlineAlert, ...]:
        async with self._sessions() as session:
            actor = await self._require_user(session, actor_id)
            query = select(Ticket).where(
                visible_clause(actor.to_view()),
                Ticket.state.in_(WORKING_STATES),
                or_(
                    Ticket.accept_due_at <= horizon,
                    Ticket.handle_due_at <= horizon,
                    Ticket.level_due_at <= horizon,
                ),
            )
            tickets = [ticket.to_view() for ticket in await session.scalars(query)]
        alerts = [
            DeadlineAlert(ticket=ticket, kind=kind, due_at=due)
            for ticket in tickets
            for kind, due in open_deadlines(ticket)
            if passes(due)
        ]
        return tuple(sorted(alerts, key=lambda alert: (alert.due_at, alert.ticket.number)))

    async def _next_number(self, session: AsyncSession, now: datetime) -> str:
        year = self.deadlines.local_date(now).year
        insert = postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(TicketSequence)
            .values(year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[TicketSequence.year],
                set_={"last_value": TicketSequence.last_value + 1},
            )
            .returning(TicketSequence.last_value)
        )
        value = (await session.execute(statement)).scalar_one()
        return f"{year}-{value:06d}"

    async def _require_user(self, session: AsyncSession, user_id: int) -> User:
        user = await session.get(User, user_id)
        if user is None:
            raise IntakeError(ErrorCode.UNKNOWN_USER, f"没有找到编号为 {user_id} 的用户。")
        return user

    async def _user_by_telegram(self, session: AsyncSession, telegram_id: int) -> User | None:
        result = await session.scalars(select(User).where(User.telegram_id == telegram_id))
        return result.one_or_none()

    async def _ticket_by_source_key(self, session: AsyncSession, key: str) -> Ticket | None:
        result = await session.scalars(select(Ticket).where(Ticket.source_key == key))
        return result.one_or_none()

    async def _require_ticket(self, session: AsyncSession, number: str) -> Ticket:
        result = await session.scalars(select(Ticket).where(Ticket.number == number.strip()))
        ticket = result.one_or_none()
        if ticket is None:
            raise _not_found(number)
        return ticket

    async def _visible_ticket(self, session: AsyncSession, number: str, actor: User) -> Ticket:
        ticket = await self._require_ticket(session, number)
        if not can_see(actor.to_view(), ticket.to_view()):
            raise _not_found(number)
        return ticket

    @staticmethod
    def _log(outcome: Outcome) -> None:
        # Numbers, types and ids only: ticket text and phone numbers never go to the log.
        for event in outcome.events:
            log.info(
                "ticket %s: %s by user %s", outcome.ticket.number, event.type.value, event.actor_id
            )


_Query = TypeVar("_Query", bound=Select[Any])


def _not_found(number: str) -> IntakeError:
    return IntakeError(ErrorCode.NOT_FOUND, f"没有找到工单 {number.strip()}，或您无权查看。")


def _working_state(ticket: Ticket) -> TicketState:
    """The state of a ticket being handled: 延期 once extended, else 办理中."""
    return TicketState.EXTENDED if ticket.extension_days is not None else TicketState.IN_PROGRESS


def _close_unrated(change: _Change, note: str) -> None:
    change.ticket.rating = Rating.UNRATED
    change.ticket.closed_at = change.now
    change.ticket.feedback_due_at = None
    change.record(
        EventType.CLOSED, **change.move(TicketState.CLOSED), rating=Rating.UNRATED, text=note
    )


def _check_role_area(
    config: IntakeConfig,
    role: Role,
    village_code: str | None,
    grid_code: str | None,
    unit: str | None,
) -> None:
    if role is Role.GRID_WORKER and grid_code is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, "网格员需要指定所在网格。")
    if role in (Role.VILLAGE_MEDIATOR, Role.LIAISON) and village_code is None:
        raise IntakeError(ErrorCode.INVALID_INPUT, f"{role.label}需要指定所在村（社区）。")
    if role is Role.DEPARTMENT:
        if unit is None:
            raise IntakeError(ErrorCode.INVALID_INPUT, "部门人员需要指定所在单位。")
        if unit not in config.units:
            raise IntakeError(
                ErrorCode.UNKNOWN_UNIT,
                f"没有「{unit}」这个单位；可选：{'、'.join(config.units)}。",
            )
    elif unit is not None:
        raise IntakeError(ErrorCode.INVALID_INPUT, "只有部门人员需要填写所在单位。")


def _filtered(query: _Query, filters: TicketFilter) -> _Query:
    if filters.states:
        query = query.where(Ticket.state.in_(filters.states))
    if filters.levels:
        query = query.where(Ticket.level.in_(filters.levels))
    if filters.kinds:
        query = query.where(Ticket.kind.in_(filters.kinds))
    if filters.village_code is not None:
        query = query.where(Ticket.village_code == filters.village_code)
    if filters.grid_code is not None:
        query = query.where(Ticket.grid_code == filters.grid_code)
    if filters.category is not None:
        query = query.where(Ticket.category == filters.category)
    if filters.assignee_id is not None:
        query = query.where(Ticket.assignee_id == filters.assignee_id)
    if filters.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    return query
