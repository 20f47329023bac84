from pathlib import Path

from bot.persistence import DatabasePersistence
from intake import create_engine, upgrade
from intake.state_store import StateStore


async def test_what_one_persistence_saves_the_next_one_loads(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    try:
        before = DatabasePersistence(StateStore(engine))
        await before.update_user_data(7, {"draft": {"kind": "投诉"}})
        await before.update_chat_data(-100, {"card": 3})
        await before.update_bot_data({"jobs": 1})
        await before.update_conversation("filing", (7, 7), 2)
        await before.update_conversation("filing", (8, 8), "story")
        await before.update_conversation("filing", (8, 8), None)
        await before.update_user_data(9, {})
        await before.drop_user_data(9)

        after = DatabasePersistence(StateStore(engine))
        assert await after.get_user_data() == {7: {"draft": {"kind": "投诉"}}}
        assert await after.get_chat_data() == {-100: {"card": 3}}
        assert await after.get_bot_data() == {"jobs": 1}
        assert await after.get_conversations("filing") == {(7, 7): 2}
        assert await after.get_conversations("other") == {}
        assert await after.get_callback_data() is None
    finally:
        await engine.dispose()


async def test_a_fresh_database_starts_empty(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    try:
        persistence = DatabasePersistence(StateStore(engine))
        assert await persistence.get_bot_data() == {}
        assert await persistence.get_user_data() == {}
    finally:
        await engine.dispose()
