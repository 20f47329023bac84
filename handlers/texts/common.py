"""Texts shared by every area."""

SOMETHING_WENT_WRONG = (
    "抱歉，刚才出了点问题，没能处理您的消息。请稍等一会儿再发一次；"
    "着急的事可以直接打镇司法所电话或12348法律援助热线。"
)
