"""The chat page's texts (those the bot sends are the handlers' own)."""

from __future__ import annotations

# The bot's name above its messages, and the name a visitor has until he gives his own.
WEB_BOT_NAME = "明白"
VISITOR_NAME = "网页访客"

# Refusals, shown on the page.
CSRF_FAILED = "页面已经过期或来源不明，这条没有发出。请刷新页面后再发。"
NO_SESSION = "请刷新页面后再发（浏览器没有带上您的登记信息）。"
EMPTY_TEXT = "请先写下要说的话再发送。"
TEXT_TOO_LONG = "一次最多发 {limit} 个字，请分几次发。"
PHONE_EMPTY = "请填写您的手机号再发送。"
NAME_TOO_LONG = "称呼太长了，请不超过 {limit} 个字。"
BUTTON_GONE = "这个按钮已经失效了，请看最新的消息。"
FILE_TOO_LARGE = "文件太大了（{kind}最多 {limit} MB），请换一个小一点的。"
FILE_WRONG_TYPE = "只能发送照片（JPG、PNG、WebP）或录音，这个文件没有发出。"
FILE_MISSING = "没有找到要发送的文件，请重新选择。"
NOT_FOUND = "没有找到这个文件。"
STORAGE_DOWN = "系统暂时忙不过来，您的消息还没有发出，页面会自动再试。"
KIND_NAMES = {"photo": "照片", "voice": "录音"}
