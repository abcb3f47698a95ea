"""One call for the whole chain: scenario → checks → model → solution → plan.

The library returns outcomes: an infeasible scenario is a :class:`RunResult` with a status and the
facts of why (ids and numbers; :mod:`allocator.render.facts` words them), not an exception. The
edges (CLI, notebooks) turn outcomes into exit codes.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from allocator.inputs.schema import Scenario, SolverSettings
from allocator.optimization.conflicts import Conflict, find_conflicts
from allocator.optimization.feasibility import Gap, check_feasibility
from allocator.optimization.lock_conflicts import LockConflict, find_lock_conflicts
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.solve import SolveOutcome, SolveStatus, solve
from allocator.optimization.tiebreak import break_ties
from allocator.postprocess.invariants import check_plan
from allocator.postprocess.results import Plan, extract


@dataclass(frozen=True)
class TimeRanOut:
    """The time limit ran out before the solver started."""

    time_limit: float
    """Seconds, as set."""
    build_seconds: float
    """Seconds building the model took."""


@dataclass(frozen=True)
class UnexplainedInfeasibility:
    """The solver proved there is no plan, and no conflict among the requirements was found."""

    message: str
    """The solver's own message."""


@dataclass(frozen=True)
class SolverFailed:
    """The solver stopped without a plan (time limit, numerical trouble)."""

    message: str
    """The solver's own message."""


@dataclass(frozen=True)
class BrokenPlan:
    """The solver's plan breaks a limit, so it is not used."""

    violations: tuple[str, ...]
    """What :func:`allocator.postprocess.invariants.check_plan` found."""


Fact = (
    Gap
    | Conflict
    | LockConflict
    | TimeRanOut
    | UnexplainedInfeasibility
    | SolverFailed
    | BrokenPlan
)
"""Why a run has no plan: one fact, ids and numbers, no words."""


def fact_records(facts: list[Fact]) -> list[dict[str, object]]:
    """The facts as plain data (for provenance.json): each its kind and fields."""
    return [{"fact": type(f).__name__, **dataclasses.asdict(f)} for f in facts]


@dataclass
class RunResult:
    scenario: Scenario
    status: SolveStatus
    plan: Plan | None = None
    outcome: SolveOutcome | None = None
    model: AllocationModel | None = None
    facts: list[Fact] = field(default_factory=list)
    """Why there is no plan (infeasibility, solver failure), one fact each;
    :func:`allocator.render.facts.no_plan_sentences` words them."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per step: check, build, solve, extract (conflicts, when infeasible)."""
    conflicts: list[Conflict] | None = None
    """The conflicting requirements, searched once when the solver proves infeasibility (None:
    not searched); explaining the run in any language reads them from here."""

    @property
    def has_plan(self) -> bool:
        return self.plan is not None


def run_scenario(
    scenario: Scenario,
    solver: SolverSettings | None = None,
    model: AllocationModel | None = None,
) -> RunResult:
    """Check, build, solve and extract; never raises for an infeasible or failed solve.

    ``model``: one built before and already updated to this scenario (budget variants reuse one
    model, see :mod:`allocator.studies.variants`); built from the scenario when not given.

    The solver settings' ``time_limit`` bounds the whole call: checks, building, both solver
    passes and the search for conflicts each get what is left of it.
    """
    settings = solver or scenario.settings.solver
    deadline = time.perf_counter() + settings.time_limit
    timings: dict[str, float] = {}
    start = time.perf_counter()
    gaps: list[Fact] = list(check_feasibility(scenario))
    timings["check"] = time.perf_counter() - start
    if gaps:
        return RunResult(scenario, SolveStatus.INFEASIBLE, facts=gaps, timings=timings)

    start = time.perf_counter()
    model = build_model(scenario) if model is None else model
    timings["build"] = time.perf_counter() - start
    if deadline - time.perf_counter() <= 0:
        return RunResult(
            scenario,
            SolveStatus.ERROR,
            model=model,
            facts=[TimeRanOut(settings.time_limit, timings["build"])],
            timings=timings,
        )
    outcome = solve(model, _within(settings, deadline))
    if outcome.is_ok and settings.deterministic:
        first = outcome.seconds
        if deadline - time.perf_counter() > 0:
            outcome = break_ties(model, outcome, _within(settings, deadline))
        else:
            message = f"{outcome.message}; equal-cost choices not pinned down (time limit)"
            outcome = dataclasses.replace(outcome, message=message)
        timings["tie_break"] = outcome.seconds - first
    timings["solve"] = outcome.seconds
    result = RunResult(scenario, outcome.status, outcome=outcome, model=model, timings=timings)
    if outcome.status is SolveStatus.INFEASIBLE:
        start = time.perf_counter()
        result.conflicts = find_conflicts(
            scenario, seconds=max(deadline - time.perf_counter(), 1.0)
        )
        result.facts = [*result.conflicts]
        if not result.facts:  # a lock at fault?
            result.facts = [*find_lock_conflicts(scenario)]
        timings["conflicts"] = time.perf_counter() - start
        result.facts = result.facts or [UnexplainedInfeasibility(outcome.message)]
        return result
    if not outcome.is_ok:
        result.facts = [SolverFailed(outcome.message)]
        return result

    start = time.perf_counter()
    plan = extract(model, outcome)
    timings["extract"] = time.perf_counter() - start
    violations = check_plan(scenario, plan)
    if violations:
        result.status = SolveStatus.ERROR
        result.facts = [BrokenPlan(tuple(violations))]
        return result
    result.plan = plan
    return result


def _within(settings: SolverSettings, deadline: float) -> SolverSettings:
    """The settings with the time limit cut to what is left before the deadline."""
    left = max(deadline - time.perf_counter(), 1e-3)
    return settings.model_copy(update={"time_limit": min(settings.time_limit, left)})
