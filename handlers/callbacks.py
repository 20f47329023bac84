"""The callback data of every button, in one place, so areas can offer each other's actions.

Callback data is at most 64 bytes and comes back from any client, forged or stale: every handler
parses it defensively and checks permissions on the server side.
"""

from __future__ import annotations

import re

# Answering questions (handlers.questions, handlers.topics).
SHOW_FAQ = "faq:"  # + entry id: show that answer
RATE_FAQ = "rate:"  # + entry id + ":up" / ":down": 有帮助吗
DETAILS = "more:"  # + entry id: 📖 详细说明 of that answer
REPHRASE = "rephrase"
TOPICS = "topics:"  # + domain, or empty for the list of domains

# The /start menu (handlers.start, handlers.mytickets).
ASK = "ask"  # "问问题": how to ask
MY_TICKETS = "mytickets"  # the villager's tickets
TICKET_HISTORY = "my:"  # + ticket number: its public history

# /forget (handlers.forget): + "yes" or "no".
FORGET = "forget:"
# 普法 messages (handlers.pufa): + "sub", "t:" + topic, "done", "stop:yes" / "stop:no".
PUFA = "pufa:"
# A ticket's thread (handlers.thread): + ticket number, "the held message is for this one".
THREAD_CHOICE = "t:"

# Filing a ticket (handlers.filing); FILE_TICKET starts the flow from any area's button.
FILE_TICKET = "file"
# 找工作人员: file at once the villager's question and the answer he was shown (+ entry id, or
# nothing under a list of candidates), or the voice message he sent.
TO_STAFF = "staff:"
VOICE_TO_STAFF = "voice"
FILING = "f:"  # + step-specific data inside the flow

# 回访 (handlers.feedback): + ticket number + ":" + rating code.
FEEDBACK = "fb:"

# Staff actions on a ticket card (handlers.staff): + action + ":" + ticket number.
STAFF = "s:"


def starts_with(prefix: str) -> re.Pattern[str]:
    """A callback-data pattern for one of the prefixes above."""
    return re.compile("^" + re.escape(prefix))


def exactly(data: str) -> re.Pattern[str]:
    """A callback-data pattern for one exact value above."""
    return re.compile("^" + re.escape(data) + "$")
