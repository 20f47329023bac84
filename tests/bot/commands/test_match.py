import json

from tests.bot.commands.conftest import Run


def test_every_line_gets_one_json_object_of_the_contract(run_cli: Run) -> None:
    lines = ["离婚冷静期是多长时间？冷静期里能反悔吗？", '{"q": "彩礼 退"}', "", "😀", "{not json"]
    status, out, _ = run_cli("match", stdin="\n".join(lines) + "\n")
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["q"] for r in records] == [lines[0], "彩礼 退", "", "😀", "{not json"]
    for record in records:
        assert set(record) == {"q", "decision", "id", "score", "candidates"}
        assert record["decision"] in {"answer", "clarify", "none"}
        assert len(record["candidates"]) <= 3
        assert all(set(c) == {"id", "score"} for c in record["candidates"])
    assert records[0]["decision"] == "answer"
    assert records[0]["id"] == "divorce.cooling_off"
    assert records[2] == {"q": "", "decision": "none", "id": None, "score": 0.0, "candidates": []}
