"""Solving a built model, and reading the solver's status honestly.

PuLP reports a MIP stopped by its time limit as "Optimal"; here such a plan is ``feasible``. For
HiGHS the model status and the primal solution status are read from the solver itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata

import pulp
from pulp.apis import coin_api

from allocator.inputs.schema import SolverName, SolverSettings
from allocator.optimization.model import AllocationModel


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    """Proven optimal (for a MILP: within the scenario's mip_gap)."""
    FEASIBLE = "feasible"
    """A plan that satisfies every constraint, optimality not proven (e.g. the time limit)."""
    INFEASIBLE = "infeasible"
    ERROR = "error"
    """The solver failed, or found no plan in time."""


@dataclass(frozen=True)
class SolveOutcome:
    status: SolveStatus
    solver: str
    solver_version: str
    seconds: float
    message: str
    """The solver's own words on how it stopped."""
    mip_gap: float | None = None
    """The relative gap proven at the end, for a MILP."""

    @property
    def is_ok(self) -> bool:
        """True when the model's variables hold a plan that may be read."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def solver_version(name: SolverName) -> str:
    if name is SolverName.HIGHS:
        return f"highspy {metadata.version('highspy')}"
    path = cbc_path()
    if path is None:
        return "cbc (not installed)"
    if "cbcbox" in path:
        return f"cbc (cbcbox {metadata.version('cbcbox')}, pulp {metadata.version('pulp')})"
    if path == getattr(coin_api, "pulp_cbc_path", None):
        return f"cbc (bundled with pulp {metadata.version('pulp')})"
    return f"cbc ({path}, pulp {metadata.version('pulp')})"


SMALL_MIP = 100
"""Integer columns (staff posts: roles × areas) up to which HiGHS's RINS and RENS are switched
off (:func:`highs_options`)."""
NO_SUB_MIPS = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
"""HiGHS options: no RINS, no RENS (sub-MIP heuristics around the LP and incumbent)."""


def highs_options(integers: int) -> dict[str, bool]:
    """HiGHS options chosen by the model's size: RINS and RENS off for a MILP of at most
    :data:`SMALL_MIP` integer columns.

    On Milan (48 posts) the sub-MIPs take half of a solve and find nothing the branch and bound
    does not (the plan solve 1.3 → 0.7 s CPU, the rules' dominating plans 1.6–2.2 → 0.4–1.0 s, the
    same optima within the MIP gap); on the city-wide scenario (176 posts) they are neutral and
    on a 300-area synthetic one (600) they find the plans, so larger models keep them
    (docs/performance.md).
    """
    return dict(NO_SUB_MIPS) if 0 < integers <= SMALL_MIP else {}


def solve(model: AllocationModel, settings: SolverSettings | None = None) -> SolveOutcome:
    """Solve the model in place with the scenario's solver settings (or the ones given)."""
    settings = settings or model.scenario.settings.solver
    integers = sum(v.cat == pulp.LpInteger for v in model.staff_posts.values())
    return solve_problem(model.problem, settings, integers > 0, highs_options(integers))


def solve_lp(problem: pulp.LpProblem, time_limit: float | None = None) -> SolveOutcome:
    """Solve an auxiliary linear program (the rules' funding LP, the conflict finder's elastic
    program) with HiGHS, one thread, its status read exactly as :func:`solve` reads it."""
    settings = SolverSettings(threads=1)
    if time_limit is not None:
        settings = settings.model_copy(update={"time_limit": time_limit})
    return solve_problem(problem, settings, is_mip=False)


def solve_problem(
    problem: pulp.LpProblem,
    settings: SolverSettings,
    is_mip: bool,
    options: Mapping[str, bool | float] | None = None,
) -> SolveOutcome:
    """Solve a PuLP problem in place with the given solver; the status read honestly.

    ``options``: HiGHS options by name (ignored by CBC).
    """
    start = time.perf_counter()
    if settings.name is SolverName.HIGHS:
        outcome = _solve_highs(problem, settings, is_mip, options or {})
    else:
        outcome = _solve_cbc(problem, settings)
    seconds = time.perf_counter() - start
    return SolveOutcome(
        status=outcome[0],
        solver=settings.name.value,
        solver_version=solver_version(settings.name),
        seconds=seconds,
        message=outcome[1],
        mip_gap=outcome[2] if is_mip else None,
    )


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level writes to stdout (HiGHS prints a banner when constructed)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        fd = 1  # no real file behind sys.stdout (a notebook, pytest): the process's own stdout
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class _QuietHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface without the banner HiGHS prints on construction."""

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        import highspy

        with _quiet_stdout():
            if self.threads is not None:
                # HiGHS's thread pool is global: a solve asking for another number of threads
                # than the pool was started with fails ("Not Set") unless the pool is reset
                highspy.Highs.resetGlobalScheduler(True)
            super().createAndConfigureSolver(lp)


def _solve_highs(
    problem: pulp.LpProblem,
    settings: SolverSettings,
    is_mip: bool,
    options: Mapping[str, bool | float],
) -> tuple[SolveStatus, str, float | None]:
    import highspy

    solver = _QuietHiGHS(
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.mip_gap if is_mip else None,
        threads=settings.threads,
        **options,
    )
    try:
        problem.solve(solver)
    except Exception as exc:  # the solver's own failure, reported as status error
        return SolveStatus.ERROR, f"HiGHS failed: {exc}", None
    highs = problem.solverModel
    status = highs.getModelStatus()
    info = highs.getInfo()
    text = highs.modelStatusToString(status)
    has_plan = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    gap = float(info.mip_gap) if is_mip else None
    ms = highspy.HighsModelStatus
    if status == ms.kOptimal:
        return SolveStatus.OPTIMAL, text, gap
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolveStatus.INFEASIBLE, text, gap
    if status in (
        ms.kTimeLimit,
        ms.kIterationLimit,
        ms.kInterrupt,
        ms.kSolutionLimit,
        ms.kObjectiveBound,
        ms.kObjectiveTarget,
    ):
        if has_plan:
            return SolveStatus.FEASIBLE, text, gap
        return SolveStatus.ERROR, f"{text}: no plan found in time", gap
    return SolveStatus.ERROR, text, gap


def cbc_path() -> str | None:
    """The CBC binary: the one ``pulp[cbc]`` installs (PuLP 4's way), else the one bundled with
    PuLP 3, else ``cbc`` on the PATH; None when there is none."""
    with contextlib.suppress(ImportError):
        import cbcbox

        path = str(cbcbox.cbc_bin_path())
        if os.access(path, os.X_OK):
            return path
    bundled = getattr(coin_api, "pulp_cbc_path", None)
    if isinstance(bundled, str) and os.access(bundled, os.X_OK):
        return bundled
    return shutil.which("cbc")


def _solve_cbc(
    problem: pulp.LpProblem, settings: SolverSettings
) -> tuple[SolveStatus, str, float | None]:
    path = cbc_path()
    if path is None:
        return (
            SolveStatus.ERROR,
            "CBC is not installed: install it with `pip install 'pulp[cbc]'`, or use HiGHS",
            None,
        )
    solver = pulp.COIN_CMD(
        path=path,
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.mip_gap,
        threads=settings.threads,
    )
    try:
        problem.solve(solver)
    except pulp.PulpSolverError as exc:
        return SolveStatus.ERROR, f"CBC failed: {exc}", None
    status, sol = problem.status, problem.sol_status
    text = f"{pulp.LpStatus[status]} / {pulp.LpSolution[sol]}"
    if status == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL, text, None
    if sol == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE, text, None
    if status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE, text, None
    return SolveStatus.ERROR, text, None
