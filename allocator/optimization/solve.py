"""Solving a built model, and reading the solver's status honestly.

PuLP reports a MIP stopped by its time limit as "Optimal"; here such a plan is ``feasible``. For
HiGHS the model status and the primal solution status are read from the solver itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata

import pulp

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
    return f"cbc (bundled with pulp {metadata.version('pulp')})"


def solve(model: AllocationModel, settings: SolverSettings | None = None) -> SolveOutcome:
    """Solve the model in place with the scenario's solver settings (or the ones given)."""
    settings = settings or model.scenario.settings.solver
    is_mip = any(v.cat == pulp.LpInteger for v in model.staff_posts.values())
    start = time.perf_counter()
    if settings.name is SolverName.HIGHS:
        outcome = _solve_highs(model, settings, is_mip)
    else:
        outcome = _solve_cbc(model, settings)
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
    except (AttributeError, OSError, ValueError):  # no real file behind stdout (a notebook)
        yield
        return
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
        with _quiet_stdout():
            super().createAndConfigureSolver(lp)


def _solve_highs(
    model: AllocationModel, settings: SolverSettings, is_mip: bool
) -> tuple[SolveStatus, str, float | None]:
    import highspy

    solver = _QuietHiGHS(
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.mip_gap if is_mip else None,
        threads=settings.threads,
    )
    try:
        model.problem.solve(solver)
    except Exception as exc:  # the solver's own failure, reported as status error
        return SolveStatus.ERROR, f"HiGHS failed: {exc}", None
    highs = model.problem.solverModel
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


def _solve_cbc(
    model: AllocationModel, settings: SolverSettings
) -> tuple[SolveStatus, str, float | None]:
    solver = pulp.PULP_CBC_CMD(
        msg=False,
        timeLimit=settings.time_limit,
        gapRel=settings.mip_gap,
        threads=settings.threads,
    )
    try:
        model.problem.solve(solver)
    except pulp.PulpSolverError as exc:
        return SolveStatus.ERROR, f"CBC failed: {exc}", None
    status, sol = model.problem.status, model.problem.sol_status
    text = f"{pulp.LpStatus[status]} / {pulp.LpSolution[sol]}"
    if status == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL, text, None
    if sol == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE, text, None
    if status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE, text, None
    return SolveStatus.ERROR, text, None
