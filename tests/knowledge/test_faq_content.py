"""The bundled FAQ base against the topic catalogue and the content rules."""

import json
from pathlib import Path

import pytest
import yaml

from knowledge.citations import check_citations
from knowledge.loader import KnowledgeBase, load_knowledge_base
from knowledge.normalize import normalize
from knowledge.statutes import read_statutes


@pytest.fixture(scope="module")
def base() -> KnowledgeBase:
    return load_knowledge_base()


def test_every_catalogue_topic_has_its_entry_in_its_domain(
    base: KnowledgeBase, shared: Path
) -> None:
    catalogue = yaml.safe_load((shared / "knowledge" / "topics.yaml").read_text(encoding="utf-8"))
    missing = [t["id"] for t in catalogue["topics"] if t["id"] not in base]
    assert missing == []
    wrong_domain = [
        t["id"] for t in catalogue["topics"] if base.entry(t["id"]).domain != t["domain"]
    ]
    assert wrong_domain == []


def test_every_citation_names_an_existing_article(base: KnowledgeBase, shared: Path) -> None:
    cited = [(e.id, c) for e in base.entries for c in e.citations]
    check = check_citations(cited, base.law_names, read_statutes(shared / "laws"))
    assert check.missing == ()


def test_answers_are_short_enough_for_a_phone_and_long_enough_to_help(base: KnowledgeBase) -> None:
    read = {e.id: len(base.contacts.fill(e.answer)) for e in base.entries}
    assert {id_: n for id_, n in read.items() if not 100 <= n <= 420} == {}


def test_every_entry_has_enough_ways_of_asking(base: KnowledgeBase) -> None:
    thin = {e.id: len(e.alternates) for e in base.entries if len(e.alternates) < 8}
    assert thin == {}


def test_no_keyword_points_to_two_entries(base: KnowledgeBase) -> None:
    owner: dict[str, str] = {}
    shared_keywords = []
    for entry in base.entries:
        for keyword in entry.keywords:
            key = normalize(keyword)
            if key in owner and owner[key] != entry.id:
                shared_keywords.append((keyword, owner[key], entry.id))
            owner[key] = entry.id
    assert shared_keywords == []


def test_no_alternate_is_a_copy_of_a_dev_question(base: KnowledgeBase, shared: Path) -> None:
    dev = (shared / "knowledge" / "dev_questions.jsonl").read_text(encoding="utf-8")
    dev_questions = {normalize(json.loads(line)["q"]) for line in dev.splitlines() if line}
    copies = [a for e in base.entries for a in e.alternates if normalize(a) in dev_questions]
    assert copies == []
