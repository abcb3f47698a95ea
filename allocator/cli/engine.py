"""The options of the commands that solve many times: where their solves run (``--engine``,
``--scheduler``, ``--jobs``, shared by batch, sweep, frontier and uncertainty), and the whole set
sweep and frontier take alike (:func:`study_options`)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from allocator.cli import base
from allocator.cli.progress import Advance, QuietOption, study_executor

if TYPE_CHECKING:
    from allocator.studies.executor import Executor

EngineOption = Annotated[
    str,
    base.option("local (worker processes here) or dask (a Dask cluster; see README).", "--engine"),
]
SchedulerOption = Annotated[
    str | None,
    base.option(
        "With --engine dask: tcp://HOST:PORT of a running scheduler (default: a "
        "LocalCluster here).",
        "--scheduler",
    ),
]
JobsOption = Annotated[
    int,
    base.option("Worker processes (local, or of the Dask LocalCluster).", "--jobs"),
]


@dataclass(frozen=True)
class StudyOptions:
    """What a study command takes beside its own options: where it writes, the scenario's
    overrides, where its solves run and whether it draws a progress bar."""

    out: Path | None
    set_: list[str] | None
    overwrite: bool
    engine: str
    scheduler: str | None
    jobs: int
    quiet: bool

    @property
    def overrides(self) -> list[str]:
        """The ``--set`` overrides (none if not given)."""
        return self.set_ or []

    def destination(self, name: str, inputs: Iterable[Path] = ()) -> Path:
        """The output folder: ``--out`` or ``outputs/<name>``, refused before any solving when it
        must not be written (an input in ``inputs``, the archive, a folder the allocator did not
        write: :func:`allocator.cli.base.guard_output`)."""
        return base.output_folder(self.out, name, self.overwrite, inputs=inputs)

    @contextmanager
    def executor(self, description: str, steps: int) -> Iterator[tuple[Executor, Advance]]:
        """The executor the options ask for, with a progress bar of ``steps`` beside it."""
        with study_executor(
            self.engine, self.jobs, self.scheduler, description, steps, self.quiet
        ) as running:
            yield running


STUDY_PARAMETERS: tuple[tuple[str, Any, Any], ...] = (
    ("out", base.OutOption, None),
    ("set_", base.SetOption, None),
    ("overwrite", base.OverwriteOption, False),
    ("engine", EngineOption, "local"),
    ("scheduler", SchedulerOption, None),
    ("jobs", JobsOption, 1),
    ("quiet", QuietOption, False),
)
"""The study options, in the order the help lists them: (parameter, Typer annotation, default)."""


def study_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the study options after its own (Typer reads them from its signature)
    and pass them to it together, as its ``options: StudyOptions`` parameter."""
    own = [
        parameter
        for name, parameter in inspect.signature(command, eval_str=True).parameters.items()
        if name != "options"
    ]
    shared = [
        inspect.Parameter(
            name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation
        )
        for name, annotation, default in STUDY_PARAMETERS
    ]

    @functools.wraps(command)
    def with_options(**given: Any) -> None:
        options = StudyOptions(**{name: given.pop(name) for name, _, _ in STUDY_PARAMETERS})
        command(**given, options=options)

    with_options.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    return with_options
