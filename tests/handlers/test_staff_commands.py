"""The staff commands' table: the commands handled and the help shown come from one list."""

from handlers.staff import bans
from handlers.staff.commands import COMMANDS, STAFF_HELP, TABLE


def test_the_help_reads_as_the_staff_have_always_seen_it() -> None:
    assert STAFF_HELP == (
        "工作群里可以用的命令：\n"
        "/tickets 待办工单\n"
        "/overdue 已超期的工单\n"
        "/ticket 工单号 查看工单和办理记录\n"
        "/note 备注 回复工单卡片，添加内部备注（村民看不到）\n"
        "/role 用户 身份 [村、网格或单位] 设置人员身份（管理员）\n"
        "/unreachable 收不到私聊消息的工作人员（管理员）\n"
        "/ban 用户 [原因]、/unban 用户 停用或恢复某人使用机器人（镇干部、管理员）\n"
        "/console 在私聊里领取工作台登录链接\n"
        "/dengji 在私聊里替村民登记窗口、电话、镇领导接访、网格排查来的事情\n"
        "直接回复工单卡片，可以给村民发正式答复（发送前会再确认一次）。"
    )


def test_every_command_handled_here_or_by_the_bans_is_in_the_help() -> None:
    assert COMMANDS == ("tickets", "overdue", "ticket", "note", "role", "unreachable")
    listed = [command.name for command in TABLE]
    assert len(listed) == len(set(listed))
    assert set(COMMANDS) | set(bans.COMMANDS) <= set(listed)
    for name in (*COMMANDS, *bans.COMMANDS):
        assert f"/{name} " in STAFF_HELP
