"""Learning from what the bot could not answer, and how the FAQ is used.

The unanswered questions of a period are grouped by similarity (rapidfuzz over character pairs,
after folding away filler words), largest group first. Staff turn a group and their answer into
a draft FAQ entry: a YAML file marked unreviewed (``reviewed: null``) for an editor to finish,
checked with ``mingbai check-kb`` and put into ``knowledge/faq/``. The villagers' questions are
shown only to township officers and admins, since they come from every village.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml
from aiohttp import web
from rapidfuzz import fuzz, process

from bot.console import texts
from bot.console.core import CONSOLE, SUPERVISORS, Console, Refusal, Visitor
from intake.question_log import LoggedQuestion
from knowledge.citations import Citation
from knowledge.normalize import normalize

SIMILARITY = 75
PERIODS = (30, 90, 365)
EXAMPLES_SHOWN = 5
ALTERNATES_MAX = 20
QUESTION_FIELD_MAX = 200
ANSWER_MAX = 2000
ENTRY_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# Words that say nothing about the topic of a question.
_FILLER = re.compile(
    "请问|问一下|我想问|怎么办|怎么样|怎么|咋办|咋|如何|能不能|可不可以|可以|能|吗|呢|吧|啊|呀|了|的"
    "|我们|我家|我|你们|该|要|去|找谁|找哪个|哪里|什么|多少"
)


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions, newest first."""

    questions: tuple[LoggedQuestion, ...]

    @property
    def count(self) -> int:
        """How many times it was asked."""
        return len(self.questions)

    @property
    def representative(self) -> str:
        """The wording asked most often (the shortest of those, then the newest)."""
        counts: dict[str, int] = {}
        for question in self.questions:
            counts[question.text] = counts.get(question.text, 0) + 1
        return min(counts, key=lambda text: (-counts[text], len(text)))

    @property
    def last_asked(self) -> datetime:
        """When it was last asked."""
        return max(question.asked_at for question in self.questions)

    @property
    def ids(self) -> str:
        """The question ids, comma-separated (for the draft form)."""
        return ",".join(str(question.id) for question in self.questions[: ALTERNATES_MAX * 5])


def topic_key(text: str) -> str:
    """What a question is about: normalised, spaces and filler words removed."""
    folded = normalize(text).replace(" ", "")
    return _FILLER.sub("", folded) or folded


def _pairs(key: str) -> str:
    return " ".join(key[i : i + 2] for i in range(len(key) - 1)) or key


def group_questions(
    questions: Sequence[LoggedQuestion], *, threshold: int = SIMILARITY
) -> list[QuestionGroup]:
    """Group questions that are alike; the largest and most recent groups first.

    Each question joins the group whose first question it resembles most, if the resemblance
    (rapidfuzz's token-set ratio over the character pairs of the topic keys) reaches
    ``threshold``; otherwise it starts a group.
    """
    members: list[list[LoggedQuestion]] = []
    keys: list[str] = []
    for question in questions:
        key = _pairs(topic_key(question.text))
        found = process.extractOne(key, keys, scorer=fuzz.token_set_ratio, score_cutoff=threshold)
        if found is None:
            keys.append(key)
            members.append([question])
        else:
            members[found[2]].append(question)
    groups = [QuestionGroup(tuple(group)) for group in members]
    groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp()))
    return groups


def add_routes(router: web.UrlDispatcher) -> None:
    """Add the learning page and the draft download."""
    router.add_get("/learning", learning_page, name="learning")
    router.add_post("/learning/draft", draft_entry, name="draft")


def _days(console: Console, text: str) -> int:
    return int(text) if text.isdigit() and int(text) in PERIODS else PERIODS[1]


