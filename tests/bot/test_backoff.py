from datetime import timedelta

from bot.backoff import Backoff

# Microseconds: the pauses are really waited, but cost the test nothing.
FIRST = timedelta(microseconds=1)


async def test_pauses_double_up_to_the_longest() -> None:
    backoff = Backoff(FIRST, longest=timedelta(microseconds=5))
    seen: list[float] = []
    for _ in range(5):
        seen.append(backoff.seconds)
        await backoff.wait()
    assert seen == [1e-6, 2e-6, 4e-6, 5e-6, 5e-6]


async def test_reset_starts_again_from_the_first_pause() -> None:
    backoff = Backoff(FIRST)
    await backoff.wait()
    await backoff.wait()
    assert backoff.seconds == 4e-6
    backoff.reset()
    assert backoff.seconds == 1e-6


def test_the_default_pauses_start_at_half_a_second() -> None:
    assert Backoff().seconds == 0.5
