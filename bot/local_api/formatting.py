"""Telegram's HTML ``parse_mode``: the plain text and entities a formatted message becomes.

Telegram rejects a message whose markup it cannot parse; so does this module, so that escaping
mistakes in the bot's texts surface in tests rather than in the village.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.local_api.objects import JsonDict, utf16_length

_TAG = re.compile(
    r"<(?P<closing>/?)(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attributes>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_CHARACTER_REFERENCE = re.compile(r"&(?:#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);")

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}


class FormattingError(ValueError):
    """The markup cannot be parsed; the message is Telegram's ``can't parse entities`` detail."""


@dataclass
class _Open:
    name: str
    entity: JsonDict
    start: int


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into plain text and ``MessageEntity`` objects.

    Args:
        text: The message text as the bot sent it with ``parse_mode="HTML"``.

    Returns:
        The text the recipient sees and its entities, ordered by offset.

    Raises:
        FormattingError: If a tag is unsupported, unbalanced or malformed.

    """
    plain: list[str] = []
    length = 0  # of ``plain``, in UTF-16 code units
    stack: list[_Open] = []
    entities: list[JsonDict] = []
    position = 0
    while position < len(text):
        character = text[position]
        if character == "<":
            tag = _TAG.match(text, position)
            at = len(text[:position].encode())  # Telegram reports positions in UTF-8 bytes
            if tag is None:
                raise FormattingError(f"Unexpected start of a tag at byte offset {at}")
            name = tag["name"].lower()
            if tag["closing"]:
                _close(stack, name, at, length, entities)
            else:
                stack.append(_open(name, tag["attributes"], stack, length, at))
            position = tag.end()
            continue
        reference = _CHARACTER_REFERENCE.match(text, position) if character == "&" else None
        chunk = html.unescape(reference.group()) if reference else character
        plain.append(chunk)
        length += utf16_length(chunk)
        position = reference.end() if reference else position + 1
    if stack:
        raise FormattingError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(plain), entities


def _open(name: str, raw_attributes: str, stack: list[_Open], offset: int, position: int) -> _Open:
    attributes = {
        key.lower(): html.unescape(value.strip("\"'")) if value else ""
        for key, value in _ATTRIBUTE.findall(raw_attributes)
    }
    if name in _SIMPLE_TAGS:
        entity: JsonDict = {"type": _SIMPLE_TAGS[name]}
        language = attributes.get("class", "").removeprefix("language-")
        if name == "code" and stack and stack[-1].name == "pre" and language:
            # Telegram folds <pre><code class="language-x"> into one pre entity with a language.
            stack[-1].entity["language"] = language
            entity = {}
    elif name == "span" and attributes.get("class") == "tg-spoiler":
        entity = {"type": "spoiler"}
    elif name == "a" and "href" in attributes:
        entity = {"type": "text_link", "url": attributes["href"]}
    elif name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        entity = {"type": kind}
    elif name == "tg-emoji" and "emoji-id" in attributes:
        entity = {"type": "custom_emoji", "custom_emoji_id": attributes["emoji-id"]}
    else:
        raise FormattingError(f'Unsupported start tag "{name}" at byte offset {position}')
    return _Open(name, entity, offset)


def _close(
    stack: list[_Open], name: str, position: int, offset: int, entities: list[JsonDict]
) -> None:
    if not stack:
        raise FormattingError(f'Unexpected end tag "{name}" at byte offset {position}')
    opened = stack.pop()
    if opened.name != name:
        raise FormattingError(
            f'Unmatched end tag at byte offset {position}, expected "</{opened.name}>", '
            f'found "</{name}>"'
        )
    # Empty entities and a <code> folded into its <pre> leave nothing behind.
    if opened.entity and offset > opened.start:
        entities.append({**opened.entity, "offset": opened.start, "length": offset - opened.start})
