from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from knowledge.intents import GAP, Classifier, Intent, IntentRules, classify
from knowledge.service import Faq


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好", Intent.GREETING),
        ("您好！！", Intent.GREETING),
        ("在吗？", Intent.GREETING),
        ("扎西德勒", Intent.GREETING),
        ("Hello!", Intent.GREETING),
        ("👋", Intent.GREETING),
        ("谢谢", Intent.THANKS),
        ("謝謝您了🙏", Intent.THANKS),
        ("🙏", Intent.THANKS),
        ("好的，我知道了", Intent.THANKS),
        ("你是谁", Intent.IDENTITY),
        ("你是真人吗？", Intent.IDENTITY),
        ("你好，你是机器人吗", Intent.IDENTITY),
    ],
)
def test_small_talk_is_recognised(text: str, intent: Intent) -> None:
    assert classify(text) is intent


@pytest.mark.parametrize(
    "text",
    [
        "我要投诉",
        "我要举报村里乱收费",
        "向你们反映个情况",
        "请派人来看看",
        "给我们做主啊",
        "帮我们把钱要回来",
        "工资到现在还没发",
        "补偿款一直不给，帮我催一下",
        "村上也不问，你们管管吧",
        "谢谢，我要投诉",
        "邻居占了我家地界 盖了个羊圈 说了不听",
        "借钱的人一直不还，咋办",
    ],
)
def test_a_request_for_action_is_recognised_anywhere_in_the_message(text: str) -> None:
    assert classify(text) is Intent.ACTION_REQUEST


@pytest.mark.parametrize(
    "text",
    [
        "你好，彩礼能退吗",
        "离婚冷静期多长时间",
        "谢谢你，那宅基地能卖给外村人吗",
        "不管怎么样我都要离婚",
        "结婚到现在还没领证，算夫妻吗",
        "😀",
        "",
        "   ",
    ],
)
def test_questions_and_empty_messages_are_neither(text: str) -> None:
    assert classify(text) is Intent.QUESTION


def test_long_polite_text_is_not_small_talk() -> None:
    assert classify("谢谢" * 30) is Intent.QUESTION


def test_every_small_talk_phrase_alone_is_small_talk() -> None:
    rules = IntentRules.load()
    for kind, kind_rules in rules.small_talk.items():
        for phrase in kind_rules.phrases:
            assert classify(phrase) in {kind, *_earlier(rules, kind)}, phrase
        for symbol in kind_rules.symbols:
            assert classify(symbol) is kind, symbol


@pytest.mark.parametrize(
    ("kind", "rules_of"),
    [
        (Intent.ASKS_FOR_PERSON, lambda rules: rules.asks_for_person),
        (Intent.ABOUT_TICKET, lambda rules: rules.about_ticket),
        (Intent.ACTION_REQUEST, lambda rules: rules.action_request),
    ],
)
def test_every_phrase_of_a_kind_is_that_kind(kind: Intent, rules_of: Any) -> None:
    for phrase in rules_of(IntentRules.load()).phrases:
        assert classify(phrase.replace(GAP, "我们")) is kind, phrase


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("转人工", Intent.ASKS_FOR_PERSON),
        ("不想跟机器说了，我要找真人", Intent.ASKS_FOR_PERSON),
        ("我上次登记的宅基地的事现在办到哪一步了", Intent.ABOUT_TICKET),
        ("上回反映的问题到现在没人回", Intent.ABOUT_TICKET),
        ("工单号2026-000123有结果没", Intent.ABOUT_TICKET),
    ],
)
def test_calls_for_a_person_and_news_of_a_ticket_are_recognised(text: str, kind: Intent) -> None:
    assert classify(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "户口迁移要办到哪个部门",
        "离婚需要补充材料吗",
        "去哪找工作人员办理宅基地审批",
        "有人给我打了个电话说中奖了，是诈骗吗",
    ],
)
def test_questions_that_mention_staff_or_paperwork_stay_questions(text: str) -> None:
    assert classify(text) is Intent.QUESTION


def test_no_faq_question_is_taken_for_small_talk() -> None:
    base = Faq.load().base
    for entry in base.entries:
        for text in (entry.question, *entry.alternates):
            assert classify(text) not in {Intent.GREETING, Intent.THANKS, Intent.IDENTITY}, text


def test_only_small_talk_kinds_are_accepted_as_small_talk() -> None:
    with pytest.raises(ValidationError, match="not small talk"):
        IntentRules.model_validate(
            {
                "small_talk_max_chars": 10,
                "small_talk": {"action_request": {"phrases": ["投诉"]}},
                "asks_for_person": {"phrases": ["转人工"]},
                "about_ticket": {"phrases": ["工单"]},
                "action_request": {"phrases": ["投诉"]},
            }
        )


def test_a_classifier_follows_the_rules_it_is_given() -> None:
    rules = IntentRules.model_validate(
        {
            "small_talk_max_chars": 10,
            "fillers": ["呀"],
            "small_talk": {"thanks": {"phrases": ["多谢"]}, "greeting": {"phrases": ["嗨"]}},
            "asks_for_person": {"phrases": ["找真人"]},
            "about_ticket": {"phrases": ["登记的事"]},
            "action_request": {"phrases": ["帮…要回来"]},
        }
    )
    classifier = Classifier(rules)
    assert classifier.classify("嗨呀") is Intent.GREETING
    assert classifier.classify("嗨，多谢") is Intent.THANKS
    assert classifier.classify("帮我把借出去的钱要回来") is Intent.ACTION_REQUEST
    assert classifier.classify("我登记的事帮我要回来了没") is Intent.ABOUT_TICKET
    assert classifier.classify("找真人，我登记的事没人管") is Intent.ASKS_FOR_PERSON
    assert classifier.classify("帮忙看看这个事，彩礼到底能不能要回来") is Intent.QUESTION


@given(st.text())
def test_classify_never_raises(text: str) -> None:
    assert classify(text) in set(Intent)


def _earlier(rules: IntentRules, kind: Intent) -> set[Intent]:
    order = list(rules.small_talk)
    return set(order[: order.index(kind)])
