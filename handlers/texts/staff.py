"""Texts of the staff area, and of the notices that tell villagers how their ticket is going.

Staff see ticket cards, buttons, prompts, command answers and reminders; villagers (or the
liaison who filed for them) get short plain notices of every public change.

Placeholders are filled with HTML-escaped values; the messages are sent with ``parse_mode=HTML``.
"""

from __future__ import annotations

# Ticket card (the staff group and /ticket). The first line identifies the card; keep the marks.
CARD_MARK = "📋"
CARD_TITLE = "📋 工单 {number}｜{state}"
CARD_REOPENED = "🔁 村民对答复不满意，工单已重新办理。"
CARD_KIND = "类型：{kind}　类别：{category}"
CARD_PLACE = "村：{village}（{grid}）　层级：{level}"
CARD_SOURCE = "来源：{source}　村民：{villager}"
CARD_RECEPTION = "接访：{leader}，{day}"
CARD_PATROL = "排查地点：{place}"
CARD_ASSIGNEE = "承办：{assignee}"
CARD_UNITS = "牵头单位：{lead}　协办：{co}"
CARD_DEADLINE = "{deadline}：{date}（{left}）"
CARD_NO_DEADLINE = "期限：无（已答复、办结或不予受理）"
CARD_FEEDBACK_DUE = "回访期限：{date}（{left}）"
CARD_PHONE = "电话：{phone}（村民同意回电）"
CARD_ATTACHMENTS = "附件：{items}"
CARD_FAQ_SHOWN = "已看过的解答："
CARD_FAQ_NONE = "已看过的解答：无"
CARD_FAQ_LINE = "· {question}"
CARD_TEXT = "内容："
CARD_TEXT_CUT = "…（共 {total} 字，发送 /ticket {number} 看全文）"
NOBODY = "无"
UNKNOWN_PERSON = "（未知）"
DAYS_LEFT = "还剩 {days} 天"
DUE_TODAY = "今天到期"
DAYS_OVERDUE = "已超期 {days} 天"
DATE = "{month}月{day}日"
DATE_WITH_YEAR = "{year}年{month}月{day}日"

# Card buttons.
BUTTON_ACCEPT = "受理"
BUTTON_DISPATCH = "派单"
BUTTON_ESCALATE = "升级"
BUTTON_REPLY = "答复"
BUTTON_CLOSE = "办结"
BUTTON_REJECT = "不予受理"
BUTTON_BACK = "« 返回"
BUTTON_CLAIM = "我来办（认领）"
BUTTON_ASSIGN = "指派给…"
BUTTON_REROUTE = "改派到其他村"
BUTTON_TO_LEVEL = "转到「{level}」"
BUTTON_PHONE_FEEDBACK = "电话回访"
BUTTON_MORE = "更多…"
BUTTON_SEND = "确认发送"
BUTTON_DROP = "取消"

# Answers to button presses (callback answers: at most 200 characters).
NOT_STAFF = "只有镇、村工作人员可以操作工单。您现在的身份是「{role}」；需要开通请联系管理员。"
STALE_BUTTON = "这个按钮已经失效了，请发送 /ticket 工单号 重新查看。"
DONE = "已{action}：工单 {number}"
CHOOSE_DISPATCH = "请选择：自己认领、指派给别人，或转到其他层级。"
CHOOSE_VILLAGE = "请选择改派到哪个村。"
CHOOSE_UNIT = "请选择部门联动的牵头单位。"
CHOOSE_ACTION = "请选择要办理的事项。"
CHOOSE_RATING = "请选择村民在电话里给的评价。"
WRITE_IT = "请回复机器人刚发的提示消息。"

