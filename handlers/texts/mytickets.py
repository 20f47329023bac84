"""Texts of /mytickets: a villager's (or a liaison's) tickets and their public history."""

from __future__ import annotations

NONE_YET = "您还没有登记过问题。需要工作人员帮忙时，发 /file 就可以登记。"
HEADER = "您登记的问题（最新的在前）："
ENTRY = "{index}. {number}｜{kind}｜{state}\n   「{excerpt}」\n   {next_step}"
BEHALF = "（代 {name} 登记）"
MORE = "只列出了最近的 {count} 件。"
HISTORY_BUTTON = "查看 {number} 的进展"
NOT_FOUND = "没有找到这件登记，或者它不是您登记的。"

# What happens next, by state, in plain words.
NEXT_ACCEPTANCE = "{date}前决定是否受理"
NEXT_ANSWER = "{date}前给您答复"
NEXT_ANSWERED = "已经答复了，请看答复的内容"
NEXT_FEEDBACK = "请您评价办理结果（{date}前）"
NEXT_CLOSED = "已经办完了"
NEXT_REJECTED = "不予受理：{reason}。建议：{route}"

HISTORY_HEADER = "{number} 的进展："
HISTORY_ENTRY = "{date} {label}"
HISTORY_TEXT = "：{text}"
