"""The supervisor (:mod:`bot.supervisor`): a task that died of a bug is started again."""

import asyncio
import logging
from contextlib import suppress

import pytest

from bot import backoff
from bot.supervisor import Supervisor

PATIENCE_SECONDS = 5.0


async def test_a_task_that_dies_of_a_bug_is_restarted_with_backoff_and_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []
    sleep = asyncio.sleep

    async def recorded_sleep(seconds: float) -> None:
        pauses.append(seconds)
        await sleep(0)

    monkeypatch.setattr(backoff.asyncio, "sleep", recorded_sleep)
    supervisor = Supervisor()
    runs = 0
    steady = asyncio.Event()
    seen_running: list[bool] = []

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        seen_running.append(supervisor.is_running("flaky"))
        if runs <= 3:
            raise KeyError(f"bug {runs}")
        steady.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(supervisor.keep("flaky", flaky))
    try:
        await asyncio.wait_for(steady.wait(), PATIENCE_SECONDS)
        assert supervisor.is_running("flaky")
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    assert runs == 4
    assert seen_running == [True] * 4
    assert pauses == [0.5, 1.0, 2.0]
    assert supervisor.last_error == "KeyError"
    assert not supervisor.is_running("flaky")
    died = [r for r in caplog.records if r.message.startswith("flaky died (KeyError)")]
    assert len(died) == 3
    assert all(r.levelno == logging.ERROR and r.exc_info for r in died)


async def test_a_task_that_returns_is_started_again(caplog: pytest.LogCaptureFixture) -> None:
    supervisor = Supervisor()
    runs: list[int] = []
    enough = asyncio.Event()

    async def returns() -> None:
        runs.append(1)
        if len(runs) == 2:
            enough.set()

    task = asyncio.create_task(supervisor.keep("short-lived", returns))
    try:
        await asyncio.wait_for(enough.wait(), PATIENCE_SECONDS)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    assert len(runs) == 2
    assert supervisor.last_error is None
    assert "short-lived ended unexpectedly" in caplog.text
