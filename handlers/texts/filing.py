"""Texts of filing a ticket: the guided steps, for villagers and for 法律明白人 filing for them."""

from __future__ import annotations

# Offers, outside the flow.
MEDIA_OFFER = "收到了。要把它登记下来，请镇上的工作人员处理吗？"
FORWARD_OFFER = (
    "收到您转发的消息。需要工作人员处理的话，可以登记下来；想问法律问题，也可以直接用自己的话问我。"
)
VOICE_OFFER = (
    "我只能看懂文字，听不了语音。\n"
    "不方便打字的话，可以用手机键盘的语音转文字：点键盘上的话筒🎤，对着手机说，"
    "说完看一眼出来的字，点发送就行。\n"
    "也可以把这条语音直接交给镇上的工作人员听，请点下面的按钮。"
)
VOICE_BUTTON = "🙋 把语音交给工作人员"
FILE_BUTTON = "登记问题"
NO_THANKS_BUTTON = "不用了"
DROPPED = "好的，没有登记。有需要随时告诉我。"
STALE_BUTTON = "这个按钮已经过期了。"

# Step 1: the kind.
ASK_KIND = (
    "好的，我帮您登记，一共几步，随时可以发 /cancel 取消。\n\n"
    "第一步：您要反映的是哪一类事？请点下面的按钮："
)
KIND_HINTS = {
    "consultation": "咨询：想问问政策、法律怎么说",
    "complaint": "投诉：对某个人或单位的做法有意见",
    "dispute": "矛盾纠纷：和别人有矛盾，想请人调解",
    "request": "求助：遇到困难，需要帮忙",
}
PRESS_A_BUTTON = "请点上面的按钮选一个。"

# Step 2: the village.
ASK_VILLAGE = "第二步：这件事是哪个村（社区）的？请点按钮选："
PREVIOUS_PAGE = "⬅ 上一页"
NEXT_PAGE = "下一页 ➡"
OWN_VILLAGE = "本村：{name}"
ASK_VILLAGE_AT_ONCE = "好的，马上转给镇上的工作人员。您是哪个村（社区）的？请点按钮选："

# Step 3: the story.
ASK_STORY = (
    "第三步：请把事情说一说：什么时候、和谁、发生了什么、想怎么解决。\n"
    "可以打字，也可以发语音、照片、文件，分几条发都行。说完了请点「说完了」。"
)
STORY_PREFILLED = "您刚才说的这些已经记上了：\n「{text}」\n\n还可以接着补充。"
STORY_ATTACHMENTS_PREFILLED = "您发来的{attachments}已经记上了。"
STORY_RECEIVED = "收到了。还有要说的可以接着发；说完了请点「说完了」。"
STORY_DONE_BUTTON = "说完了"
STORY_CLEAR_BUTTON = "清空重说"
STORY_CLEARED = "已清空，请重新说一说。"
STORY_EMPTY = "还没有收到您要反映的内容。请打字或发语音说一说，说完了再点「说完了」。"
STORY_SHORTENED = "这一条太长了，我只记下了开头和结尾。"
STORY_FULL = "内容已经写满了（最多 {limit} 个字），这一条没有记上。请点「说完了」。"
STORY_TOO_MANY_FILES = "附件最多 {limit} 个，这个没有记上。"
STORY_UNSUPPORTED = "这种消息没法记下来，请打字、发语音、照片或文件。"
ATTACHMENTS_ONLY = "（内容见附件：{attachments}）"
ATTACHMENT_COUNT = "{label}{count}个"

# Step 4: the phone.
ASK_PHONE = (
    "第四步（可以不填）：方便的话，留个电话，工作人员可能打电话和您核实情况。\n"
    "请点下面的「发送我的手机号」；不想留请点「跳过」。"
)
SHARE_PHONE_BUTTON = "📞 发送我的手机号"
SKIP_BUTTON = "跳过"
PHONE_SAVED = "好的，电话记下了，只用于工作人员联系您。"
PHONE_SKIPPED = "好的，不留电话。"
PHONE_NOT_OWN = "这里只能留您本人的电话，请点下面的「发送我的手机号」，或点「跳过」。"
PHONE_USE_BUTTON = "请点下面的「发送我的手机号」按钮，或点「跳过」。"

# Step 5: confirm.
SUMMARY = (
    "请核对一下：\n"
    "类型：{kind}\n"
    "村（社区）：{village}\n"
    "{behalf}"
    "电话：{phone}\n"
    "附件：{attachments}\n"
    "内容：\n{text}\n\n"
    "没问题请点「确认提交」。"
)
SUMMARY_BEHALF = "代办村民：{name}\n"
SUMMARY_NO_PHONE = "不留"
SUMMARY_PHONE = "尾号 {tail}"
SUMMARY_NO_ATTACHMENTS = "无"
CONFIRM_BUTTON = "✅ 确认提交"
REDO_BUTTON = "重新填写"
ABANDON_BUTTON = "取消"
REDO = "好的，从头再选一遍，您说的内容先留着。"

# Filed.
FILED = (
    "登记好了！您的编号是 {number}，请记好。\n\n"
    "接下来：\n"
    "1. 镇里的工作人员会在 {accept_days} 天内（{accept_date}前）决定是否受理；\n"
    "2. 受理以后，一般 {handle_days} 天内给您答复；\n"
    "3. 每有一点进展，我都会在这里告诉您。\n\n"
    "想看进度，随时发 /mytickets。着急的事也可以直接找村里的网格员。"
)
FILED_BEHALF = (
    "登记好了！编号是 {number}（代村民 {name} 登记）。\n\n"
    "工作人员会在 {accept_days} 天内（{accept_date}前）决定是否受理，受理后一般 {handle_days} "
    "天内答复。进展和答复都会发给您，请您转告村民。发 /mytickets 可以查看。"
)
DATE = "{month}月{day}日"
# 找工作人员: filed at once, and what follows.
HANDED_OVER = (
    "好的，已经转给镇上的工作人员了，编号 {number}。工作人员会尽快联系您。\n"
    "想补充情况（什么时候、和谁、怎么回事），直接接着发给我就行，打字、照片、语音都可以，"
    "都会加到这件事里。要问别的问题，请先点「💬 问问题」。"
)
# Where the ticket shows what the bot had answered (staff read it, so does the villager).
ANSWER_SHOWN = "—— 明白助手给的回答 ——\n【{question}】\n{answer}"

# Leaving.
CANCELLED = "好的，已取消，没有登记。有需要随时再来。"
STILL_FILING = "您正在登记，我们接着来："
