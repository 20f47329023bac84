"""What staff are told of dead letters (updates or replies the bot had to set aside)."""

DEAD_LETTERS_TOLD = (
    "⚠️ 有 {count} 条消息（群众发来的消息或机器人的回复）多次处理失败或内容无效，"
    "已暂存为“死信”，其余消息照常处理。\n"
    "请管理员在工作台的“死信”页面查看，处理好原因后可重试或丢弃。"
)
