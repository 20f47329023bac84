"""Texts of 回访: asking the villager whether they are satisfied with how a ticket was handled."""

from __future__ import annotations

ASK = "您登记的 {number} 已经答复了。请问您对办理的结果满意吗？"
ASK_BEHALF = (
    "您代村民 {name} 登记的 {number} 已经答复了。请问问村民对办理结果满意吗？再替村民点下面的按钮。"
)
RATING_BUTTONS = {
    "satisfied": "😊 满意",
    "basically_satisfied": "🙂 基本满意",
    "dissatisfied": "😞 不满意",
}
THANKS = "谢谢您的评价（{rating}）！{number} 这件事就办完了。"
ASK_REASON = "很抱歉没让您满意。请说说哪里不满意，一两句话就行，我会交给工作人员重新办理。"
REASON_TEXT_ONLY = "请打字简单说一下哪里不满意；不想说了可以发 /cancel。"
REOPENED = "您的意见已经交给工作人员，{number} 会重新办理，有进展我会告诉您。"
CANCELLED = "好的，先不评价。之后还可以点「不满意」再说。"
RATED = "已记录：{rating}"
