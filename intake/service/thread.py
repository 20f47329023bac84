"""The thread: messages between staff and the villager on a ticket."""

from __future__ import annotations

from sqlalchemy import select

from intake import texts, validation
from intake.enums import EventType, Side, Visibility
from intake.errors import ErrorCode, IntakeError
from intake.inputs import Attachment
from intake.models import TicketMessage
from intake.rules import Action
from intake.service.core import Change, ServiceCore, not_found
from intake.states import CLOSED_STATES
from intake.views import Outcome, ThreadMessageView


class ThreadService(ServiceCore):
    """Messages in a ticket's thread."""

    async def post_message(
        self, actor_id: int, number: str, text: str, *, internal: bool = False
    ) -> Outcome:
        """Write in a ticket's thread as staff: to the villager, or (internal) to staff only.

        A public message is not the answer (答复): the ticket's state and deadlines stay.

        Raises:
            IntakeError: ``FORBIDDEN`` for non-staff; ``WRONG_STATE`` for a public message on a
                finished ticket; ``EMPTY_TEXT`` / ``TEXT_TOO_LONG``.

        """
        clean = validation.clean_text(
            text, what=texts.WHAT_MESSAGE, limit=self._config.max_text_chars
        )

        async def apply(change: Change) -> None:
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
            text, what=texts.WHAT_MORE_NEEDED, limit=self._config.max_text_chars
        )

        async def apply(change: Change) -> None:
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
            raise IntakeError(ErrorCode.EMPTY_TEXT, texts.EMPTY_SUPPLEMENT)
        if clean is not None:
            clean = validation.clean_text(
                clean, what=texts.WHAT_SUPPLEMENT, limit=self._config.max_text_chars
            )

        async def apply(change: Change) -> None:
            ticket = change.ticket
            if change.actor_view.id not in (ticket.villager_id, ticket.filed_by_id):
                raise not_found(number)
            if ticket.state in CLOSED_STATES:
                raise IntakeError(
                    ErrorCode.WRONG_STATE,
                    texts.FINISHED_NO_SUPPLEMENT.format(number=number, state=ticket.state.label),
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
