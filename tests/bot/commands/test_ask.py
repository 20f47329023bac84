from tests.bot.commands.conftest import Run


def test_an_answer_comes_with_its_sources(run_cli: Run) -> None:
    status, out, _ = run_cli("ask", "离婚冷静期是多长时间？冷静期里能反悔吗？")
    assert status == 0
    assert "\n依据：民法典第1077" in out
    assert "不是律师意见" in out
    assert out.rstrip().endswith("🙋 找工作人员")


def test_an_unrelated_question_is_handed_to_a_person(run_cli: Run) -> None:
    status, out, _ = run_cli("ask", "青稞一般啥时候下种最好")
    assert status == 0
    assert "工作人员" in out
    assert "1. 登记问题，请工作人员处理" in out


def test_a_vague_question_is_asked_back(run_cli: Run) -> None:
    status, out, _ = run_cli("ask", "离婚")
    assert status == 0
    assert out.startswith("您想问的是")
    assert out.rstrip().endswith("🙋 找工作人员")
