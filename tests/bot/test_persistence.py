import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.persistence import BOT_DATA, CHAT_DATA, CONVERSATIONS, USER_DATA, DatabasePersistence
from intake.database import unit_of_work
from intake.state_store import StateStore


@pytest.fixture
def store(engine: AsyncEngine) -> StateStore:
    return StateStore(engine)


async def test_changes_are_staged_until_written(store: StateStore) -> None:
    before = DatabasePersistence(store)
    await before.update_user_data(7, {"draft": {"kind": "投诉"}})
    await before.update_chat_data(-100, {"card": 3})
    await before.update_bot_data({"jobs": 1})
    await before.update_conversation("filing", (7, 7), 2)

    # Staged only: nothing reached the database yet.
    assert await DatabasePersistence(store).get_user_data() == {}
    assert await store.load(CONVERSATIONS + "filing") == {}

    await before.write_staged()
    after = DatabasePersistence(store)
    assert await after.get_user_data() == {7: {"draft": {"kind": "投诉"}}}
    assert await after.get_chat_data() == {-100: {"card": 3}}
    assert await after.get_bot_data() == {"jobs": 1}
    assert await after.get_conversations("filing") == {(7, 7): 2}
    assert await after.get_conversations("other") == {}
    assert await after.get_callback_data() is None


async def test_the_last_staged_change_of_a_key_wins(store: StateStore) -> None:
    persistence = DatabasePersistence(store)
    await persistence.update_conversation("filing", (8, 8), "story")
    await persistence.update_conversation("filing", (8, 8), None)
    await persistence.update_conversation("filing", (9, 9), None)
    await persistence.update_conversation("filing", (9, 9), "kind")
    await persistence.update_user_data(9, {"a": 1})
    await persistence.drop_user_data(9)
    await persistence.update_chat_data(-1, {"b": 2})
    await persistence.drop_chat_data(-1)
    await persistence.write_staged()

    fresh = DatabasePersistence(store)
    assert await fresh.get_conversations("filing") == {(9, 9): "kind"}
    assert await fresh.get_user_data() == {}
    assert await fresh.get_chat_data() == {}


async def test_ended_conversations_and_dropped_data_are_deleted(store: StateStore) -> None:
    first = DatabasePersistence(store)
    await first.update_conversation("filing", (7, 7), "story")
    await first.update_user_data(7, {"draft": {}})
    await first.write_staged()

    second = DatabasePersistence(store)
    await second.update_conversation("filing", (7, 7), None)
    await second.drop_user_data(7)
    await second.write_staged()
    assert await store.load(CONVERSATIONS + "filing") == {}
    assert await store.load(USER_DATA) == {}


async def test_written_changes_are_forgotten(store: StateStore) -> None:
    persistence = DatabasePersistence(store)
    await persistence.update_user_data(7, {"step": 1})
    await persistence.write_staged()
    await store.save(USER_DATA, "7", {"step": 2})
    # A second write has nothing left to write: it does not bring the old value back.
    await persistence.write_staged()
    assert await store.load(USER_DATA) == {"7": {"step": 2}}


async def test_bot_data_is_written_only_when_it_changed(store: StateStore) -> None:
    await store.save(BOT_DATA, "", {"jobs": 1})
    persistence = DatabasePersistence(store)
    assert await persistence.get_bot_data() == {"jobs": 1}
    # Another writer changes it; handing over the unchanged value must not undo that.
    await store.save(BOT_DATA, "", {"jobs": 5})
    await persistence.update_bot_data({"jobs": 1})
    await persistence.write_staged()
    assert await store.load(BOT_DATA) == {"": {"jobs": 5}}

    await persistence.update_bot_data({"jobs": 2})
    await persistence.write_staged()
    assert await store.load(BOT_DATA) == {"": {"jobs": 2}}


async def test_writes_roll_back_with_the_unit_of_work(
    store: StateStore, engine: AsyncEngine
) -> None:
    persistence = DatabasePersistence(store)
    await persistence.update_conversation("filing", (7, 7), "story")
    with pytest.raises(RuntimeError, match="batch failed"):
        async with unit_of_work(engine):
            await persistence.write_staged()
            raise RuntimeError("batch failed")
    assert await store.load(CONVERSATIONS + "filing") == {}


async def test_a_fresh_database_starts_empty(store: StateStore) -> None:
    persistence = DatabasePersistence(store)
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    # Nothing staged: writing is a no-op.
    await persistence.write_staged()
    await persistence.flush()
    assert await store.load(USER_DATA) == {}


async def test_a_row_not_keyed_by_an_id_is_skipped_not_fatal(
    store: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    await store.save(CHAT_DATA, "abc", {"left": "by an update no longer let in"})
    await store.save(CHAT_DATA, "-100", {"kept": True})
    await store.save(USER_DATA, "x1", {})

    persistence = DatabasePersistence(store)
    assert await persistence.get_chat_data() == {-100: {"kept": True}}
    assert await persistence.get_user_data() == {}
    assert "chat_data under 'abc' is not keyed by an id; skipped" in caplog.text
