"""Texts of /console: the staff console's one-time login link."""

LINK = (
    "🔐 工作台登录链接（10 分钟内有效，只能用一次，请不要转发给别人）：\n"
    "{url}\n\n"
    "在电脑或手机的浏览器里打开，点「确认登录」。链接过期了就再发一次 /console。"
)
NOT_STAFF = "工作台只供镇、村工作人员使用。需要开通，请联系管理员。"
PRIVATE_ONLY = "登录链接不能发在群里。请私聊机器人发送 /console。"
