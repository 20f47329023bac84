from sqlalchemy.ext.asyncio import AsyncEngine

from intake.state_store import StateStore


async def test_values_are_saved_replaced_and_deleted_per_namespace(engine: AsyncEngine) -> None:
    store = StateStore(engine)
    await store.save("conversations:filing", "[1, 1]", 2)
    await store.save("user_data", "1", {"draft": {"kind": "投诉", "photos": ["f1"]}})
    await store.save("user_data", "1", {"draft": {"kind": "求助"}})
    await store.save("user_data", "2", {})
    assert await store.load("user_data") == {"1": {"draft": {"kind": "求助"}}, "2": {}}
    assert await store.load("conversations:filing") == {"[1, 1]": 2}

    await store.delete("user_data", "1")
    await store.delete("user_data", "absent")
    assert await store.load("user_data") == {"2": {}}
    assert await store.load("nothing here") == {}


async def test_a_new_store_on_the_same_database_sees_what_was_saved(engine: AsyncEngine) -> None:
    await StateStore(engine).save("bot_data", "", {"greeted": [1, 2]})
    assert await StateStore(engine).load("bot_data") == {"": {"greeted": [1, 2]}}
