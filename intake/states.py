"""Named sets of ticket states, defined once for every list, count and reminder.

* **triage** — waiting for the acceptance decision (new, or returned to triage);
* **handling** — accepted and being worked on at some level of the chain;
* **working** — triage or handling: staff still owe an answer and the deadlines run;
* **waiting on villager** — answered and sent to 回访, waiting for the villager's rating;
* **closed** — finished, whether closed after 回访 or not accepted at all;
* **open** — everything not closed, including tickets answered and waiting on the villager.
"""

from __future__ import annotations

from intake.enums import TicketState

TRIAGE_STATES = frozenset({TicketState.NEW, TicketState.RETURNED})
HANDLING_STATES = frozenset({TicketState.ACCEPTED, TicketState.IN_PROGRESS, TicketState.EXTENDED})
WORKING_STATES = TRIAGE_STATES | HANDLING_STATES
WAITING_ON_VILLAGER_STATES = frozenset({TicketState.AWAITING_FEEDBACK})
CLOSED_STATES = frozenset({TicketState.CLOSED, TicketState.REJECTED})
OPEN_STATES = frozenset(TicketState) - CLOSED_STATES
