"""Equal-cost choices are split the same way by every solver, and by every run.

The hand-built tie: one area, need 100, two partners with the same net cost (10 €) and 80 places
each, two funders that may pay anything with 600 € each. Every plan serving 100 for 1000 € is
optimal; the second pass picks the one the distinct weights prefer: the partner with the larger
weight serves 80 (its capacity), the other 20; the funder with the smaller weight per euro pays
600 (its amount), the other 400.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from allocator.inputs.schema import Scenario, SolverName
from allocator.optimization.pipeline import RunResult, TimeRanOut, run_scenario
from allocator.optimization.solve import SolveStatus, cbc_path
from allocator.optimization.tiebreak import tie_weight
from allocator.postprocess.invariants import check_plan
from tests.builders import scenario

pytestmark = pytest.mark.exact


def tied(**policy: Any) -> Scenario:
    return scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 100}],
        partners=[
            {"partner_id": p, "name": p, "legal_form": "aps", "years_experience": 5}
            for p in ("P1", "P2")
        ],
        capacities=[
            {"partner_id": p, "area_id": "A", "intervention_id": "k", "capacity": 80}
            for p in ("P1", "P2")
        ],
        funders=[{"funder_id": j, "name": j, "kind": "private", "amount": 600} for j in ("F", "G")],
        policy=policy or None,
    )


def run(s: Scenario, solver: SolverName = SolverName.HIGHS, **extra: Any) -> RunResult:
    settings = s.settings.solver.model_copy(update={"name": solver, "threads": 1, **extra})
    r = run_scenario(s, settings)
    assert r.status is SolveStatus.OPTIMAL and r.plan is not None
    assert check_plan(s, r.plan) == []
    return r


def served(r: RunResult) -> dict[str, float]:
    assert r.plan is not None
    return dict(zip(r.plan.allocation.partner_id, r.plan.allocation.beneficiaries, strict=True))


def paid(r: RunResult) -> dict[str, float]:
    assert r.plan is not None
    return r.plan.funding.groupby("funder_id")["amount"].sum().to_dict()


def test_the_weights_pick_one_partner_and_one_funder() -> None:
    first = (
        "P1" if tie_weight("serve", "P1", "A", "k") > tie_weight("serve", "P2", "A", "k") else "P2"
    )
    other = "P2" if first == "P1" else "P1"
    payer = "F" if tie_weight("pay", "F", "k", "A") < tie_weight("pay", "G", "k", "A") else "G"
    rest = "G" if payer == "F" else "F"
    r = run(tied())
    assert served(r) == pytest.approx({first: 80.0, other: 20.0}, abs=1e-6)
    assert paid(r) == pytest.approx({payer: 600.0, rest: 400.0}, abs=1e-6)
    assert r.plan is not None and r.plan.kpis["objective"] == pytest.approx(1.0, abs=1e-9)
    assert "tie_break" in r.timings


def test_tie_weights_come_from_the_ids_alone() -> None:
    w = tie_weight("serve", "P1", "A", "k")
    assert 1.0 <= w < 2.0 and w == tie_weight("serve", "P1", "A", "k")
    assert w != tie_weight("serve", "P2", "A", "k")
    # the separator keeps ("a", "bc") and ("ab", "c") apart
    assert tie_weight("a", "bc") != tie_weight("ab", "c")


def test_the_split_changes_nothing_the_objective_sees() -> None:
    """Same KPIs with and without the second pass (the objective reported is the first's)."""
    s = tied(equity_weight=0.3)
    on, off = run(s), run(s, deterministic=False)
    assert on.plan is not None and off.plan is not None
    for key in ("objective", "beneficiaries_served", "funded", "min_area_coverage"):
        assert on.plan.kpis[key] == pytest.approx(off.plan.kpis[key], abs=1e-9), key


def test_highs_and_cbc_give_the_same_plan() -> None:
    if cbc_path() is None:
        pytest.skip("no CBC binary: install pulp[cbc]")
    s = tied()
    highs, cbc = run(s), run(s, SolverName.CBC)
    assert served(highs) == pytest.approx(served(cbc), abs=1e-6)
    assert paid(highs) == pytest.approx(paid(cbc), abs=1e-6)


def test_row_order_and_repetition_never_change_the_plan() -> None:
    s = tied()
    reordered = s.model_copy(
        update={
            "partners": tuple(reversed(s.partners)),
            "capacities": tuple(reversed(s.capacities)),
            "funders": tuple(reversed(s.funders)),
        }
    )
    plans = [run(s), run(s), run(reordered)]
    frames = [p.plan.allocation for p in plans if p.plan is not None]
    funding = [p.plan.funding for p in plans if p.plan is not None]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)
    for other in funding[1:]:
        pd.testing.assert_frame_equal(funding[0], other)


@pytest.mark.slow
def test_milan_city_wide_highs_and_cbc_agree() -> None:
    """The city-wide scenario (88 NIL): HiGHS and CBC moved 26,8 beneficiaries between
    equal-cost partners and up to 500.000 € between funders before the second pass."""
    if cbc_path() is None:
        pytest.skip("no CBC binary: install pulp[cbc]")
    from pathlib import Path

    from allocator.inputs.loading import load_scenario

    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "milano-citta")
    highs, cbc = run(s), run(s, SolverName.CBC)
    assert highs.plan is not None and cbc.plan is not None
    keys = ["partner_id", "area_id", "intervention_id"]
    a = highs.plan.allocation.set_index(keys)["beneficiaries"]
    b = cbc.plan.allocation.set_index(keys)["beneficiaries"]
    assert a.sub(b, fill_value=0).abs().max() < 1e-3  # CBC hands back 8 significant digits
    keys = ["funder_id", "item", "area_id"]
    f = highs.plan.funding.set_index(keys)["amount"]
    g = cbc.plan.funding.set_index(keys)["amount"]
    assert f.sub(g, fill_value=0).abs().max() < 1.0  # euros, of 9.3 million


def test_the_time_limit_bounds_the_whole_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each solver pass gets only what is left of the limit; a limit spent before solving is an
    error that says so (exit 4), not a solve that runs on."""
    from allocator.optimization import pipeline

    limits: list[float] = []
    real_solve, real_split = pipeline.solve, pipeline.break_ties

    def spy_solve(model: Any, settings: Any) -> Any:
        limits.append(settings.time_limit)
        return real_solve(model, settings)

    def spy_split(model: Any, outcome: Any, settings: Any) -> Any:
        limits.append(settings.time_limit)
        return real_split(model, outcome, settings)

    monkeypatch.setattr(pipeline, "solve", spy_solve)
    monkeypatch.setattr(pipeline, "break_ties", spy_split)
    s = tied()
    r = run(s, time_limit=30)
    assert len(limits) == 2 and 0 < limits[1] <= limits[0] < 30
    assert r.timings["solve"] <= 30

    settings = s.settings.solver.model_copy(update={"time_limit": 1e-9})
    late = run_scenario(s, settings)
    assert late.status is SolveStatus.ERROR and late.plan is None
    (fact,) = late.facts
    assert isinstance(fact, TimeRanOut) and fact.time_limit == 1e-9 and fact.build_seconds >= 0


def test_the_conflict_search_stops_at_its_time_limit() -> None:
    from allocator.optimization.conflicts import find_conflicts
    from tests.test_explain import staff_role
    from tests.test_model_exact import two_areas

    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    assert len(find_conflicts(s)) == 1
    assert find_conflicts(s, seconds=1e-12) == []  # out of time before the first conflict
