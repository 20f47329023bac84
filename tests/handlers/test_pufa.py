"""The 普法 messages' own pieces (:mod:`handlers.pufa`): the push text and the topic buttons."""

from __future__ import annotations

from handlers.pufa import DONE, TOPIC, push_text, topic_buttons
from handlers.texts import pufa as texts
from knowledge.pufa import PufaCalendar, PufaDay, SetBy


def piece(*sources: str) -> PufaDay:
    return PufaDay(
        id="neighbor_session",
        date="10-15",
        title="「法律进网格」邻里纠纷",
        set_by=SetBy.TOWNSHIP,
        topic="neighbor",
        text="邻里之间要互相给方便，您可以请人民调解委员会调解。",
        sources=sources,
    )


def test_a_push_has_the_title_the_text_its_sources_and_how_to_stop() -> None:
    readable = {"婚姻家庭编解释（二）": "最高法婚姻家庭编解释（二）"}
    assert push_text(piece("民法典 288", "婚姻家庭编解释（二） 14", "民法典 290"), readable) == (
        "📢 「法律进网格」邻里纠纷\n\n"
        "邻里之间要互相给方便，您可以请人民调解委员会调解。\n\n"
        "依据：民法典第288、290条；最高法婚姻家庭编解释（二）第14条\n\n"
        "不想再收到普法消息，请发送 /tuiding 退订。"
    )


def test_topic_buttons_tick_the_chosen_two_a_row_then_done() -> None:
    calendar = PufaCalendar({"land": "土地", "drugs": "禁毒", "neighbor": "邻里"}, ())
    markup = topic_buttons(calendar, {"drugs"})
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("⬜ 土地", TOPIC + "land"), ("✅ 禁毒", TOPIC + "drugs")],
        [("⬜ 邻里", TOPIC + "neighbor")],
        [(texts.DONE_BUTTON, DONE)],
    ]
