"""Loading and validating the FAQ base: entries, domains, citable laws, contacts, the lexicon."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.citations import load_law_names, load_readable_names, sources_line
from knowledge.contacts import Contacts
from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.schema import FaqEntry, FaqFile
from knowledge.yaml_file import read_yaml

BUNDLED = Path(__file__).parent
BUNDLED_FAQ = BUNDLED / "faq"
CONTACTS_FILE = "contacts.yaml"


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated FAQ base.

    Attributes:
        entries: Every entry, in file and then list order.
        domains: Domain name to the label villagers see, in browsing order.
        law_names: Short name of each citable law to its official title.
        readable_laws: Short name to the name villagers read, where the short name says nothing
            on its own (``彩礼规定`` reads ``最高法彩礼规定``).
        lexicon: The colloquial-to-legal rewriter.
        related: Entry id to the ids linked with it, both ways.
        contacts: The township's contacts that answers name (:mod:`knowledge.contacts`).

    """

    entries: tuple[FaqEntry, ...]
    domains: Mapping[str, str]
    law_names: Mapping[str, str]
    lexicon: Lexicon
    related: Mapping[str, tuple[str, ...]]
    contacts: Contacts
    readable_laws: Mapping[str, str]
    _by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def entry(self, entry_id: str) -> FaqEntry:
        """Return the entry with this id; ``KeyError`` if there is none."""
        return self._by_id[entry_id]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def in_domain(self, domain: str) -> tuple[FaqEntry, ...]:
        """The entries of one domain, in file order."""
        return tuple(e for e in self.entries if e.domain == domain)

    def sources_of(self, entry: FaqEntry) -> str:
        """An entry's sources as villagers read them (:func:`knowledge.citations.sources_line`)."""
        return sources_line(entry.citations, self.readable_laws)

    def related_of(self, entry: FaqEntry) -> tuple[FaqEntry, ...]:
        """The entries linked with one: its own ``related`` first, then those that link to it."""
        linked = dict.fromkeys((*entry.related, *self.related.get(entry.id, ())))
        return tuple(self.entry(other) for other in linked if other in self)


def load_knowledge_base(
    faq_dir: Path = BUNDLED_FAQ, data_dir: Path = BUNDLED, contacts_file: Path | None = None
) -> KnowledgeBase:
    """Read and validate every ``*.yaml`` file of an FAQ folder.

    Args:
        faq_dir: The folder of FAQ files.
        data_dir: The folder holding ``domains.yaml``, ``laws.yaml``, ``contacts.yaml`` and
            ``lexicon/``.
        contacts_file: The township's contacts, instead of ``data_dir``'s sample.

    Returns:
        The knowledge base.

    Raises:
        KnowledgeBaseError: With every problem found, each naming its file, entry and field.

    """
    domains = _read_mapping(data_dir / "domains.yaml", "domains")
    law_names = load_law_names(data_dir / "laws.yaml")
    readable_laws = load_readable_names(data_dir / "laws.yaml")
    lexicon = load_lexicon((data_dir / "lexicon").glob("*.yaml"))
    problems: list[Problem] = [
        Problem(data_dir / "laws.yaml", None, "readable", f"unknown law {short!r}")
        for short in readable_laws
        if short not in law_names
    ]
    contacts = _read_contacts(contacts_file or data_dir / CONTACTS_FILE)
    entries: list[FaqEntry] = []
    origin: dict[str, Path] = {}
    files = sorted(faq_dir.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError([Problem(faq_dir, None, None, "no FAQ files (*.yaml) here")])
    for path in files:
        for entry in _read_entries(path, problems):
            if entry.id in origin:
                problems.append(
                    Problem(path, entry.id, "id", f"duplicate: also in {origin[entry.id]}")
                )
                continue
            origin[entry.id] = path
            problems.extend(_check_entry(path, entry, domains, law_names))
            problems.extend(
                Problem(path, entry.id, part, f"unknown contact {{contact:{name}}}")
                for part, text in (("answer", entry.answer), ("details", entry.details or ""))
                for name in contacts.unknown(text)
            )
            entries.append(entry)
    related = _link_both_ways(entries, origin, problems)
    problems.extend(_unknown_near_targets(entries, origin))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(
        tuple(entries), domains, law_names, lexicon, related, contacts, readable_laws
    )


def _read_contacts(path: Path) -> Contacts:
    try:
        return Contacts.load(path)
    except (OSError, yaml.YAMLError) as error:
        raise KnowledgeBaseError([Problem(path, None, None, f"cannot read: {error}")]) from error
    except ValidationError as error:
        raise KnowledgeBaseError(validation_problems(path, None, error)) from error


def _read_mapping(path: Path, key: str) -> dict[str, str]:
    data = read_yaml(path)
    return {str(k): str(v) for k, v in data[key].items()}


def _read_entries(path: Path, problems: list[Problem]) -> list[FaqEntry]:
    try:
        raw = read_yaml(path)
        top = FaqFile.model_validate(raw)
    except (OSError, yaml.YAMLError) as error:
        problems.append(Problem(path, None, None, f"cannot read: {error}"))
        return []
    except ValidationError as error:
        problems.extend(validation_problems(path, None, error))
        return []
    entries = []
    for index, raw_entry in enumerate(top.entries, start=1):
        label = str(raw_entry.get("id") or f"#{index}")
        try:
            entries.append(FaqEntry.model_validate(raw_entry))
        except ValidationError as error:
            problems.extend(validation_problems(path, label, error))
    return entries


def validation_problems(path: Path, entry: str | None, error: ValidationError) -> list[Problem]:
    """Each of pydantic's findings as a problem of ``entry`` in the file ``path``."""
    return [
        Problem(path, entry, ".".join(str(p) for p in e["loc"]) or None, _message(e))
        for e in error.errors()
    ]


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "missing"
    return str(error["msg"]).removeprefix("Value error, ")


def _check_entry(
    path: Path, entry: FaqEntry, domains: Mapping[str, str], law_names: Mapping[str, str]
) -> list[Problem]:
    problems = []
    if entry.domain not in domains:
        known = "、".join(domains)
        problems.append(
            Problem(path, entry.id, "domain", f"unknown domain {entry.domain!r} ({known})")
        )
    for citation in entry.citations:
        if citation.law not in law_names:
            problems.append(
                Problem(path, entry.id, "sources", f"unknown law {citation.law!r} (see laws.yaml)")
            )
    if entry.id in entry.related:
        problems.append(Problem(path, entry.id, "related", "an entry cannot be related to itself"))
    if any(near.belongs_to == entry.id for near in entry.near):
        problems.append(Problem(path, entry.id, "near", "a near question belongs to another entry"))
    return problems


def _unknown_near_targets(entries: list[FaqEntry], origin: Mapping[str, Path]) -> list[Problem]:
    return [
        Problem(origin[entry.id], entry.id, "near", f"unknown entry {near.belongs_to!r}")
        for entry in entries
        for near in entry.near
        if near.belongs_to not in origin
    ]


def _link_both_ways(
    entries: list[FaqEntry], origin: Mapping[str, Path], problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    links: dict[str, list[str]] = {e.id: [] for e in entries}
    for entry in entries:
        for other in entry.related:
            if other not in links:
                problems.append(
                    Problem(origin[entry.id], entry.id, "related", f"unknown entry {other!r}")
                )
                continue
            for a, b in ((entry.id, other), (other, entry.id)):
                if b not in links[a] and a != b:
                    links[a].append(b)
    return {entry_id: tuple(ids) for entry_id, ids in links.items()}
