from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge.contacts import Contacts
from knowledge.loader import BUNDLED, CONTACTS_FILE

CONTACTS = {
    "sample": False,
    "township": {
        "司法所": {"name": "镇司法所", "phone": "0971-1234567", "hours": "工作日上午"},
        "妇联": {"name": "镇妇联"},
    },
    "village": {
        "default": {"村委会": {"name": "村委会"}, "法律顾问": {"name": "村里的法律顾问"}},
        "V01": {
            "村委会": {"name": "一村村委会", "phone": "13800000001"},
            "法律顾问": {"name": "李律师", "phone": "13800000002", "where": "村委会二楼"},
        },
    },
}


@pytest.fixture
def contacts() -> Contacts:
    return Contacts.model_validate(CONTACTS)


def test_a_contact_is_filled_in_with_its_details_once(contacts: Contacts) -> None:
    text = "先到{contact:司法所}问，{contact:司法所}会帮您；也可找{contact:妇联}。"
    assert contacts.fill(text) == (
        "先到镇司法所（电话 0971-1234567；工作日上午）问，镇司法所会帮您；也可找镇妇联。"
    )


def test_a_known_village_reads_its_own_people_and_others_the_default(contacts: Contacts) -> None:
    text = "请{contact:法律顾问}看看，或问{contact:村委会}。"
    assert contacts.fill(text, "V01") == (
        "请李律师（电话 13800000002；村委会二楼）看看，或问一村村委会（电话 13800000001）。"
    )
    assert contacts.fill(text, "V02") == "请村里的法律顾问看看，或问村委会。"
    assert contacts.fill(text) == "请村里的法律顾问看看，或问村委会。"


def test_only_per_village_references_need_the_village(contacts: Contacts) -> None:
    assert contacts.needs_village("问{contact:村委会}")
    assert not contacts.needs_village("问{contact:司法所}")
    assert not contacts.needs_village("打12348")


def test_unknown_references_are_listed_in_order(contacts: Contacts) -> None:
    assert contacts.unknown("{contact:司法局}{contact:司法所}{contact:}") == ["司法局", ""]


def test_every_village_must_name_the_same_people() -> None:
    broken = {**CONTACTS, "village": {**CONTACTS["village"], "V02": {"村委会": {"name": "二村"}}}}
    with pytest.raises(ValidationError, match="V02"):
        Contacts.model_validate(broken)


def test_the_default_village_is_required() -> None:
    with pytest.raises(ValidationError, match="default"):
        Contacts.model_validate({**CONTACTS, "village": {"V01": CONTACTS["village"]["V01"]}})


def test_a_reference_is_either_township_wide_or_per_village() -> None:
    township = {**CONTACTS["township"], "村委会": {"name": "镇上的村委会"}}
    with pytest.raises(ValidationError, match="村委会"):
        Contacts.model_validate({**CONTACTS, "township": township})


def test_the_shipped_sample_says_so_and_gives_no_phone_number() -> None:
    sample = Contacts.load(BUNDLED / CONTACTS_FILE)
    assert sample.sample
    people = [*sample.township.values()]
    people += [c for village in sample.village.values() for c in village.values()]
    assert [c.phone for c in people if c.phone] == []


def test_a_contacts_file_is_read_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "contacts.yaml"
    path.write_text(
        "sample: false\ntownship:\n  司法所: {name: 镇司法所, phone: '110'}\n"
        "village:\n  default:\n    村委会: {name: 村委会}\n",
        encoding="utf-8",
    )
    assert Contacts.load(path).fill("{contact:司法所}") == "镇司法所（电话 110）"
