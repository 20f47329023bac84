"""Texts of staff registering a case that arrived offline (window, phone, reception, patrol)."""

from __future__ import annotations

NOT_OFFLINE_STAFF = (
    "「/dengji 线下登记」供网格员、村调解员、镇干部登记窗口、电话、镇领导接访和网格排查来的事情。\n"
    "法律明白人替村民登记请用 /daiban；您自己的事请发 /file。"
)
ASK_CHANNEL = "线下登记，一共几步，随时可以发 /cancel 取消。\n\n这件事是怎么来的？请点下面的按钮："
ASK_LEADER = "接访的镇领导是谁？请输入领导的姓名和职务，例如：王镇长"
ASK_RECEPTION_DAY = "哪一天接访的？请输入日期（例如 2026-12-05 或 12月5日），当天接访请点「今天」。"
TODAY_BUTTON = "今天"
ASK_PLACE = "在哪里排查到的？请输入地点，例如：三组水渠边"
TOO_LONG = "太长了，最多 {limit} 个字，请简短一些。"
EMPTY = "没有收到内容，请再输入一次。"
SUMMARY_CHANNEL = "登记方式：{channel}\n"
SUMMARY_RECEPTION = "接访：{leader}，{day}\n"
SUMMARY_PLACE = "排查地点：{place}\n"
FILED = (
    "登记好了！编号是 {number}（{channel}，村民 {name}）。\n\n"
    "工作人员会在 {accept_days} 天内（{accept_date}前）决定是否受理，受理后一般 {handle_days} "
    "天内答复。村民不用 Telegram，进展请电话或当面告知；留了电话的，工单卡片上能看到。"
)
