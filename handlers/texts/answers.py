"""Texts of answering questions: answers, "您想问的是", hand-over, the terminal chat."""

from __future__ import annotations

CLARIFY_PROMPT = "您想问的是下面哪一个？请选一个："
HANDOVER = (
    "这个问题我这里没有现成的答案，为了不给您说错，会请镇上的工作人员来帮您。\n"
    "您可以把事情经过说得再详细一点，我帮您登记，工作人员会尽快联系您；"
    "也可以换个说法再问一次。"
)
FILE_TICKET = "登记问题，请工作人员处理"
REPHRASE = "换个说法再问"
ASK_STAFF = "🙋 找工作人员"
DETAILS = "📖 详细说明"
SOURCES_LABEL = "依据："
# Contacts in braces are filled in from the township's contacts file (knowledge/contacts.py).
ANSWER_FOOTER = "以上是一般法律知识，不是律师意见；您的具体情况可以问{contact:司法所}或打12348。"
# After the answer to a message that tells of a live dispute or asks for action.
ACTION_LINE = "这件事要有人来办的话，请点「🙋 找工作人员」，我马上转给镇上的工作人员。"
EMPTY_MESSAGE = "没看到您的问题，请用一两句话说说您想问什么。"
TERMINAL_WELCOME = (
    "明白 —— 上新庄镇法律明白助手（终端试用：机器人连的是本机的模拟 Telegram）。\n"
    "您就是一位村民：直接输入消息回车发送；回复里的按钮带序号，输入序号就是按按钮。输入 q 退出。"
)
REPHRASE_PROMPT = "好的，请换个说法再说一次，比如说清楚是谁、什么事、想怎么办。"
TERMINAL_WEB_CHAT = "同一个助手的网页聊天（可以在这台电脑的浏览器里打开）：{url}"
WEB_ALONE = "明白助手已启动（不连 Telegram）：网页聊天在 {url} ，按 Ctrl-C 停止。"
TERMINAL_CONTACT = "📱 分享我的手机号（试用号码）"
STOPPED = "明白助手已停止。再见！"
TERMINAL_UPDATED = "（上面的消息更新了，现在是：）"
TERMINAL_POPUP = "【弹出提示】{text}"
TERMINAL_PHOTO = "〔图片〕"
TERMINAL_DOCUMENT = "〔文件：{name}〕"
TERMINAL_MEDIA = {
    "voice": "〔语音〕",
    "audio": "〔音频〕",
    "video": "〔视频〕",
    "sticker": "〔表情〕",
}
