"""Builders of the Telegram JSON objects (users, chats, members, entities) the server returns."""

from __future__ import annotations

import re
import time
from typing import Any, Literal

JsonDict = dict[str, Any]
GroupKind = Literal["group", "supergroup"]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

# Telegram detects a command wherever a slash starts a word, optionally addressed to a bot.
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/@])")


def unix_now() -> int:
    """The current time as Telegram dates are given: whole seconds since the epoch."""
    return int(time.time())


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, the unit of entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def user_object(
    user_id: int,
    first_name: str,
    *,
    is_bot: bool = False,
    username: str | None = None,
    last_name: str | None = None,
    language_code: str | None = None,
) -> JsonDict:
    """A ``User`` object."""
    user: JsonDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    user.update({key: value for key, value in optional.items() if value is not None})
    return user


def private_chat(user: JsonDict) -> JsonDict:
    """The ``Chat`` object of a user's private chat with the bot."""
    chat: JsonDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    chat.update({key: user[key] for key in ("last_name", "username") if key in user})
    return chat


def group_chat(chat_id: int, title: str, kind: GroupKind) -> JsonDict:
    """The ``Chat`` object of a group or supergroup."""
    return {"id": chat_id, "type": kind, "title": title}


def chat_full_info(chat: JsonDict) -> JsonDict:
    """The ``ChatFullInfo`` object ``getChat`` returns, with every required field present."""
    no_gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": no_gifts}


def chat_member(user: JsonDict, status: MemberStatus) -> JsonDict:
    """The ``ChatMember`` object for ``user`` with ``status``, carrying the fields it requires."""
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def command_entities(text: str) -> list[JsonDict]:
    """The ``bot_command`` entities Telegram would detect in ``text``."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _COMMAND.finditer(text)
    ]
