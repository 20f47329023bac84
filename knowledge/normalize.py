"""Chinese text normalisation shared by the FAQ index and the questions matched against it.

Villagers type traditional characters, full-width digits, no punctuation or too much of it,
emoji and filler words. Everything that does not change the meaning is folded away here, so
that the understanding step compares like with like.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin.pinyin_dict import pinyin_dict

# A question longer than this is a story; its end, where villagers put the question, is kept.
MAX_CHARS = 400

_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_DIGITS = re.compile(r"\d+")
# Anything that is not a Han character, a Latin letter or a digit separates words.
_SEPARATORS = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fffa-z0-9]+")
_SPACES = re.compile(r" {2,}")


def normalize(text: str) -> str:
    """Fold a text into the canonical form that texts are compared in.

    The steps: keep the end of an overlong text, drop control characters, NFKC (full width to
    half width), traditional to simplified, lower case, digit runs made words of their own (so that
    a number is one token, not characters glued to the next word), and every other symbol to a
    single space.

    Args:
        text: Anything a user may send, including empty or binary-looking strings.

    Returns:
        The normalised text; words are separated by single spaces, with none at either end.

    """
    text = simplified(text[-MAX_CHARS:]).lower()
    text = _DIGITS.sub(r" \g<0> ", text)
    text = _SEPARATORS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def simplified(text: str) -> str:
    """The text in half-width simplified characters (NFKC, then traditional to simplified)."""
    return str(_TO_SIMPLIFIED.convert(unicodedata.normalize("NFKC", text)))


@lru_cache(maxsize=32768)
def syllable(char: str) -> str:
    """Return a Han character's toneless pinyin with the sounds villagers confuse folded together.

    Retroflex and flat initials (zh/z, ch/c, sh/s) and front and back nasals (an/ang, en/eng,
    in/ing) are merged, since they are the commonest homophone typos in pinyin input.

    Args:
        char: One character; a character without a reading is returned unchanged.

    """
    readings = pinyin_dict.get(ord(char)) if len(char) == 1 else None
    if readings is None:
        return char
    # The first reading is the commonest; tone marks are dropped, ü is written v.
    decomposed = unicodedata.normalize("NFD", readings.split(",")[0])
    decomposed = decomposed.replace("u\u0308", "v")
    reading = "".join(c for c in decomposed if not unicodedata.combining(c))
    for retroflex, flat in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if reading.startswith(retroflex):
            reading = flat + reading[2:]
            break
    if reading.endswith("ng") and reading != "ng":
        reading = reading[:-1]
    return reading
