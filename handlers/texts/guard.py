"""Texts of the guard (flood limits, bans) and of the staff commands /ban and /unban."""

from __future__ import annotations

# To a villager over the message limit (sent once per window; what they send is kept).
RATE_LIMITED = (
    "您发消息有点快了（每 {window} 秒最多 {limit} 条）。刚才这条和接下来发的消息都已经记下，"
    "不会丢失：大约 {seconds} 秒后会按顺序处理并回复您。请稍等一会儿再接着发。"
)

# To a villager at the open-ticket limit, when they start filing or press 确认提交.
TOO_MANY_OPEN = (
    "您已经有 {count} 件事正在由镇上的工作人员办理（每人同时最多 {limit} 件），"
    "工作人员正在处理，请耐心等候。发送 /mytickets 可以查看进展；"
    "等其中一件答复后，就可以再登记新的事。着急的事可以直接打镇司法所电话或12348法律援助热线。"
)
DRAFT_KEPT = "您刚才填写的内容还保留着，到时再点「确认提交」就可以。"

# To a banned person, once.
BANNED = (
    "您的账号已被镇工作人员暂停使用本助手，之后发送的消息将不再处理。"
    "如有疑问或急事，请到镇综治中心当面咨询，或拨打12348法律援助热线。"
)

# Staff commands.
BAN_USAGE = (
    "用法：回复对方的消息发送 /ban [理由]，或 /ban 数字ID或@用户名 [理由]；"
    "解除用 /unban 数字ID或@用户名（也可以回复对方的消息）。"
)
UNBAN_USAGE = "用法：/unban 数字ID或@用户名，或回复对方的消息发送 /unban。"
BAN_NOT_ALLOWED = "只有镇干部和管理员可以禁用或解除禁用。"
PERSON_UNKNOWN = "找不到 {who}。请使用对方的数字 ID，或回复对方的消息再发送命令。"
BAN_DONE = "🚫 已禁用 {name}。对方会收到一次说明，之后发来的消息机器人不再处理。{reason}"
BAN_REASON = "理由：{reason}"
UNBAN_DONE = "✅ 已解除对 {name} 的禁用，机器人会照常回复对方。"
