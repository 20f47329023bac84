import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.database import unit_of_work
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


async def test_write_saves_and_deletes_many_keys_at_once(engine: AsyncEngine) -> None:
    store = StateStore(engine)
    await store.write(
        {
            ("user_data", "1"): {"draft": {"kind": "投诉"}},
            ("user_data", "2"): {"draft": {"kind": "求助"}},
            ("chat_data", "-100"): {"pinned": 5},
            ("conversations:filing", "[1, 1]"): 2,
        },
        (),
    )

    await store.write(
        {("user_data", "1"): {"draft": None}, ("user_data", "3"): [1, "二", 3.5, True]},
        [("user_data", "2"), ("conversations:filing", "[1, 1]"), ("user_data", "absent")],
    )
    await store.write({}, [])

    assert await store.load("user_data") == {"1": {"draft": None}, "3": [1, "二", 3.5, True]}
    assert await store.load("chat_data") == {"-100": {"pinned": 5}}
    assert await store.load("conversations:filing") == {}


async def test_a_write_that_fails_changes_nothing(engine: AsyncEngine) -> None:
    store = StateStore(engine)
    await store.write({("user_data", "1"): 1, ("user_data", "2"): 2}, ())

    with pytest.raises(StatementError):
        await store.write({("user_data", "3"): object()}, [("user_data", "1")])

    assert await store.load("user_data") == {"1": 1, "2": 2}


async def test_a_write_inside_a_unit_of_work_commits_with_it(engine: AsyncEngine) -> None:
    store = StateStore(engine)
    await store.save("bot_data", "", {"greeted": [1]})

    with pytest.raises(RuntimeError, match="handler failed"):
        async with unit_of_work(engine):
            await store.write({("bot_data", ""): {"greeted": [1, 2]}}, ())
            assert await store.load("bot_data") == {"": {"greeted": [1, 2]}}
            raise RuntimeError("handler failed")
    assert await store.load("bot_data") == {"": {"greeted": [1]}}

    async with unit_of_work(engine):
        await store.write({("user_data", "1"): {}}, [("bot_data", "")])
    assert await store.load("bot_data") == {}
    assert await store.load("user_data") == {"1": {}}
