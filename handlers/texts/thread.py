"""Texts of a ticket's thread: villagers adding to their ticket, staff reading and writing in it.

Notices to villagers start with the ticket number, so that a reply to them finds its ticket.
Staff texts are sent with ``parse_mode=HTML``; placeholders there are filled with escaped values.
"""

from __future__ import annotations

# Villagers ------------------------------------------------------------------------------------

ADDED = "已经加到工单 {number} 里了，工作人员会看到。还有要补充的，可以接着发。"
WHICH_TICKET = "您有几件登记还在办理，这条消息是补充哪一件的？请点一下："
WHICH_BUTTON = "{number}｜{kind}｜「{excerpt}」"
CHOICE_GONE = "这条消息已经加好了，或者已经过期了。"
# Typed to see one's tickets rather than to ask or file.
LIST_WORDS = ("我的登记", "📋 我的登记", "我的工单", "查看进展", "登记的事")
# A message beginning with one of these adds to a ticket rather than starting a new one.
MORE_WORDS = ("补充", "再补充", "还要补充", "我补充", "我要补充", "我想补充", "我再补充")

VILLAGER_MESSAGE = (
    "工单 {number}：工作人员给您留言：\n\n{text}\n\n"
    "要回话，直接回复这条消息就行（文字、照片、语音、文件都可以）。"
)
VILLAGER_MORE_REQUESTED = (
    "工单 {number}：为了办好您的事，工作人员请您补充材料：\n\n{text}\n\n"
    "请直接回复这条消息发给我们（文字、照片、语音、文件都可以），会加到这件登记里。"
)

# Staff ----------------------------------------------------------------------------------------

THREAD_TITLE = "💬 工单 {number}｜对话"
THREAD_EMPTY = "还没有对话。"
THREAD_LINE = "[{time}] {side} {name}{internal}：{text}"
THREAD_INTERNAL = "（内部）"
THREAD_FILE = "〔{kind}〕"
THREAD_EARLIER = "（更早的 {count} 条没有列出，请在工作台查看。）"
THREAD_WAITING = "⏳ 正在等村民补充材料。"
BUTTON_THREAD = "💬 对话"
BUTTON_SAY = "给村民留言"
BUTTON_INTERNAL = "内部留言"
BUTTON_MORE = "请补充材料"

STAFF_VILLAGER_WROTE = "💬 工单 {number}｜村民留言（{name}）"
STAFF_MORE_RECEIVED = "💬 工单 {number}｜村民补充了材料（{name}）"

ASK_SAY = "{who}，请回复这条消息，写下给村民的留言。这不是正式答复，村民会原样收到。"
ASK_INTERNAL = "{who}，请回复这条消息，写下内部留言。只有工作人员能看到。"
ASK_MORE = (
    "{who}，请回复这条消息，写明需要村民补充什么（比如：借条照片、欠款时间）。"
    "这不是正式答复，村民补充后您会收到通知。"
)
PLACEHOLDER_SAY = "给村民的留言"
PLACEHOLDER_INTERNAL = "内部留言"
PLACEHOLDER_MORE = "需要补充的材料"
WRITTEN = "留言"
