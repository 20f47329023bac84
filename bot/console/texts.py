"""The console's messages (the page layouts are in ``templates/``). Placeholders are escaped."""

from __future__ import annotations

TITLE = "明白 · 工作台"

# Logging in and out.
LOGIN_HINT = "在 Telegram 里私聊机器人发送 /console，会收到一个一次性登录链接（10 分钟内有效）。"
LOGIN_FAILED = "登录名或密码不对。"
LOGIN_THROTTLED = "登录失败次数太多，请 {wait}后再试，或在 Telegram 里发送 /console 获取登录链接。"
WAIT_SECONDS = "{count} 秒"
WAIT_MINUTES = "{count} 分钟"
LOGIN_MESSAGES = {
    "expired": "登录已过期，请重新登录。",
    "logged_out": "您已退出登录。",
    "not_staff": "工作台只供镇、村工作人员使用；您现在不是工作人员身份，需要开通请联系管理员。",
}
LINK_UNKNOWN = "这个登录链接无效。请在 Telegram 里给机器人重新发送 /console 获取新链接。"
LINK_USED = "这个登录链接已经用过了，每个链接只能用一次。请在 Telegram 里重新发送 /console。"
LINK_EXPIRED = "这个登录链接已经过期了（10 分钟内有效）。请在 Telegram 里重新发送 /console。"
LINK_CONFIRM = "点下面的按钮登录工作台。这个链接只能用一次。"
NOT_STAFF = LOGIN_MESSAGES["not_staff"]

# Refusals.
CSRF_FAILED = "表单已失效或来源不明，操作没有执行。请刷新页面后重新提交。"
FORM_TOO_LARGE = "提交的内容太大了（最多 {limit} KB），操作没有执行。请删减后再提交。"
FORBIDDEN_PAGE = "您的身份（{role}）不能打开这个页面。"
NOT_FOUND_PAGE = "没有这个页面。"
UNKNOWN_ACTION = "没有「{action}」这个操作。"
FILE_MISSING = "工单 {number} 没有第 {index} 个附件。"
FILE_UNAVAILABLE = "暂时无法从 Telegram 取回这个附件，请稍后再试。"

# Actions on a ticket.
DONE = {
    "accept": "已受理。",
    "claim": "已认领，由您承办。",
    "assign": "已指派。",
    "escalate": "已上报。",
    "reply": "已答复，答复会通过机器人发给村民。",
    "note": "已添加内部备注（村民看不到）。",
    "message": "已留言，留言会通过机器人发给村民（这不是正式答复）。",
    "internal_message": "已添加内部留言（村民看不到）。",
    "request_more": "已请村民补充材料；村民补充后会出现在对话里。",
    "extend": "已延期，延期理由会告诉村民。",
    "request_feedback": "已发起回访。",
    "close": "已办结。",
    "reject": "已不予受理，理由和途径会告诉村民。",
    "filed": "已登记。",
    "deescalate": "已下派。",
    "reroute": "已改派到其他村（社区）。",
    "return": "已退回分流。",
    "record_feedback": "已记录电话回访的评价。",
}
# What the text field of an action asks for.
TEXT_LABELS = {
    "reply": "给村民的答复（村民会原样收到，请用简单明白的话）",
    "note": "内部备注（村民看不到）",
    "message": "给村民留言（村民会收到；这不是正式答复）",
    "request_more": "请村民补充材料（写明需要什么，比如借条照片；村民补充后会出现在对话里）",
}
# Buttons whose words differ from the action's name.
BUTTON_LABELS = {
    "claim": "我来办（认领）",
    "reply": "发送答复",
    "record_feedback": "记录电话回访",
    "message": "发送留言",
}
# What the reason field of each action asks for.
REASON_LABELS = {
    "escalate": "上报理由",
    "deescalate": "下派理由",
    "reroute": "改派理由",
    "return": "退回理由（工单回到待分流，承办人解除）",
    "extend": "延期理由（会告诉村民）",
    "record_feedback": "村民在电话里说的意见（选「不满意」时必填，工单会重新办理）",
    "close": "办结说明（不经回访直接办结，按「未评价」）",
    "reject": "不予受理的理由",
}
BAD_NUMBER = "「{field}」需要填一个整数。"
BAD_CHOICE = "「{field}」的选择无效。"
MISSING_CHOICE = "请选择{field}。"

