"""A reading aid for a legal reviewer: the key terms of each cited article, used or not.

Whether an article supports a sentence is not for a program to decide. What a program can show
is which of the article's own key terms the answer uses, so that a citation no sentence relies
on stands out at a glance. An article's key terms are its words (cut by jieba, two characters or
more) weighted by TF-IDF over every article of the statute texts, so that words every law uses
(人民法院, 应当) rank below the article's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.citations import Citation
from knowledge.schema import FaqEntry

TERMS_PER_ARTICLE = 8
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


@dataclass(frozen=True)
class CitedArticle:
    """One cited article and which of its key terms the answer uses."""

    citation: Citation
    used: tuple[str, ...]
    unused: tuple[str, ...]


@dataclass(frozen=True)
class EntryReview:
    """An entry's cited articles found in the statute texts, in the order of its sources."""

    entry_id: str
    articles: tuple[CitedArticle, ...]


def review(
    entries: Iterable[FaqEntry],
    law_names: Mapping[str, str],
    statutes: Mapping[str, Mapping[int, str]],
) -> list[EntryReview]:
    """Each entry's cited articles with their key terms split by whether the answer uses them.

    Citations of a whole law, or of a law whose text is not among ``statutes``, are left out.

    Args:
        entries: The FAQ entries.
        law_names: Short name to official title.
        statutes: Official title to article number to text, from
            :func:`knowledge.statutes.read_articles`.

    """
    jieba.setLogLevel(logging.WARNING)
    keys = [(title, number) for title, articles in statutes.items() for number in articles]
    terms = _key_terms([statutes[title][number] for title, number in keys])
    by_article = dict(zip(keys, terms, strict=True))
    reviews = []
    for entry in entries:
        cited = []
        for citation in entry.citations:
            title = law_names.get(citation.law)
            if title is None or citation.article is None:
                continue
            found = by_article.get((title, citation.article))
            if found is None:
                continue
            used = tuple(term for term in found if term in entry.answer)
            unused = tuple(term for term in found if term not in entry.answer)
            cited.append(CitedArticle(citation, used, unused))
        reviews.append(EntryReview(entry.id, tuple(cited)))
    return reviews


def _key_terms(texts: list[str]) -> list[tuple[str, ...]]:
    vectorizer = TfidfVectorizer(analyzer=_words, sublinear_tf=True)
    weights = vectorizer.fit_transform(texts).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    terms = []
    for row in range(weights.shape[0]):
        start, end = weights.indptr[row], weights.indptr[row + 1]
        ranked = sorted(
            zip(weights.data[start:end], weights.indices[start:end], strict=True),
            key=lambda pair: (-pair[0], pair[1]),
        )
        terms.append(tuple(str(vocabulary[index]) for _, index in ranked[:TERMS_PER_ARTICLE]))
    return terms


def _words(text: str) -> list[str]:
    return [word for word in jieba.lcut(text) if _WORD.match(word)]
