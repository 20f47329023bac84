"""The township's own contacts, named in answers as ``{contact:司法所}``, filled in at reply time.

An answer names a contact by its reference (``司法所``, ``村委会``); the contacts file says what a
villager reads in its place: the office's name and, where the township has filled them in, its
phone, address and opening hours. References under ``village`` are per village: a villager whose
village is known reads his own committee and legal adviser, anyone else the ``default`` ones.
Only the first mention of a contact in a text carries its details, so an answer that names the
司法所 twice does not repeat its phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.yaml_file import read_yaml

PLACEHOLDER = re.compile(r"\{contact:([^{}]*)\}")
DEFAULT_VILLAGE = "default"

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Contact(BaseModel):
    """One office or person a villager can turn to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: _Text
    phone: _Text | None = None
    where: _Text | None = None
    hours: _Text | None = None

    def display(self, *, details: bool) -> str:
        """The name, followed by phone, address and hours in brackets when asked and known."""
        known = [
            f"电话 {self.phone}" if self.phone else None,
            self.where,
            self.hours,
        ]
        shown = "；".join(part for part in known if part)
        return f"{self.name}（{shown}）" if details and shown else self.name


class Contacts(BaseModel):
    """The contacts file: the township's offices and each village's own people.

    Attributes:
        sample: Whether this is still the shipped sample, with no phone numbers of its own.
        township: Reference to the contact, the same for every villager.
        village: Village code (or ``default``) to that village's contacts by reference; every
            village names the same references as ``default``.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sample: bool
    township: Mapping[_Text, Contact]
    village: Mapping[_Text, Mapping[_Text, Contact]] = Field(min_length=1)

    @model_validator(mode="after")
    def _villages_name_the_same_references(self) -> Contacts:
        if DEFAULT_VILLAGE not in self.village:
            raise ValueError(f"village: the {DEFAULT_VILLAGE!r} contacts are missing")
        expected = set(self.village[DEFAULT_VILLAGE])
        for code, contacts in self.village.items():
            if set(contacts) != expected:
                raise ValueError(
                    f"village {code}: names {sorted(contacts)}, expected {sorted(expected)}"
                )
        both = expected & set(self.township)
        if both:
            raise ValueError(f"references both township-wide and per village: {sorted(both)}")
        return self

    @classmethod
    def load(cls, path: Path) -> Contacts:
        """Read and validate a contacts file.

        Raises:
            OSError: The file cannot be read.
            yaml.YAMLError: The file is not valid YAML.
            pydantic.ValidationError: The file does not have the shape above.

        """
        return cls.model_validate(read_yaml(path))

    @property
    def references(self) -> frozenset[str]:
        """Every name an answer may put in ``{contact:…}``."""
        return frozenset(self.township) | frozenset(self.village[DEFAULT_VILLAGE])

    def unknown(self, text: str) -> list[str]:
        """The references in a text that name no contact, in order of appearance."""
        return [name for name in _references(text) if name not in self.references]

    def needs_village(self, text: str) -> bool:
        """Whether the text names a per-village contact, so the villager's village matters."""
        return any(name in self.village[DEFAULT_VILLAGE] for name in _references(text))

    def fill(self, text: str, village_code: str | None = None) -> str:
        """The text with every reference replaced by the contact's name (and, once, details).

        A village without contacts of its own (or no village) gets the ``default`` ones.
        """
        own = self.village.get(village_code or DEFAULT_VILLAGE, self.village[DEFAULT_VILLAGE])
        seen: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            contact = own.get(name) or self.township[name]
            first = name not in seen
            seen.add(name)
            return contact.display(details=first)

        return PLACEHOLDER.sub(replace, text)


def _references(text: str) -> Iterator[str]:
    return (match.group(1) for match in PLACEHOLDER.finditer(text))
