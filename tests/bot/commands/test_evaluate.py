import json
from pathlib import Path

from tests.bot.commands.conftest import Run


def write_lines(path: Path, *rows: tuple[str, str]) -> Path:
    path.write_text("\n".join(json.dumps({"q": q, "expect": e}) for q, e in rows), "utf-8")
    return path


def test_figures_overall_per_domain_and_for_none_lines(run_cli: Run, tmp_path: Path) -> None:
    file = write_lines(
        tmp_path / "q.jsonl",
        ("离婚冷静期是多长时间？冷静期里能反悔吗？", "divorce.cooling_off"),
        ("离婚冷静期是多长时间？冷静期里能反悔吗？", "marriage.legal_age"),
        ("青稞一般啥时候下种最好", "none"),
        ("随便问问", "weather.tomorrow"),
    )
    status, out, _ = run_cli("eval", str(file))
    assert status == 0
    assert "婚姻: answered-correct  50.0%  wrong  50.0%  served  50.0%  handed-over   0.0%" in out
    assert "in scope: answered-correct  50.0%  wrong  50.0%  served  50.0%" in out
    assert "length 11–40: answered-correct  50.0%" in out
    assert "length ≤ 10: no lines; none lines: no lines" in out
    assert "expected calibration error: " in out
    assert "none lines: false answers   0.0%  (n=1)" in out
    assert "lines whose topic has no entry yet: 1" in out
    assert "MISS expect=marriage.legal_age got=answer" in out
    assert "NO ENTRY expect=weather.tomorrow" in out


def test_a_malformed_file_is_refused(run_cli: Run, tmp_path: Path) -> None:
    file = tmp_path / "q.jsonl"
    file.write_text('{"q": "a"}\n', encoding="utf-8")
    status, out, _ = run_cli("eval", str(file))
    assert status == 2
    assert "line 1" in out
