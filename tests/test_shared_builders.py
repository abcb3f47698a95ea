"""The pieces the model, the rules of thumb and the conflict finder share, on hand-built cases:
the minimum posts per role, the funder-amount and earmark limits, solve_lp's honest status,
CBC through COIN_CMD, and the conflicts of an infeasible run searched once."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import pandas as pd
import pulp
import pytest

from allocator.inputs.schema import SolverName, StaffRole
from allocator.optimization import conflicts
from allocator.optimization.feasibility import minimum_posts
from allocator.optimization.model import (
    build_model,
    earmark_limits,
    funder_amount_limits,
    min_posts,
)
from allocator.optimization.pipeline import run_scenario
from allocator.optimization.solve import SolveStatus, cbc_path, solve, solve_lp
from allocator.postprocess.invariants import check_plan
from allocator.render.explanations import explain
from allocator.render.facts import no_plan_sentences
from tests.builders import scenario
from tests.test_explain import staff_role
from tests.test_model_exact import solved, two_areas

pytestmark = pytest.mark.exact


def role(min_fte: float, step: float) -> StaffRole:
    return StaffRole(
        role_id="R",
        name="R",
        available_fte=10,
        cost_per_fte=100,
        min_fte_per_area=min_fte,
        fte_step=step,
    )


@pytest.mark.parametrize(
    ("min_fte", "step", "posts"),
    [(0, 1, 0), (1, 1, 1), (0.3, 1, 1), (1.2, 0.5, 3), (1.0, 0.5, 2), (1.5, 0.5, 3), (0.1, 0.1, 1)],
)
def test_min_posts_rounds_the_minimum_up_to_whole_steps(
    min_fte: float, step: float, posts: int
) -> None:
    assert min_posts(role(min_fte, step)) == posts


def test_every_reader_of_the_minimum_agrees() -> None:
    """1.2 FTE in steps of 0.5: 3 posts = 1.5 FTE per area, for the model's lower bound, the
    pre-solve check and the plan's invariants alike."""
    staff = {
        "role_id": "R",
        "name": "R",
        "available_fte": 10,
        "cost_per_fte": 10,
        "min_fte_per_area": 1.2,
        "fte_step": 0.5,
    }
    s = scenario(areas=two_areas(), staff=[staff])
    model = build_model(s)
    assert model.staff_posts[("R", "A")].lowBound == 3
    assert minimum_posts(s) == {"R": 1.5}
    r = solved(s)
    assert r.plan is not None
    staff_rows = r.plan.staff.set_index("area_id")["fte"]
    assert staff_rows.to_dict() == {"A": 1.5, "B": 1.5}
    # a plan with 1.2 FTE (the raw minimum, not in steps) breaks the invariant
    short = r.plan.staff.copy()
    short.loc[short.area_id == "A", "fte"] = 1.2
    broken = dataclasses.replace(r.plan, staff=short)
    assert any("below the minimum 1.5" in p for p in check_plan(s, broken))


def money_scenario() -> Any:
    """F (1000 €) may pay anything; G (500 €) only k in A, at most 120 €, and staff anywhere."""
    return scenario(
        areas=two_areas(),
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 100},
            {"area_id": "B", "intervention_id": "k", "need": 100},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 100},
            {"partner_id": "P", "area_id": "B", "intervention_id": "k", "capacity": 100},
        ],
        funders=[
            {"funder_id": "G", "name": "G", "kind": "private", "amount": 500},
            {"funder_id": "F", "name": "F", "kind": "public", "amount": 1000},
        ],
        earmarks=[
            {"funder_id": "G", "intervention_id": "k", "area_id": "A", "max_amount": 120},
            {"funder_id": "G", "intervention_id": "staff:R", "area_id": "*"},
        ],
        staff=[
            {
                "role_id": "R",
                "name": "R",
                "available_fte": 4,
                "cost_per_fte": 10,
                "min_fte_per_area": 0,
            }
        ],
        budget_scale=0.5,
    )


def test_spending_limits_are_built_once_for_every_payment_set() -> None:
    s = money_scenario()
    model = build_model(s)
    amounts = funder_amount_limits(s, model.pay)
    assert [(lim.key, lim.limit) for lim in amounts] == [("F", 500.0), ("G", 250.0)]
    g = amounts[1].spent
    # G may pay k in A and the staff in both areas: three payments, each with coefficient 1
    paid = sorted(key for key, var in model.pay.items() if key[0] == "G")
    assert paid == [("G", "k", "A"), ("G", "staff:R", "A"), ("G", "staff:R", "B")]
    assert sorted(v.name for v in g) == sorted(model.pay[key].name for key in paid)
    assert all(c == 1 for c in g.values())
    (cap,) = earmark_limits(s, model.pay)
    assert (cap.key, cap.limit) == (0, 120.0)  # the cap is not scaled by budget.scale
    assert [v.name for v in cap.spent] == [model.pay[("G", "k", "A")].name]
    # the same builder on a subset of payments (the conflict finder's: staff only)
    staff_only = {key: var for key, var in model.pay.items() if key[1].startswith("staff:")}
    assert earmark_limits(s, staff_only) == []
    assert [lim.key for lim in funder_amount_limits(s, staff_only)] == ["F", "G"]
    # and the model holds exactly these constraints
    assert sorted(map(str, model.constraints["funder_amount"])) == ["F", "G"]
    assert list(model.constraints["earmark"]) == [0]


