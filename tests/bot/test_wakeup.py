import asyncio

from bot.wakeup import Wakeup

# Far longer than any test runs: a pause that ends did so because it was woken.
LONG = 3600.0
# Only bounds a wait that fails; a working wake-up ends it at once.
PATIENCE = 5.0


async def test_a_pause_ends_when_woken() -> None:
    wakeup = Wakeup()
    pausing = asyncio.create_task(wakeup.pause(LONG))
    await asyncio.sleep(0)
    assert not pausing.done()
    wakeup.set()
    await asyncio.wait_for(pausing, PATIENCE)


async def test_a_wake_up_before_the_pause_ends_it_at_once_and_only_it() -> None:
    wakeup = Wakeup()
    wakeup.set()
    await asyncio.wait_for(wakeup.pause(LONG), PATIENCE)
    # The wake-up was used up: the next pause waits again.
    pausing = asyncio.create_task(wakeup.pause(LONG))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not pausing.done()
    wakeup.set()
    await asyncio.wait_for(pausing, PATIENCE)


async def test_a_pause_not_woken_lasts_its_time() -> None:
    wakeup = Wakeup()
    await asyncio.wait_for(wakeup.pause(0.001), PATIENCE)
