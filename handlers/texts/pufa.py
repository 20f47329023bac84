"""普法 messages: subscribing (/dingyue), choosing topics, unsubscribing (/tuiding), the pushes."""

SUBSCRIBED = (
    "好的，您已订阅普法消息。到了普法的日子（比如3·15消费者权益日、12·4国家宪法日，"
    "还有镇上「法律进网格」的日子），我会发给您一段简短的法律知识。\n"
    "下面是您收到的主题，点一下可以取消或加上："
)
TOPICS = "您现在订阅的主题如下，点一下可以取消或加上："
TOPIC_ON = "✅ {name}"
TOPIC_OFF = "⬜ {name}"
DONE_BUTTON = "选好了"
DONE = "好的，您订阅的主题：{topics}。\n想改主题，发送 /dingyue；不想再收，发送 /tuiding 退订。"
LAST_TOPIC = "至少要留一个主题。不想再收普法消息，请发送 /tuiding 退订。"
UNKNOWN_TOPIC = "没有这个主题了，请发送 /dingyue 重新选择。"
NOT_SUBSCRIBED = "您没有订阅普法消息。想订阅，请发送 /dingyue。"
SUBSCRIBE_BUTTON = "📖 订阅普法消息"

UNSUBSCRIBE_CONFIRM = "要退订普法消息吗？退订后就不再收到了，以后想收可以随时发送 /dingyue 再订阅。"
UNSUBSCRIBE_YES = "确认退订"
UNSUBSCRIBE_NO = "不退订了"
UNSUBSCRIBED = "已退订，您不会再收到普法消息。想再订阅，随时发送 /dingyue。"
STILL_SUBSCRIBED = "好的，您仍然订阅着普法消息。"

PUSH = "📢 {title}\n\n{text}\n\n依据：{sources}\n\n不想再收到普法消息，请发送 /tuiding 退订。"
