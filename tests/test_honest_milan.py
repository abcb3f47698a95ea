"""Issue 10 on the bundled Milan scenario: rules that spend, the frontier, the worst-off first."""

from __future__ import annotations

import pytest

from allocator.inputs.loading import load_scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.render.explanations import explain
from allocator.studies.frontier import frontier
from tests.test_rules import assert_rules_spend

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def milano() -> RunResult:
    result = run_scenario(load_scenario(None))
    assert result.plan is not None
    return result


def test_rules_spend_what_the_optimum_spends_on_milan(milano: RunResult) -> None:
    assert_rules_spend(milano.scenario)


def test_the_frontier_on_milan_spreads_over_the_trade_off(milano: RunResult) -> None:
    """At least 5 distinct non-dominated plans, spanning 5 points of worst_areas_coverage."""
    curve = frontier(milano.scenario, 6)
    kept = curve[~curve["dominated"] & (curve["status"] == "optimal")]
    distinct = {
        (round(float(w), 4), round(float(e), 4))
        for w, e in zip(kept["weighted_coverage"], kept["worst_areas_coverage"], strict=True)
    }
    assert len(distinct) >= 5, curve
    span = kept["worst_areas_coverage"].max() - kept["worst_areas_coverage"].min()
    assert span >= 0.05, curve
    # more equity never buys more efficiency along the frontier
    assert curve["weighted_coverage"].diff().iloc[1:].le(1e-6).all()


def test_the_worst_covered_capacity_limited_area_leads_the_action_lists(milano: RunResult) -> None:
    """Monluè – Ponte Lambro (no partner for 5 of 7 interventions) is the least covered area:
    it leads "Dove rafforzare", is named beside the equity KPI and in the summary's lines."""
    why = explain(milano, confirm=False)
    areas = milano.plan.areas  # type: ignore[union-attr]
    limited = set(why.strengthen["area_id"])
    worst = areas[areas["area_id"].isin(limited)].nsmallest(1, "coverage").iloc[0]
    assert why.strengthen["area_id"].iloc[0] == worst["area_id"]
    assert "Monl" in worst["name"]
    short = " ".join(why.short())
    assert worst["name"] in short
    assert any(worst["name"] in line and "nuovi partner" in line for line in why.action_lines)
