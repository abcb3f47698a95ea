"""Many scenario folders solved in parallel processes, one failure never stopping the others.

Each job loads, solves and returns a small :class:`JobResult` (status, exit code, KPIs), never the
model. Within a worker process the jobs share a :class:`~.variants.WarmSolver`, so budget
variants of one scenario handled by the same worker reuse its built model.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_SOLVER,
    InputError,
    UsageError,
)
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import Fact, RunResult
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.kpis import STUDY_KPIS
from allocator.studies.executor import Executor, LocalExecutor
from allocator.studies.variants import WarmSolver, with_setting

Loader = Callable[[Path], Scenario]
"""Reads a scenario folder; must be a module-level function (it is sent to worker processes)."""
Why = Callable[[RunResult], str]
"""Words why a run has no plan, for a job's message (sent to worker processes too)."""

EXIT_CODES = {
    SolveStatus.OPTIMAL: EXIT_OK,
    SolveStatus.FEASIBLE: EXIT_OK,
    SolveStatus.INFEASIBLE: EXIT_INFEASIBLE,
    SolveStatus.ERROR: EXIT_SOLVER,
}
"""Solve status → exit code of DESIGN.md §3 (a bad input is 2)."""


@dataclass(frozen=True)
class JobResult:
    """What one batch job reports: never the model, only figures and words."""

    folder: str
    name: str
    status: str
    """optimal, feasible, infeasible, error, or input (the scenario could not be read)."""
    exit_code: int
    kpis: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    """Why there is no plan: the input error, or the facts as ``why`` worded them."""
    seconds: float = 0.0
    facts: tuple[Fact, ...] = ()
    """Why the solve gave no plan (:attr:`RunResult.facts`)."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def find_scenarios(root: Path) -> list[Path]:
    """Every folder under ``root`` (itself included) holding a scenario.toml, sorted."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    return sorted(p.parent for p in root.rglob("scenario.toml"))


def default_loader(folder: Path) -> Scenario:
    """The package's loader (``allocator.inputs.loading.load_scenario``) without overrides."""
    from allocator.inputs.loading import load_scenario

    return load_scenario(folder, [])


_WARM: dict[str, WarmSolver] = {}
"""One warm solver per worker process (a module global lives as long as the process)."""


def solve_job(
    folder: Path,
    loader: Loader = default_loader,
    threads: int | None = None,
    solver: WarmSolver | None = None,
    why: Why | None = None,
) -> JobResult:
    """Load and solve one scenario folder; every failure becomes a result, never an exception.

    ``threads``: solver threads, unless the scenario sets them (parallel jobs use 1 each, so that
    the jobs do not fight over the cores). ``why``: words a run without a plan for the message
    (e.g. :func:`allocator.render.facts.no_plan_text`); without it the message stays empty and
    the facts say why.
    """
    start = time.perf_counter()
    try:
        scenario = loader(folder)
        if threads is not None and scenario.settings.solver.threads is None:
            scenario = with_setting(scenario, "solver.threads", threads)
    except (InputError, UsageError) as exc:
        return JobResult(str(folder), folder.name, "input", EXIT_INPUT, message=str(exc))
    except Exception as exc:  # a loader's failure is this scenario's bad input
        message = f"{type(exc).__name__}: {exc}"
        return JobResult(str(folder), folder.name, "input", EXIT_INPUT, message=message)
    try:
        result = (solver or _WARM.setdefault("solver", WarmSolver())).run(scenario)
    except Exception as exc:  # a solver crash must not stop the batch
        message = f"{type(exc).__name__}: {exc}"
        return JobResult(str(folder), scenario.name, "error", 4, message=message)
    kpis = {}
    if result.plan is not None:
        kpis = {k: result.plan.kpis[k] for k in STUDY_KPIS}
    return JobResult(
        str(folder),
        scenario.name,
        result.status.value,
        EXIT_CODES[result.status],
        kpis,
        why(result) if why is not None and result.facts else "",
        time.perf_counter() - start,
        tuple(result.facts),
    )


@dataclass(frozen=True)
class BatchSetup:
    """Folders solved on an executor's workers; each worker keeps one warm solver, so budget
    variants of one scenario reuse its built model."""

    loader: Loader
    threads: int | None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    why: Why | None = None

    def prepare(self) -> Callable[[Path], JobResult]:
        solver = WarmSolver()
        return lambda folder: solve_job(folder, self.loader, self.threads, solver, self.why)


def run_batch(
    folders: Sequence[Path],
    jobs: int = 1,
    loader: Loader = default_loader,
    executor: Executor | None = None,
    why: Why | None = None,
) -> Iterator[JobResult]:
    """Solve every folder, yielding results as they finish: on ``executor`` when given, else
    ``jobs`` > 1 local worker processes (a worker serves many jobs), ``jobs`` = 1 here.
    ``why``: as in :func:`solve_job` (picklable, it travels to the workers)."""
    if jobs < 1:
        raise UsageError("--jobs: give at least 1")
    owned = executor is None
    if executor is None:
        executor = LocalExecutor(jobs) if jobs > 1 and len(folders) > 1 else Executor()
    # parallel solves use one thread each, so that they do not fight over the cores
    threads = None if executor.workers == 1 and executor.name != "dask" else 1
    try:
        for _, result in executor.map(BatchSetup(loader, threads, why=why), list(folders)):
            yield result
    finally:
        if owned:
            executor.close()


def batch_table(results: Sequence[JobResult]) -> pd.DataFrame:
    """One row per scenario: folder, name, status, exit code, KPIs, message; sorted by folder."""
    rows = [
        {
            "folder": r.folder,
            "scenario": r.name,
            "status": r.status,
            "exit_code": r.exit_code,
            **{k: r.kpis.get(k) for k in STUDY_KPIS},
            "seconds": r.seconds,
            "message": r.message,
        }
        for r in sorted(results, key=lambda r: r.folder)
    ]
    return pd.DataFrame(
        rows,
        columns=["folder", "scenario", "status", "exit_code", *STUDY_KPIS, "seconds", "message"],
    )


def worst_exit_code(results: Sequence[JobResult]) -> int:
    """0 when every job succeeded, else the highest exit code among the failures."""
    return max((r.exit_code for r in results), default=0)
