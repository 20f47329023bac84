"""The intake service: what the Telegram handlers and the staff console call.

Every method runs in its own transaction. A method that changes a ticket records one or more
events in that same transaction and returns them in an :class:`~intake.views.Outcome`, which it
has first announced to the listener of the calling context (:mod:`intake.changes`: the bot turns
it into notices, so no caller has to remember to); a refusal raises
:class:`~intake.errors.IntakeError` and changes nothing. Events are only ever added, never
updated or deleted. Actors are identified by their user id (see :meth:`get_or_create_user`).

Deadlines follow :mod:`intake.deadlines` (calendar days for the statutory periods, working
days for the per-level targets); permissions follow :mod:`intake.rules` and
:mod:`intake.access`.
"""

from intake.service.filing import FilingService
from intake.service.handling import HandlingService
from intake.service.people import PeopleService
from intake.service.queries import QueryService
from intake.service.thread import ThreadService


class IntakeService(PeopleService, FilingService, HandlingService, ThreadService, QueryService):
    """Tickets on the four-level chain, their deadlines and history, people and reports.

    Its methods live by area, one module each in this package (people, filing, handling, the
    thread, queries), on the ground they share (:class:`~intake.service.core.ServiceCore`).

    Args:
        engine: The database, already migrated (``mingbai db upgrade``).
        config: The intake configuration.
        clock: Returns the current instant (timezone-aware); tests pass a fake one.

    Attributes:
        deadlines: The deadline policy, e.g. to show a deadline as a township date.

    """
