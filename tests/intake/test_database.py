from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from intake import create_engine


async def test_sqlite_gets_its_folder_wal_mode_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there" / "mingbai.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")

    async with engine.connect() as connection:
        journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
        foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    await engine.dispose()

    assert path.parent.is_dir()
    assert (journal, foreign_keys) == ("wal", 1)
    assert busy >= 1000


async def test_sql_parameters_are_hidden_from_errors(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    query = text("SELECT * FROM nowhere WHERE phone = :phone")

    with pytest.raises(DBAPIError) as failed:
        async with engine.connect() as connection:
            await connection.execute(query, {"phone": "13900001234"})
    await engine.dispose()

    assert "nowhere" in str(failed.value)
    assert "13900001234" not in str(failed.value)
