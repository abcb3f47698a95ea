"""Progress bars for the commands that solve more than once (sweep, frontier, compare, batch).

Drawn on standard error with rich, so the tables on standard output stay clean; ``--quiet``
silences them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

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
    from allocator.studies.variants import WarmSolver

QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        help=tr("Nessuna barra di avanzamento.", "No progress bar."),
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


def counting_solver(advance: Advance) -> WarmSolver:
    """A :class:`~allocator.studies.variants.WarmSolver` that calls ``advance`` after each solve
    (imported here, not at start-up, so ``allocator --help`` stays quick)."""
    from allocator.inputs.schema import Scenario
    from allocator.optimization.pipeline import RunResult
    from allocator.studies.variants import WarmSolver

    class CountingSolver(WarmSolver):
        def run(self, scenario: Scenario) -> RunResult:
            result = super().run(scenario)
            advance()
            return result

    return CountingSolver()
