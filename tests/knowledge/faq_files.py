"""Writing small FAQ folders for tests."""

import shutil
from pathlib import Path
from typing import Any

import yaml

import knowledge


def entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid entry, with any field replaced (``None`` removes it)."""
    base: dict[str, Any] = {
        "id": entry_id,
        "domain": "婚姻",
        "question": f"{entry_id} 的问题？",
        "alternates": ["另一种问法"],
        "answer": "答案。",
        "sources": ["民法典 1079"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def write_faq(folder: Path, name: str, *entries: dict[str, Any]) -> Path:
    """Write one FAQ file into a folder and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    content = yaml.safe_dump({"entries": list(entries)}, allow_unicode=True)
    (folder / name).write_text(content, encoding="utf-8")
    return folder


def bundled_copy(folder: Path, extra: dict[str, dict[str, Any]] | None = None) -> Path:
    """The bundled FAQ copied into ``folder``: no titles or details but the ``extra`` fields.

    So that the buttons under an answer are known whatever the bundled content says.
    """
    shutil.copytree(Path(knowledge.__file__).parent / "faq", folder)
    for path in folder.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["entries"]:
            entry.pop("title", None)
            entry.pop("details", None)
            entry.update((extra or {}).get(entry["id"], {}))
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder
