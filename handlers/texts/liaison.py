"""Texts of 法律明白人 (liaisons) filing on behalf of a villager."""

from __future__ import annotations

# Applying to serve as a 法律明白人.
HOW_TO_APPLY = (
    "如果您是村里推选的法律明白人，请发送：\n"
    "/shenqing 姓名 村（社区） 电话\n"
    "例如：/shenqing 李明白 上新庄村 13900000000\n"
    "管理员核实后开通，开通后就可以用 /daiban 替村民登记了。"
)
APPLY_USAGE = (
    "申请格式：/shenqing 姓名 村（社区） 电话\n例如：/shenqing 李明白 上新庄村 13900000000"
)
APPLIED = (
    "申请已提交：{name}（{village}）。管理员核实后会为您开通法律明白人身份，"
    "开通后发 /daiban 就可以替村民登记了。"
)

NEW_APPLICATION = (
    "📝 新的法律明白人申请：{name}（{village}）。\n"
    "请管理员电话核实后，在工作台「法律明白人」页面审核。"
)

NOT_A_LIAISON = (
    "「代办登记」只有镇里登记过的法律明白人可以用。\n"
    "如果是您自己的事，请直接告诉我，或发 /file 登记。\n\n" + HOW_TO_APPLY
)
STAFF_USE_DENGJI = "工作人员替村民登记窗口、电话、接访或排查来的事情，请用 /dengji。"
ASK_NAME = "代谁登记？请输入这位村民的姓名："
NAME_TOO_LONG = "姓名太长了，请只写村民的姓名（最多 {limit} 个字）。"
ASK_VILLAGER_PHONE = "村民同意的话，请输入村民的电话，方便工作人员联系；\n不留电话请点「跳过」。"
VILLAGER_PHONE_SAVED = "好的，村民的电话记下了。"
FORWARD_OFFER = "收到转发的消息。代谁登记？是替村民登记，还是您自己的事？"
BEHALF_BUTTON = "替村民登记"
OWN_BUTTON = "是我自己的事"
