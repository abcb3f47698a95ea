"""The page answers the last question: a change while a solve runs supersedes it.

:class:`LatestWins` runs one solve at a time in a worker thread (the kept model is not shared
between two solves) and keeps at most one setting waiting: each new setting replaces the waiting
one, and a result whose setting was superseded while it was being solved is dropped, never shown.
A burst of 30 slider changes therefore costs the solve already running and the last one, not 30
solves in turn. Every submission carries a generation number; only the latest is published.

Plain asyncio, no Shiny: the page gives it its solve and how to publish a result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class Progress:
    """Where the solves stand: the generation last submitted and last published, whether a
    solve is running or waiting, and how many ran and were dropped as superseded."""

    submitted: int
    published: int
    busy: bool
    solved: int
    dropped: int


class LatestWins(Generic[S, R]):
    """Solve settings ``S`` into results ``R`` with ``solve`` (in a worker thread, one at a
    time) and ``publish`` only the result of the latest setting. ``publish`` receives the
    result (None when only the progress changed) and the progress."""

    def __init__(
        self,
        solve: Callable[[S], R],
        publish: Callable[[R | None, Progress], Awaitable[None]],
    ) -> None:
        self._solve = solve
        self._publish = publish
        self._generation = 0
        self._published = 0
        self._waiting: tuple[int, S] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._last: S | None = None
        self.solved = 0
        self.dropped = 0

    def progress(self, busy: bool | None = None) -> Progress:
        """The progress now (``busy``: whether a solve runs or waits, by default whether the
        worker is at work)."""
        working = self._worker is not None if busy is None else busy
        return Progress(self._generation, self._published, working, self.solved, self.dropped)

    def submit(self, setting: S) -> bool:
        """Ask for ``setting`` to be solved (from the event loop); the same setting as the last
        one asked for is not solved again. Returns whether it was queued."""
        if self._last is not None and setting == self._last:
            return False
        self._last = setting
        self._generation += 1
        self._waiting = (self._generation, setting)
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._drain())
        return True

    def supersede(self) -> Progress:
        """Drop whatever is running or waiting (the page shows a setting refused before
        solving instead): a solve running is left to finish, then dropped. Returns the
        progress, no longer busy."""
        self._generation += 1
        self._waiting = None
        self._last = None
        self._published = self._generation
        return self.progress(busy=False)

    async def _drain(self) -> None:
        try:
            while self._waiting is not None:
                generation, setting = self._waiting
                self._waiting = None
                result = await asyncio.to_thread(self._solve, setting)
                self.solved += 1
                if generation != self._generation:
                    self.dropped += 1  # superseded while it was solved: never shown
                    if self._waiting is None:  # superseded by a refusal: only say it is done
                        await self._publish(None, self.progress(busy=False))
                    continue
                self._published = generation
                await self._publish(result, self.progress(busy=self._waiting is not None))
        finally:
            self._worker = None  # no await since the loop's last check: nothing slips in