async def learning_page(request: web.Request) -> web.StreamResponse:
    """Unanswered questions in groups, and the FAQ's most used entries with their ratings."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SUPERVISORS)
    return await render_learning(
        request, console, visitor, _days(console, request.query.get("days", ""))
    )


async def render_learning(
    request: web.Request,
    console: Console,
    visitor: Visitor,
    days: int,
    *,
    error: str | None = None,
    failed_group: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> web.StreamResponse:
    """Render the learning page, optionally with a refused draft form."""
    since = console.now() - timedelta(days=days)
    groups = group_questions(await console.questions.unanswered(since=since))
    base = console.services.faq.base
    usage = [
        (row, base.entry(row.entry_id) if row.entry_id in base else None)
        for row in await console.questions.usage(since=since, limit=30)
    ]
    return console.render(
        request,
        "learning.html",
        visitor=visitor,
        status=status,
        days=days,
        periods=PERIODS,
        groups=groups,
        examples_shown=EXAMPLES_SHOWN,
        usage=usage,
        domains=base.domains,
        error=error,
        failed_group=failed_group,
        values=values or {},
    )


async def draft_entry(request: web.Request) -> web.StreamResponse:
    """A draft FAQ entry from a group of questions and a staff answer, as a YAML download."""
    console = request.app[CONSOLE]
    visitor = await console.admitted(request, SUPERVISORS)
    posted = await console.form(request, visitor)
    values = {
        key: posted.get(key, "") for key in ("ids", "id", "domain", "question", "answer", "sources")
    }
    days = _days(console, posted.get("days", ""))
    ids = [int(part) for part in values["ids"].split(",") if part.strip().isdigit()][:500]
    questions = await console.questions.questions(ids)
    try:
        entry = _draft(console, questions, values)
    except Refusal as refusal:
        return await render_learning(
            request,
            console,
            visitor,
            days,
            error=refusal.message,
            failed_group=values["ids"],
            values=values,
            status=refusal.status,
        )
    body = draft_yaml(entry, asked=len(questions), today=console.today().isoformat())
    response = web.Response(body=body.encode("utf-8"))
    response.headers["Content-Type"] = "application/x-yaml; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{entry["id"]}.yaml"'
    return response


def _draft(
    console: Console, questions: Sequence[LoggedQuestion], values: dict[str, str]
) -> dict[str, Any]:
    base = console.services.faq.base
    if not questions:
        raise Refusal(400, texts.DRAFT_NO_QUESTIONS)
    entry_id = values["id"].strip()
    if not ENTRY_ID.fullmatch(entry_id) or len(entry_id) > 64:
        raise Refusal(400, texts.DRAFT_BAD_ID.format(id=entry_id[:64]))
    if entry_id in base:
        raise Refusal(409, texts.DRAFT_ID_TAKEN.format(id=entry_id))
    domain = values["domain"].strip()
    if domain not in base.domains:
        raise Refusal(400, texts.BAD_CHOICE.format(field="领域"))
    question = _required(values["question"], "标准问法", QUESTION_FIELD_MAX)
    answer = _required(values["answer"], "答复", ANSWER_MAX)
    sources = [part.strip() for part in re.split(r"[,，;；\n]", values["sources"]) if part.strip()]
    for source in sources:
        citation = Citation.parse(source)
        if citation is None or citation.law not in base.law_names:
            raise Refusal(400, texts.DRAFT_BAD_SOURCE.format(source=source[:60]))
    alternates: list[str] = []
    for asked in questions:
        text = " ".join(asked.text.split())[:QUESTION_FIELD_MAX]
        if text and text != question and text not in alternates:
            alternates.append(text)
    return {
        "id": entry_id,
        "domain": domain,
        "question": question,
        "alternates": alternates[:ALTERNATES_MAX] or [question],
        "keywords": [],
        "answer": answer,
        "sources": sources,
        "related": [],
        "reviewed": None,
    }


def _required(text: str, field: str, limit: int) -> str:
    clean = text.strip().replace("\r\n", "\n")
    if not clean:
        raise Refusal(400, texts.DRAFT_EMPTY.format(field=field))
    if len(clean) > limit:
        raise Refusal(400, texts.DRAFT_TOO_LONG.format(field=field, limit=limit))
    return clean


class _DraftDumper(yaml.SafeDumper):
    """Writes multi-line answers as literal blocks, the way the FAQ files are written."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_DraftDumper.add_representer(str, _represent_text)


def draft_yaml(entry: dict[str, Any], *, asked: int, today: str) -> str:
    """The draft as an FAQ file of one entry, with a header saying it is unreviewed."""
    header = (
        f"# 草稿（未审核）：工作台于 {today} 根据 {asked} 个机器人未能回答的问题生成。\n"
        "# reviewed: null 表示尚未审核。编辑请核对答复，\n"
        "# 补全法律依据（sources）、关键词和相关条目，放进 knowledge/faq/，\n"
        "# 运行 mingbai check-kb，审核通过后再填 reviewed 日期。\n"
    )
    body = yaml.dump(
        {"entries": [entry]},
        Dumper=_DraftDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return header + body
