"""/forget: a villager erases the questions he asked."""

FORGET_CONFIRM = (
    "要删除您问过的所有问题和您给回答的评价吗？删除后不能恢复。\n"
    "您登记的事是正式记录，会继续保存和办理，不受影响。"
)
FORGET_YES = "确认删除"
FORGET_NO = "不删了"
FORGOTTEN = "已删除您问过的 {count} 个问题和您的评价。"
NOT_FORGOTTEN = "好的，什么也没删。"
