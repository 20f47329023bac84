"""A message read once: normalised, rewritten into the FAQ's terms, and its question found.

Villagers tell a story and put the question somewhere in it ("…给了二十万，现在不嫁了，彩礼能要
回来吗"). The clause that asks (吗, 呢, 怎么办, 能不能 …) says more about what they want to know
than the story around it, so it is kept apart as the message's *focus*.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexicon import Lexicon
from knowledge.normalize import normalize, simplified, syllable

# Shorter messages are their own focus.
FOCUS_MIN_CHARS = 24
# Without punctuation, the focus is the stretch before (and just after) the last question word.
FOCUS_WINDOW_BEFORE = 18
FOCUS_WINDOW_AFTER = 6

_CLAUSE_END = re.compile(r"[。！？!?；;，,、\n\r…~～]+|\s{2,}")
_QUESTION_WORDS = re.compile(
    "吗|嘛|呢|么|怎么|咋|啥|什么|能不能|能否|可不可以|可以|是不是|是否|会不会|要不要|该不该|"
    "行不行|算不算|有没有|多少|多久|多长|多大|几|哪|谁|如何|怎样|办|不$|没$|没有$"
)


@dataclass(frozen=True)
class Analysed:
    """A message in the forms the understanding step compares.

    Attributes:
        rewritten: Normalised, with the lexicon's colloquial words replaced by the FAQ's terms.
        focus: The rewritten clause that asks the question, if it is not the whole message.

    """

    rewritten: str
    focus: str | None = None

    @property
    def compact(self) -> str:
        """The rewritten text without spaces, for finding terms across punctuation."""
        return self.rewritten.replace(" ", "")

    @property
    def length(self) -> int:
        """The number of characters that carry meaning."""
        return len(self.compact)


class Analyser:
    """Reads messages with one lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        """Use this lexicon's rewrites for every message."""
        self.lexicon = lexicon

    def rewrite(self, text: str) -> str:
        """Normalise a text and put it into the FAQ's terms."""
        return self.lexicon.rewrite(normalize(text))

    def analyse(self, text: str) -> Analysed:
        """Read one message; never raises for any string."""
        message = Analysed(self.rewrite(text))
        clause = question_clause(text) if message.length >= FOCUS_MIN_CHARS else None
        focus = self.rewrite(clause) if clause is not None else ""
        if not focus or focus == message.rewritten:
            return message
        return Analysed(message.rewritten, focus)


def question_clause(text: str) -> str | None:
    """The part of a story that asks the question, with the clause before it for context.

    The last clause with a question word wins, since villagers tell first and ask last. A story
    without punctuation is cut around its last question word instead.

    Returns:
        The clause, or ``None`` when nothing in the text asks.

    """
    plain = simplified(text).strip()
    clauses = [c.strip() for c in _CLAUSE_END.split(plain) if c.strip()]
    if len(clauses) > 1:
        for index in range(len(clauses) - 1, -1, -1):
            if _QUESTION_WORDS.search(clauses[index]):
                return "，".join(clauses[max(0, index - 1) : index + 1])
        return None
    found = list(_QUESTION_WORDS.finditer(plain))
    if not found:
        return None
    end = found[-1].end()
    return plain[max(0, end - FOCUS_WINDOW_BEFORE) : end + FOCUS_WINDOW_AFTER]


def sounds_of(rewritten: str) -> list[str]:
    """Pairs of neighbouring syllables within each word: how a homophone typo still matches.

    离昏 and 离婚 both read ``li|hun``; a one-character word counts by its own syllable.
    """
    return [token for word in rewritten.split() for token in _word_sounds(word)]


@lru_cache(maxsize=65536)
def _word_sounds(word: str) -> tuple[str, ...]:
    if word.isdigit():
        return (word,)
    sounds = [syllable(c) for c in word]
    if len(sounds) == 1:
        return (sounds[0],)
    return tuple(f"{a}|{b}" for a, b in itertools.pairwise(sounds))