def test_solve_lp_reads_the_status_honestly() -> None:
    ok = pulp.LpProblem("ok", pulp.LpMaximize)
    x = ok.add_variable("x", lowBound=0)
    ok += x <= 3
    ok.setObjective(pulp.LpAffineExpression([(x, 2.0)]))
    outcome = solve_lp(ok)
    assert outcome.status is SolveStatus.OPTIMAL and outcome.mip_gap is None
    assert x.varValue == pytest.approx(3.0) and pulp.value(ok.objective) == pytest.approx(6.0)

    bad = pulp.LpProblem("bad", pulp.LpMaximize)
    y = bad.add_variable("y", lowBound=0, upBound=1)
    bad += y >= 2
    bad.setObjective(pulp.LpAffineExpression([(y, 1.0)]))
    assert solve_lp(bad).status is SolveStatus.INFEASIBLE

    unbounded = pulp.LpProblem("unbounded", pulp.LpMaximize)
    z = unbounded.add_variable("z", lowBound=0)
    unbounded += z >= 1
    unbounded.setObjective(pulp.LpAffineExpression([(z, 1.0)]))
    assert solve_lp(unbounded).status is SolveStatus.ERROR


def test_cbc_runs_through_coin_cmd_without_deprecation() -> None:
    """No PULP_CBC_CMD (removed in PuLP 4): COIN_CMD with the cbc found by ``cbc_path``."""
    if cbc_path() is None:
        pytest.skip("no CBC binary: install pulp[cbc]")
    s = money_scenario()
    model = build_model(s)
    settings = s.settings.solver.model_copy(update={"name": SolverName.CBC})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        outcome = solve(model, settings)
    assert outcome.status is SolveStatus.OPTIMAL and outcome.solver == "cbc"
    # F's 500 € and, of G's 250 €, only the 120 € its cap allows on k in A (no staff is
    # needed): 620 € at 10 € = 62 served
    served = sum(v.varValue or 0.0 for v in model.serve.values())
    assert served == pytest.approx(62.0)
    assert (model.pay[("G", "k", "A")].varValue or 0.0) <= 120.0 + 1e-6


def test_an_infeasible_run_searches_its_conflicts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """F may pay only in A: the minimum post in B has no payer. The run explains it in Italian;
    explaining it again in English reads the conflicts kept in the result, no new search."""
    searches = []
    real = conflicts.ElasticProgram.__init__

    def counted(self: conflicts.ElasticProgram, *args: Any) -> None:
        searches.append(1)
        real(self, *args)

    monkeypatch.setattr(conflicts.ElasticProgram, "__init__", counted)
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE and r.conflicts is not None
    assert len(searches) == 1
    sentences = no_plan_sentences(r, "it")
    assert sentences[0].startswith("Conflitto 1: ")
    assert "nessun finanziatore può pagarli lì" in sentences[0]
    en = explain(r, lang="en")
    assert len(searches) == 1, "explaining the run searched the conflicts again"
    assert en.sentences[0].startswith("Conflict 1: ") and "no funder may pay" in en.sentences[0]
    assert isinstance(r.timings["conflicts"], float)


def test_rules_funding_lp_keeps_the_earmark_cap() -> None:
    """The rules' funding LP uses the same builder: G's k in A stays within its 120 € cap."""
    from allocator.studies.feasible import make_feasible

    s = money_scenario()
    made = make_feasible(s, {("P", "A", "k"): 100.0, ("P", "B", "k"): 100.0})
    assert made is not None
    plan, _ = made
    funding: pd.DataFrame = plan.funding
    g_k_a = funding[(funding.funder_id == "G") & (funding.item == "k") & (funding.area_id == "A")]
    assert float(g_k_a["amount"].sum()) <= 120.0 + 1e-6
    assert check_plan(s, plan) == []


def test_solves_asking_for_different_threads_in_one_process() -> None:
    """HiGHS keeps one thread pool per process: a solve asking for another number of threads
    than the pool was started with must still solve (it failed with "Not Set" before)."""
    s = money_scenario()
    for threads in (None, 2, 1, None):
        settings = s.settings.solver.model_copy(update={"threads": threads})
        outcome = solve(build_model(s), settings)
        assert outcome.status is SolveStatus.OPTIMAL, (threads, outcome.message)
