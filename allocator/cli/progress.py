"""Progress bars for the commands that solve more than once (sweep, frontier, compare, batch).

Drawn on standard error with rich, so the tables on standard output stay clean; ``--quiet``
silences them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from allocator.cli.base import errors, tr

if TYPE_CHECKING:
    from allocator.studies.executor import Executor

QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        help=tr("No progress bar."),
    ),
]

Advance = Callable[[], None]


@contextmanager
def progress_bar(description: str, total: int | None, quiet: bool = False) -> Iterator[Advance]:
    """A bar of ``total`` steps (a pulse when unknown); yields the function that advances it."""
    if quiet:
        yield lambda: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


@contextmanager
def study_executor(
    engine: str, jobs: int, scheduler: str | None, description: str, steps: int, quiet: bool
) -> Iterator[tuple[Executor, Advance]]:
    """The executor ``--engine``, ``--jobs`` and ``--scheduler`` ask for, and a progress bar of
    ``steps`` beside it (silent with ``quiet``)."""
    from allocator.studies.executor import make_executor

    with (
        make_executor(engine, jobs, scheduler) as executor,
        progress_bar(description, steps, quiet) as advance,
    ):
        yield executor, advance


def counting_executor(executor: Executor, advance: Advance) -> Executor:
    """``executor``, calling ``advance`` as each item finishes (to move a progress bar)."""
    from allocator.studies.executor import Executor

    class Counting(Executor):
        name = executor.name
        workers = executor.workers
        scheduler = executor.scheduler

        def map(self, setup: Any, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
            for done in executor.map(setup, items):
                advance()
                yield done

        def close(self) -> None:
            executor.close()

    return Counting()
