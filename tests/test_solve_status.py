"""The solver's status is read honestly: a plan stopped by a limit is feasible, not optimal."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import highspy
import pulp
import pytest
from rich.console import Console

from allocator.optimization.model import build_model
from allocator.optimization.pipeline import run_scenario
from allocator.optimization.solve import SolveStatus, solve
from allocator.render.summary import summary
from tests.test_model_exact import integer_staff

pytestmark = pytest.mark.exact

FEASIBLE = highspy.SolutionStatus.kSolutionStatusFeasible
NONE = highspy.SolutionStatus.kSolutionStatusNone


def staffed() -> Any:
    """A MILP (integer staff) so that the MIP gap is reported too."""
    return integer_staff()


def fake_highs(
    monkeypatch: pytest.MonkeyPatch, status: highspy.HighsModelStatus, solution: Any
) -> None:
    """Solve for real, then make HiGHS report ``status`` and ``solution`` as a limit would."""
    real = pulp.LpProblem.solve

    def solve_then_stop(problem: pulp.LpProblem, solver: Any = None, **kwargs: Any) -> int:
        code = real(problem, solver, **kwargs)
        info = SimpleNamespace(primal_solution_status=solution, mip_gap=0.25)
        problem.solverModel = SimpleNamespace(
            getModelStatus=lambda: status,
            getInfo=lambda: info,
            modelStatusToString=lambda _s: "Time limit reached",
        )
        return int(code)

    monkeypatch.setattr(pulp.LpProblem, "solve", solve_then_stop)


def test_a_plan_stopped_by_the_time_limit_is_feasible_not_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_highs(monkeypatch, highspy.HighsModelStatus.kTimeLimit, FEASIBLE)
    outcome = solve(build_model(staffed()))
    assert outcome.status is SolveStatus.FEASIBLE
    assert outcome.is_ok and outcome.mip_gap == 0.25
    result = run_scenario(staffed())
    assert result.status is SolveStatus.FEASIBLE
    assert result.plan is not None and result.plan.kpis["status"] == "feasible"
    console = Console(record=True, width=200)
    console.print(summary(result, lang="en"))
    text = console.export_text()
    assert "status: feasible" in text and "optimality not proven" in text
    assert "gap to the best bound 25.0%" in text


def test_the_time_limit_without_a_plan_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_highs(monkeypatch, highspy.HighsModelStatus.kTimeLimit, NONE)
    outcome = solve(build_model(staffed()))
    assert outcome.status is SolveStatus.ERROR and not outcome.is_ok
    assert "no plan found in time" in outcome.message
    result = run_scenario(staffed())
    assert result.plan is None and result.facts


def test_optimal_is_optimal_and_reports_the_gap() -> None:
    outcome = solve(build_model(staffed()))
    assert outcome.status is SolveStatus.OPTIMAL
    assert outcome.mip_gap is not None and outcome.mip_gap <= 1e-9
    assert outcome.solver == "highs" and outcome.solver_version.startswith("highspy")
