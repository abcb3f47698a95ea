"""The page answers the last question: a burst of changes shows only the last one's result, a
result superseded while it was solved is dropped (``allocator/app/latest.py``, no browser)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from allocator.app.latest import LatestWins, Progress

pytestmark = pytest.mark.exact


class Recorder:
    """A solve that records what it solved (and can be held until released) and a publish that
    records what was shown."""

    def __init__(self, hold_first: bool = False) -> None:
        self.solved: list[int] = []
        self.shown: list[tuple[str | None, Progress]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()

    def solve(self, setting: int) -> str:
        self.solved.append(setting)
        self.started.set()
        assert self.release.wait(30)
        return f"plan {setting}"

    async def publish(self, result: str | None, progress: Progress) -> None:
        self.shown.append((result, progress))


async def _until_started(recorder: Recorder) -> None:
    assert await asyncio.to_thread(recorder.started.wait, 30)


async def _idle(latest: LatestWins[int, str]) -> None:
    for _ in range(3000):
        if not latest.progress().busy:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the solves never finished")


def test_a_burst_of_changes_is_solved_once_at_the_last_value() -> None:
    recorder = Recorder()

    async def burst() -> LatestWins[int, str]:
        latest = LatestWins(recorder.solve, recorder.publish)
        for value in range(30):  # 30 changes before the page gets to solve any
            latest.submit(value)
        await _idle(latest)
        return latest

    latest = asyncio.run(burst())
    assert recorder.solved == [29]
    assert [result for result, _ in recorder.shown] == ["plan 29"]
    assert recorder.shown[-1][1] == Progress(30, 30, False, 1, 0)
    assert latest.dropped == 0


def test_changes_while_a_solve_runs_drop_its_result_and_solve_only_the_last() -> None:
    recorder = Recorder(hold_first=True)

    async def during() -> LatestWins[int, str]:
        latest = LatestWins(recorder.solve, recorder.publish)
        latest.submit(1)
        await _until_started(recorder)  # the first solve is running
        for value in range(2, 31):
            latest.submit(value)
        assert latest.progress().busy
        recorder.release.set()
        await _idle(latest)
        return latest

    latest = asyncio.run(during())
    assert recorder.solved == [1, 30]  # the running one, then only the last
    assert [result for result, _ in recorder.shown] == ["plan 30"]  # plan 1 never shown
    assert (latest.solved, latest.dropped) == (2, 1)


def test_a_refusal_supersedes_the_running_solve() -> None:
    recorder = Recorder(hold_first=True)

    async def refused() -> None:
        latest = LatestWins(recorder.solve, recorder.publish)
        latest.submit(1)
        await _until_started(recorder)
        assert latest.supersede().busy is False
        recorder.release.set()
        await _idle(latest)
        latest.submit(1)  # the same setting again after a refusal is solved again
        await _idle(latest)

    asyncio.run(refused())
    shown = [result for result, _ in recorder.shown]
    assert shown == [None, "plan 1"]  # the stale plan 1 is never shown, only ends the busy state
    assert recorder.shown[0][1].busy is False


def test_the_same_setting_is_not_solved_twice() -> None:
    recorder = Recorder()

    async def twice() -> None:
        latest = LatestWins(recorder.solve, recorder.publish)
        assert latest.submit(5)
        await _idle(latest)
        assert not latest.submit(5)
        assert latest.submit(6)
        await _idle(latest)

    asyncio.run(twice())
    assert recorder.solved == [5, 6]