# Prompts: the staff member answers by replying to them (Telegram "reply"). Keep the mark first.
PROMPT_MARK = "✍️"
PROMPT_TITLE = "✍️ 工单 {number}｜{action}"
ASK_REJECT_REASON = "{who}，请回复这条消息，写明不予受理的理由。"
ASK_REJECT_ROUTE = (
    "{who}，请回复这条消息，写明村民应当走的途径"
    "（例如：向湟中区人民法院起诉、到镇司法所申请调解）。"
)
ASK_ESCALATE_REASON = "{who}，请回复这条消息，写明上报到「{level}」的理由。"
ASK_DEESCALATE_REASON = "{who}，请回复这条消息，写明下派到「{level}」的理由。"
ASK_REROUTE_REASON = "{who}，请回复这条消息，写明改派到「{village}」的理由。"
ASK_REPLY = "{who}，请回复这条消息，写下给村民的答复。村民会原样收到，请用简单明白的话。"
ASK_CLOSE_REASON = (
    "{who}，请回复这条消息，写明不经回访直接办结的原因（例如：多次联系不上村民）。"
    "工单会按「未评价」办结。"
)
ASK_ASSIGNEE = "{who}，请回复这条消息，写上承办人的 @用户名 或数字 ID。"
ASK_CO_UNITS = (
    "{who}，请回复这条消息，写上协办单位，多个用顿号隔开；没有协办单位请回复「无」。\n可选：{units}"
)
ASK_RETURN_REASON = "{who}，请回复这条消息，写明退回分流的理由。工单会回到待分流，承办人解除。"
ASK_EXTEND_DAYS = "{who}，请回复这条消息，写上延期天数（1 到 {limit} 天）。"
ASK_EXTEND_REASON = "{who}，请回复这条消息，写明延期 {days} 天的理由。理由会告诉村民。"
ASK_NOTE = "{who}，请回复这条消息，写下内部备注。村民看不到备注。"
ASK_PHONE_FEEDBACK_REASON = (
    "{who}，请回复这条消息，写下村民在电话里说的不满意的原因。工单会重新办理。"
)
PLACEHOLDER_REASON = "理由"
PLACEHOLDER_ROUTE = "应当走的途径"
PLACEHOLDER_REPLY = "给村民的答复"
PLACEHOLDER_ASSIGNEE = "@用户名 或数字 ID"
PLACEHOLDER_UNITS = "协办单位，或「无」"
PLACEHOLDER_DAYS = "天数"
PLACEHOLDER_NOTE = "内部备注"
DAYS_NOT_NUMBER = "延期天数请只写一个数字，例如 15。请再回复一次。"
NO_CO_UNITS = ("无", "没有")
PROMPT_NOT_YOURS = "这条提示是给点按钮的那位工作人员的；您要操作，请自己点工单上的按钮。"
PROMPT_EXPIRED = "这条提示已经过期了，请重新点工单上的按钮。"
TEXT_ONLY = "这里只能回复文字，请用文字再回复一次。"

# Replying to a card: a public answer, so it is confirmed first.
CONFIRM_REPLY = (
    "⚠️ 要把下面这段话作为工单 {number} 的正式答复发给村民吗？发出后工单变为「已答复」。\n\n{text}"
)
REPLY_SENT = "✅ 已把答复发给村民（工单 {number}）。"
REPLY_DROPPED = "已取消，没有发给村民。"
CONFIRM_NOT_YOURS = "只有写这段答复的人可以确认发送。"

# Commands.
STAFF_ONLY = "这个命令只供工作人员使用。想看自己反映的事情，请发送 /mytickets。"
QUEUE_TITLE = "待办工单（{count} 件，最新的在前）："
QUEUE_EMPTY = "目前没有待办的工单。"
QUEUE_MORE = "只列出最新 {limit} 件；查看某一件请发送 /ticket 工单号。"
QUEUE_LINE = "{number}｜{state}｜{kind}｜{village}｜{due}"
OVERDUE_TITLE = "已超期（{count} 项）："
OVERDUE_EMPTY = "没有超期的工单。"
DUE_SOON_TITLE = "{hours} 小时内到期（{count} 项）："
ALERT_LINE = "{number}｜{deadline} {date}（{left}）｜{village}"
TICKET_USAGE = "用法：/ticket 工单号，例如 /ticket 2026-000123"
HISTORY_TITLE = "办理记录："
HISTORY_LINE = "{time} {event}（{actor}）"
HISTORY_INTERNAL = "［内部］"
HISTORY_DETAIL = "　{text}"
SYSTEM = "系统"
NOTE_USAGE = (
    "用法：回复工单卡片发送 /note 备注内容，或发送 /note 工单号 备注内容。备注只有工作人员看得到。"
)
NOTE_ADDED = "📝 已添加内部备注（村民看不到）：工单 {number}"
ROLE_USAGE = (
    "用法：/role 用户 身份 [村、网格或单位]\n"
    "用户：数字 ID、@用户名，或回复对方的消息后只写身份。\n"
    "身份：{roles}\n"
    "例：/role @zhangsan grid_worker G01\n"
    "　　/role 123456789 liaison V03\n"
    "　　/role 123456789 department 派出所"
)
ROLE_ADMIN_ONLY = "只有管理员可以设置人员身份。"
ROLE_NAME = "{code}（{label}）"
ROLE_UNKNOWN = "没有「{role}」这个身份。可选：{roles}"
ROLE_AREA_UNKNOWN = "没有找到「{area}」这个村、网格或单位。"
PERSON_UNKNOWN = (
    "找不到 {who}。请让对方先给机器人发一条消息（私聊或在本群都可以），"
    "然后回复那条消息再发送命令，或使用对方的数字 ID。"
)
ROLE_SET = "✅ 已把 {name} 设为「{role}」{area}。"
ROLE_AREA = "（{area}）"
# The staff help (handlers/staff/commands.py lists the commands): a title, then for each
# command what follows its name and what it does (commands that do the same share a line),
# then a closing line.
STAFF_HELP_TITLE = "工作群里可以用的命令："
STAFF_HELP_END = "直接回复工单卡片，可以给村民发正式答复（发送前会再确认一次）。"
HELP_TICKETS = "待办工单"
HELP_OVERDUE = "已超期的工单"
HELP_TICKET_ARGUMENTS = "工单号"
HELP_TICKET = "查看工单和办理记录"
HELP_NOTE_ARGUMENTS = "备注"
HELP_NOTE = "回复工单卡片，添加内部备注（村民看不到）"
HELP_ROLE_ARGUMENTS = "用户 身份 [村、网格或单位]"
HELP_ROLE = "设置人员身份（管理员）"
HELP_UNREACHABLE = "收不到私聊消息的工作人员（管理员）"
HELP_BAN_ARGUMENTS = "用户 [原因]"
HELP_UNBAN_ARGUMENTS = "用户"
HELP_BAN = "停用或恢复某人使用机器人（镇干部、管理员）"
HELP_SAME_LINE = "、"
HELP_CONSOLE = "在私聊里领取工作台登录链接"
HELP_DENGJI = "在私聊里替村民登记窗口、电话、镇领导接访、网格排查来的事情"

