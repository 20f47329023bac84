"""Handling: a ticket's way from triage through the four levels to its answer, rating and close."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from intake import rules, texts, validation
from intake.enums import LEVELS, EventType, Level, Rating, TicketState
from intake.errors import ErrorCode, IntakeError
from intake.models import Ticket, TicketCoUnit
from intake.rules import Action
from intake.service.core import Change, ServiceCore
from intake.views import Outcome


class HandlingService(ServiceCore):
    """Triage, handling along the chain, feedback and closing."""

    # Triage ---------------------------------------------------------------------------------

    async def accept(self, actor_id: int, number: str) -> Outcome:
        """Accept a new or returned ticket (受理), starting the handling and level clocks.

        A returned ticket that had been accepted before keeps its acceptance date and handling
        deadline.
        """

        async def apply(change: Change) -> None:
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
            reason, what=texts.WHAT_REJECT_REASON, limit=validation.REASON_MAX
        )
        clean_route = validation.clean_text(
            route, what=texts.WHAT_ROUTE, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
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
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_REROUTE_REASON, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
            change.check(Action.REROUTE)
            change.ticket.village_code = village.code
            change.ticket.grid_code = new_grid
            change.record(
                EventType.REROUTED, text=clean_reason, village_code=village.code, grid_code=new_grid
            )

        return await self._change(actor_id, number, apply)

    async def return_to_triage(self, actor_id: int, number: str, *, reason: str) -> Outcome:
        """Send a misrouted ticket back to triage (退回), releasing its assignee."""
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_RETURN_REASON, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
            change.check(Action.RETURN)
            change.ticket.assignee_id = None
            change.record(
                EventType.RETURNED, **change.move(TicketState.RETURNED), text=clean_reason
            )

        return await self._change(actor_id, number, apply)

    # Handling -------------------------------------------------------------------------------

    async def claim(self, actor_id: int, number: str) -> Outcome:
        """Take an unheld ticket at one's own level. Of two people claiming at once, one wins."""

        async def apply(change: Change) -> None:
            change.check(Action.CLAIM)
            holder = change.ticket.assignee_id
            if holder is not None:
                who = texts.CLAIMED_BY_YOU if holder == actor_id else texts.CLAIMED_BY_OTHER
                raise IntakeError(
                    ErrorCode.CONFLICT, texts.ALREADY_CLAIMED.format(number=number, who=who)
                )
            change.ticket.assignee_id = actor_id
            change.record(
                EventType.CLAIMED,
                **change.move(working_state(change.ticket)),
                assignee_id=actor_id,
            )

        return await self._change(actor_id, number, apply)

    async def assign(self, actor_id: int, number: str, assignee_id: int) -> Outcome:
        """Give a ticket to someone who works at its current level and area."""

        async def apply(change: Change) -> None:
            change.check(Action.ASSIGN)
            assignee = await self._require_user(change.session, assignee_id)
            if not rules.can_claim(assignee.to_view(), change.ticket.to_view()):
                raise IntakeError(
                    ErrorCode.INVALID_INPUT,
                    texts.NOT_ASSIGNABLE.format(
                        name=assignee.display_name,
                        role=assignee.role.label,
                        level=change.ticket.level.label,
                    ),
                )
            if change.ticket.assignee_id == assignee_id:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT,
                    texts.ALREADY_ASSIGNED.format(number=number, name=assignee.display_name),
                )
            change.ticket.assignee_id = assignee_id
            change.record(
                EventType.ASSIGNED,
                **change.move(working_state(change.ticket)),
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
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_ESCALATE_REASON, limit=validation.REASON_MAX
        )
        units = tuple(dict.fromkeys(co_units))

        async def apply(change: Change) -> None:
            change.check(Action.ESCALATE)
            ticket = change.ticket
            if ticket.level is Level.DEPARTMENT and to_level is None:
                raise IntakeError(ErrorCode.INVALID_INPUT, texts.AT_THE_TOP.format(number=number))
            target = to_level or LEVELS[ticket.level.rank + 1]
            rules.check_level_change(change.actor_view, ticket.to_view(), target, up=True)
            if target is Level.DEPARTMENT:
                self._check_units(lead_unit, units)
            elif lead_unit is not None or units:
                raise IntakeError(ErrorCode.INVALID_INPUT, texts.UNITS_ONLY_FOR_DEPARTMENT)
            self._change_level(change, EventType.ESCALATED, target, clean_reason, lead_unit, units)

        return await self._change(actor_id, number, apply)

    async def deescalate(
        self, actor_id: int, number: str, *, reason: str, to_level: Level | None = None
    ) -> Outcome:
        """Move a ticket down the chain (to the previous level unless ``to_level`` says so)."""
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_DEESCALATE_REASON, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
            change.check(Action.DEESCALATE)
            ticket = change.ticket
            if ticket.level is Level.GRID:
                raise IntakeError(
                    ErrorCode.INVALID_INPUT, texts.AT_THE_BOTTOM.format(number=number)
                )
            target = to_level or LEVELS[ticket.level.rank - 1]
            rules.check_level_change(change.actor_view, ticket.to_view(), target, up=False)
            self._change_level(change, EventType.DEESCALATED, target, clean_reason, None, ())

        return await self._change(actor_id, number, apply)

    async def add_note(self, actor_id: int, number: str, text: str) -> Outcome:
        """Add an internal note (staff only; villagers never see it)."""
        clean = validation.clean_text(text, what=texts.WHAT_NOTE, limit=self._config.max_text_chars)

        async def apply(change: Change) -> None:
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
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_EXTEND_REASON, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
            ticket = change.ticket
            if ticket.extension_days is not None:
                raise IntakeError(
                    ErrorCode.ALREADY_EXTENDED,
                    texts.ALREADY_EXTENDED.format(number=number, days=ticket.extension_days),
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
        clean = validation.clean_text(
            text, what=texts.WHAT_REPLY, limit=self._config.max_text_chars
        )

        async def apply(change: Change) -> None:
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

    def _change_level(
        self,
        change: Change,
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
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.LEAD_UNIT_NEEDED)
        unknown = [u for u in (lead_unit, *co_units) if u not in self._config.units]
        if unknown:
            raise IntakeError(
                ErrorCode.UNKNOWN_UNIT,
                texts.UNKNOWN_UNITS.format(
                    unknown=texts.LIST_JOIN.join(unknown),
                    units=texts.LIST_JOIN.join(self._config.units),
                ),
            )
        if lead_unit in co_units:
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.LEAD_ALSO_CO_UNIT)

    # Feedback and closing ---------------------------------------------------------------------

    async def request_feedback(self, actor_id: int, number: str) -> Outcome:
        """Ask the villager to rate the answer (回访); unanswered, it closes as 未评价."""

        async def apply(change: Change) -> None:
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
            raise IntakeError(ErrorCode.INVALID_INPUT, texts.CHOOSE_RATING)
        clean_reason = (
            validation.clean_text(
                reason, what=texts.WHAT_DISSATISFIED_REASON, limit=self._config.max_text_chars
            )
            if rating is Rating.DISSATISFIED or reason
            else None
        )

        note = clean_reason
        if by_phone:
            note = (
                texts.PHONE_FEEDBACK_WITH_REASON.format(
                    note=texts.PHONE_FEEDBACK_NOTE, reason=clean_reason
                )
                if clean_reason
                else texts.PHONE_FEEDBACK_NOTE
            )

        async def apply(change: Change) -> None:
            if by_phone and not change.actor_view.role.is_staff:
                raise IntakeError(ErrorCode.FORBIDDEN, texts.PHONE_RATING_BY_STAFF)
            change.check(Action.RECORD_FEEDBACK)
            ticket = change.ticket
            ticket.rating = rating
            ticket.feedback_due_at = None
            change.record(EventType.FEEDBACK_RECORDED, rating=rating, text=note)
            if rating is Rating.DISSATISFIED:
                change.record(
                    EventType.REOPENED, **change.move(working_state(ticket)), text=clean_reason
                )
            else:
                ticket.closed_at = change.now
                change.record(EventType.CLOSED, **change.move(TicketState.CLOSED), rating=rating)

        return await self._change(actor_id, number, apply)

    async def close(self, actor_id: int, number: str, *, reason: str) -> Outcome:
        """Close an answered ticket without a rating (未评价), e.g. when 回访 is impossible."""
        clean_reason = validation.clean_text(
            reason, what=texts.WHAT_CLOSE_REASON, limit=validation.REASON_MAX
        )

        async def apply(change: Change) -> None:
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

        async def apply(change: Change) -> None:
            # Re-checked inside the transaction: the villager may have answered meanwhile.
            due = change.ticket.feedback_due_at
            waiting = change.ticket.state is TicketState.AWAITING_FEEDBACK
            if waiting and due is not None and due <= change.now:
                _close_unrated(change, texts.UNRATED_CLOSING_NOTE)

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


def working_state(ticket: Ticket) -> TicketState:
    """The state of a ticket being handled: 延期 once extended, else 办理中."""
    return TicketState.EXTENDED if ticket.extension_days is not None else TicketState.IN_PROGRESS


def _close_unrated(change: Change, note: str) -> None:
    change.ticket.rating = Rating.UNRATED
    change.ticket.closed_at = change.now
    change.ticket.feedback_due_at = None
    change.record(
        EventType.CLOSED, **change.move(TicketState.CLOSED), rating=Rating.UNRATED, text=note
    )