# Queue filters.
BAD_FILTER = "筛选条件无效，已忽略：{items}"
DAYS_LEFT = "还剩 {days} 天"
DUE_TODAY = "今天到期"
DAYS_OVERDUE = "已超期 {days} 天"

# Figures.
BAD_DATE = "日期「{text}」无效，请写成 YYYY-MM-DD，例如 2025-01-01。"
SAMPLE_VILLAGES = "注意：村（社区）名单仍是示例数据，请换成本镇的真实名单。"

# Learning.
DRAFT_NO_QUESTIONS = "没有找到这一组问题，可能已被清理；请刷新页面。"
DRAFT_BAD_ID = (
    "条目编号「{id}」不合格式：用小写英文字母、数字和下划线，用点分段，例如 land.streetlight。"
)
DRAFT_ID_TAKEN = "问答库里已经有编号为「{id}」的条目了，请换一个。"
DRAFT_BAD_SOURCE = (
    "法律依据「{source}」看不懂，请写成问答库认识的「法律简称 条号」，例如「民法典 1079」。"
)
DRAFT_TOO_LONG = "{field}太长了：最多 {limit} 个字。"
DRAFT_EMPTY = "{field}不能为空。"

# Passwords.
PASSWORD_SET = "已为 {name} 设置密码登录（登录名 {login}）。"
PASSWORD_REMOVED = "已取消 {name} 的密码登录。"
PASSWORD_TOO_SHORT = "密码至少 {min} 个字符。"
PASSWORD_TOO_LONG = "密码最多 {max} 个字符。"
PASSWORD_MISMATCH = "两次输入的密码不一样。"
PASSWORD_COMMON = "这个密码太常见，别人很容易猜到，请换一个（可以用几个词连成的一句话）。"
PASSWORD_TRIVIAL = "密码不能是连续或重复的字符（比如 1234567890、aaaaaaaaaa），请换一个。"
PASSWORD_PERSONAL = "密码不能包含登录名或本系统的名字（如 mingbai），请换一个。"
LOGIN_NAME_BAD = "登录名只能用 3–64 个英文字母、数字、点、横线或下划线。"
LOGIN_NAME_TAKEN = "登录名「{login}」已经有人用了。"
PASSWORD_NOT_STAFF = "只能给工作人员设置密码登录。"
NOT_SAVED = "数据库暂时连不上，这次办理没有记下，也没有通知村民。请稍等一会儿再试一次。"

# 法律明白人 applications.
APPLICATION_DECIDED = "{name} 的申请：{state}。"
# Dead letters (updates and replies the bot set aside).
DEAD_LETTER_ORIGINS = {
    "rejected": "无效消息",
    "update": "群众消息（多次处理失败）",
    "outbox": "机器人回复（无法发送）",
}
DEAD_LETTER_RETRIED = "死信 {id} 已放回队列，机器人会重新处理。"
DEAD_LETTER_DISCARDED = "死信 {id} 已丢弃。"
DEAD_LETTER_MISSING = "没有编号为 {id} 的死信，可能已被其他管理员处理。"
DEAD_LETTER_NOT_RETRYABLE = "死信 {id} 不是有效的 Telegram 消息，无法重试，只能丢弃。"
# 普法 broadcasts.
BROADCAST_PIECE_UNKNOWN = "请从列表里选一段普法内容。"
BROADCAST_WHEN_BAD = "请填写发送的日期和时间（例如 2027-03-15 和 09:00）。"
BROADCAST_WHEN_PAST = "发送时间 {when} 已经过去了，请选以后的时间。"
BROADCAST_PLANNED = "已安排：{when} 向订阅「{topic}」的群众发送「{title}」。"
BROADCAST_ALREADY = "「{title}」已经安排在 {when} 发送，没有重复安排。"
BROADCAST_CALENDAR = "普法日历"

# QR codes for the notice boards.
QR_BOARD_LINE = "用手机扫一扫，问法律问题、找镇上工作人员"
QR_UNKNOWN_VILLAGE = "没有代码为「{code}」的村（社区），请从二维码页面选择。"
QR_OTHER_VILLAGE = "您只能打印本村（网格）的二维码，「{name}」不在您负责的范围内。"
