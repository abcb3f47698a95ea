"""One call for the whole chain: scenario → checks → model → solution → plan.

The library returns outcomes: an infeasible scenario is a :class:`RunResult` with a status and an
explanation, not an exception. The edges (CLI, notebooks) turn outcomes into exit codes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from allocator.inputs.schema import Scenario, SolverSettings
from allocator.optimization.conflicts import Conflict, conflict_sentences, find_conflicts
from allocator.optimization.feasibility import check_feasibility
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.solve import SolveOutcome, SolveStatus, solve
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
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    conflicts = check_feasibility(scenario)
    timings["check"] = time.perf_counter() - start
    if conflicts:
        return RunResult(scenario, SolveStatus.INFEASIBLE, explanation=conflicts, timings=timings)

    start = time.perf_counter()
    model = build_model(scenario) if model is None else model
    timings["build"] = time.perf_counter() - start
    outcome = solve(model, solver)
    timings["solve"] = outcome.seconds
    result = RunResult(scenario, outcome.status, outcome=outcome, model=model, timings=timings)
    if outcome.status is SolveStatus.INFEASIBLE:
        start = time.perf_counter()
        result.conflicts = find_conflicts(scenario)
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
