"""One call for the whole chain: scenario → checks → model → solution → plan.

The library returns outcomes: an infeasible scenario is a :class:`RunResult` with a status and an
explanation, not an exception. The edges (CLI, notebooks) turn outcomes into exit codes.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from allocator.inputs.schema import Scenario, SolverSettings
from allocator.optimization.conflicts import Conflict, conflict_sentences, find_conflicts
from allocator.optimization.feasibility import check_feasibility
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.solve import SolveOutcome, SolveStatus, solve
from allocator.optimization.tiebreak import break_ties
from allocator.postprocess.invariants import check_plan
from allocator.postprocess.results import Plan, extract


@dataclass
class RunResult:
    scenario: Scenario
    status: SolveStatus
    plan: Plan | None = None
    outcome: SolveOutcome | None = None
    model: AllocationModel | None = None
    explanation: list[str] = field(default_factory=list)
    """Why there is no plan (infeasibility, solver failure), one sentence per item."""
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
    lang: str = "en",
) -> RunResult:
    """Check, build, solve and extract; never raises for an infeasible or failed solve.

    ``model``: one built before and already updated to this scenario (budget variants reuse one
    model, see :mod:`allocator.studies.variants`); built from the scenario when not given.
    ``lang`` (it or en): the language of the explanation when the solver proves infeasibility.

    The solver settings' ``time_limit`` bounds the whole call: checks, building, both solver
    passes and the search for conflicts each get what is left of it.
    """
    settings = solver or scenario.settings.solver
    deadline = time.perf_counter() + settings.time_limit
    timings: dict[str, float] = {}
    start = time.perf_counter()
    conflicts = check_feasibility(scenario)
    timings["check"] = time.perf_counter() - start
    if conflicts:
        return RunResult(scenario, SolveStatus.INFEASIBLE, explanation=conflicts, timings=timings)

    start = time.perf_counter()
    model = build_model(scenario) if model is None else model
    timings["build"] = time.perf_counter() - start
    if deadline - time.perf_counter() <= 0:
        return RunResult(
            scenario,
            SolveStatus.ERROR,
            model=model,
            explanation=[
                f"the time limit of {settings.time_limit:g} s ran out before solving (building "
                f"the model took {timings['build']:.1f} s)"
            ],
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
        timings["conflicts"] = time.perf_counter() - start
        result.explanation = conflict_sentences(scenario, result.conflicts, lang) or [
            "the solver proved that the staff minima cannot all be met and paid for: the "
            "funders allowed to pay each role, their amounts and their earmarks' caps leave too "
            f"little money for the minimum posts ({outcome.message})"
        ]
        return result
    if not outcome.is_ok:
        result.explanation = [f"the solver found no plan: {outcome.message}"]
        return result

    start = time.perf_counter()
    plan = extract(model, outcome)
    timings["extract"] = time.perf_counter() - start
    violations = check_plan(scenario, plan)
    if violations:
        result.status = SolveStatus.ERROR
        result.explanation = ["the solver's plan breaks a limit; it is not used:", *violations]
        return result
    result.plan = plan
    return result


def _within(settings: SolverSettings, deadline: float) -> SolverSettings:
    """The settings with the time limit cut to what is left before the deadline."""
    left = max(deadline - time.perf_counter(), 1e-3)
    return settings.model_copy(update={"time_limit": min(settings.time_limit, left)})
