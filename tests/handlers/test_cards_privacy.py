"""The group's view of a ticket: ID and phone numbers masked, the rest as it is."""

from handlers.staff.cards import group_view
from tests.intake.conftest import ticket_view


def test_privacy_mask_group_view_masks_the_story_and_the_contact_phone() -> None:
    ticket = ticket_view(
        text="身份证630122198001011234，电话13912345678，占道",
        contact_phone="13912345678",
        contact_consent=True,
    )

    seen = group_view(ticket)

    assert seen.text == "身份证**************1234，电话*******5678，占道"
    assert seen.contact_phone == "*******5678"
    assert (seen.number, seen.villager_name, seen.category) == ("2026-000001", "张三", "相邻")
    assert ticket.text.startswith("身份证630122198001011234")  # the ticket itself is untouched


def test_privacy_mask_group_view_without_a_phone() -> None:
    assert group_view(ticket_view(contact_phone=None)).contact_phone is None
