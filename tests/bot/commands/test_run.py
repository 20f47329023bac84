from tests.bot.commands.conftest import Run


def test_without_a_terminal_each_line_is_answered_and_it_ends_with_the_input(run_cli: Run) -> None:
    status, out, _ = run_cli(
        "run", stdin="离婚冷静期是多长时间？冷静期里能反悔吗？\n青稞啥时候种\n"
    )
    assert status == 0
    assert "《民法典》第1077条" in out
    assert "工作人员" in out