# Scheduled reminders in the staff group.
REMINDER_TITLE = "⏰ 期限提醒"

# Private notices to whoever holds a ticket (handlers/staff/notices.py).
CARD_YOURS = "📌 这件工单现在由您办理，请及时处理。"
CARD_GONE = "↪️ 工单 {number} 已转到别处办理，您看不到它了，这张卡片不再更新。"
HOLDER_REMINDER_TITLE = "⏰ 期限提醒：您手上的工单"
DIGEST_TITLE = "🗂 今日待办：您手上有 {count} 件工单"
DIGEST_MORE = "另有 {count} 件没有列出，请发送 /tickets 查看。"
UNREACHABLE_TITLE = (
    "以下工作人员还没有私聊过机器人（或已停用机器人），收不到派给他们的工单和提醒。"
    "请让他们在 Telegram 里打开机器人，点「开始」或发一条消息："
)
UNREACHABLE_LINE = "{name}（{role}，ID {telegram_id}）"
UNREACHABLE_NONE = "所有工作人员都能收到机器人的私聊消息。"
UNREACHABLE_ADMIN_ONLY = "只有管理员可以查看哪些工作人员收不到私聊消息。"

# A notice could not be delivered: an internal note on the ticket (no personal data).
BLOCKED_NOTE = "系统：村民已停用机器人，「{event}」的消息没有送达，请电话或上门告知。"
UNDELIVERED_NOTE = "系统：「{event}」的消息被 Telegram 拒收，没有送达，请电话或上门告知。"

# Notices to the villager (or to the liaison who filed for them).
FOR_LIAISON = "（这是您代 {name} 反映的事情，请转告本人。）\n"
VILLAGER_FILED = "您反映的事情已经登记了（工单 {number}），工作人员会尽快处理，有进展会告诉您。"
VILLAGER_ACCEPTED = "您反映的事情（工单 {number}）已经受理了。工作人员会在 {date} 前给您答复。"
VILLAGER_REJECTED = (
    "关于您反映的事情（工单 {number}）：这件事不归我们这里办理（不予受理）。\n"
    "原因：{reason}\n"
    "建议您：{route}\n"
    "有疑问，可以到镇政府便民服务大厅的矛盾纠纷接待窗口问。"
)
VILLAGER_REPLIED = "工单 {number} 有答复了：\n\n{text}\n\n—— 上新庄镇工作人员"
VILLAGER_EXTENDED = (
    "您的事情（工单 {number}）需要多一些时间办理，延长 {days} 天，最晚 {date} 前答复您。\n"
    "原因：{reason}"
)
VILLAGER_FEEDBACK_RECORDED = "工单 {number}：已记下您的评价「{rating}」。"
VILLAGER_REOPENED = "工单 {number} 重新办理了，工作人员会继续跟进，有结果会告诉您。"
VILLAGER_CLOSED = "工单 {number} 已经办结。{note}\n还有别的问题，随时可以再来问我。"
VILLAGER_CLOSED_NOTE = "\n说明：{text}"
