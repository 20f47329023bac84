"""The card's buttons come from the action catalogue: every action has its button."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.staff.cards import Press, card_keyboard, more_keyboard, parse_press, press_data
from handlers.texts import staff as texts
from intake import Level, TicketState
from intake.actions import CATALOGUE, TicketAction
from intake.states import CLOSED_STATES, OPEN_STATES
from tests.intake.conftest import ticket_view


def _shaped_for(entry: TicketAction, state: TicketState) -> dict[str, Any]:
    """Ticket fields in ``state`` that let ``entry`` apply (e.g. 下派 needs a level above 网格)."""
    fields: dict[str, Any] = {"state": state}
    if entry.code == "deescalate":
        fields["level"] = Level.VILLAGE
    return fields


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry.code)
def test_every_catalogue_action_has_a_button_in_each_of_its_states(entry: TicketAction) -> None:
    assert Press(entry.code).value == entry.code
    for state in entry.states:
        ticket = ticket_view(**_shaped_for(entry, state))
        assert entry.applies(ticket)
        menu = more_keyboard(ticket)
        wanted = press_data(Press(entry.code), ticket.number)
        labels = {b.callback_data: b.text for row in menu.inline_keyboard for b in row}
        assert labels.get(wanted) == entry.label, (entry.code, state)
        parsed = parse_press(wanted)
        assert parsed is not None and parsed.press.value == entry.code


@pytest.mark.parametrize("state", sorted(TicketState))
def test_open_cards_lead_to_the_menu_and_finished_ones_have_no_buttons(state: TicketState) -> None:
    keyboard = card_keyboard(ticket_view(state=state))
    texts_shown = [b.text for row in keyboard.inline_keyboard for b in row] if keyboard else []
    if state in OPEN_STATES:
        assert texts_shown[-1] == texts.BUTTON_MORE
    else:
        assert state in CLOSED_STATES and keyboard is None
