"""Texts of 法律明白人 (liaisons) filing on behalf of a villager."""

from __future__ import annotations

NOT_A_LIAISON = (
    "「代办登记」只有镇里登记过的法律明白人可以用。\n"
    "如果是您自己的事，请直接告诉我，或发 /file 登记。"
)
ASK_NAME = "代谁登记？请输入这位村民的姓名："
NAME_TOO_LONG = "姓名太长了，请只写村民的姓名（最多 {limit} 个字）。"
ASK_VILLAGER_PHONE = "村民同意的话，请输入村民的电话，方便工作人员联系；\n不留电话请点「跳过」。"
VILLAGER_PHONE_SAVED = "好的，村民的电话记下了。"
FORWARD_OFFER = "收到转发的消息。代谁登记？是替村民登记，还是您自己的事？"
BEHALF_BUTTON = "替村民登记"
OWN_BUTTON = "是我自己的事"
