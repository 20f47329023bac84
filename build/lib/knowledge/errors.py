"""Problems found in the FAQ base, reported with the file, entry and field they concern."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file."""

    path: Path
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.entry is not None:
            where += f": entry {self.entry}"
        if self.field is not None:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class KnowledgeBaseError(Exception):
    """The FAQ base or one of its data files is invalid; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
