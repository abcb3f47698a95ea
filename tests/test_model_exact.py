"""Hand-solvable scenarios: each optimum is worked out in the docstring and asserted to 1e-6."""

from __future__ import annotations

import pytest

from allocator.inputs.schema import Scenario
from allocator.optimization.feasibility import MoneyShortfall, StaffShortfall
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.optimization.solve import SolveStatus
from allocator.render.facts import no_plan_sentences
from tests.builders import scenario
from tests.conftest import solved

pytestmark = pytest.mark.exact

EXACT = 1e-6


def served(result: RunResult, area: str, intervention: str) -> float:
    assert result.plan is not None
    rows = result.plan.area_interventions
    pick = rows[(rows.area_id == area) & (rows.intervention_id == intervention)]
    return float(pick["served"].sum())


def two_areas(**extra: float) -> list[dict[str, object]]:
    return [
        {"area_id": "A", "name": "A", "population": 100, "minors": 50, **extra},
        {"area_id": "B", "name": "B", "population": 100, "minors": 50, **extra},
    ]


def test_budget_knapsack_fills_the_best_value_per_euro_first() -> None:
    """k1: 3 per 10 € (0.3/€), need 10; k2: 1 per 5 € (0.2/€), need 100; budget 150 €.

    All 10 of k1 (100 €), then 50 € buy 10 of k2: value 30 + 10 = 40 of 10·3 + 100·1 = 130.
    """
    s = scenario(
        interventions=[
            {"intervention_id": "k1", "name": "K1", "unit": "minors", "unit_cost": 10, "value": 3},
            {"intervention_id": "k2", "name": "K2", "unit": "minors", "unit_cost": 5},
        ],
        needs=[
            {"area_id": "A", "intervention_id": "k1", "need": 10},
            {"area_id": "A", "intervention_id": "k2", "need": 100},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k1", "capacity": 50},
            {"partner_id": "P", "area_id": "A", "intervention_id": "k2", "capacity": 500},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 150}],
    )
    r = solved(s)
    k = r.plan.kpis  # type: ignore[union-attr]
    assert served(r, "A", "k1") == pytest.approx(10, abs=EXACT)
    assert served(r, "A", "k2") == pytest.approx(10, abs=EXACT)
    assert k["weighted_coverage"] == pytest.approx(40 / 130, abs=EXACT)
    assert k["objective"] == pytest.approx(40 / 130, abs=EXACT)
    assert k["beneficiaries_served"] == pytest.approx(20, abs=EXACT)
    assert k["unmet_need"] == pytest.approx(90, abs=EXACT)
    assert k["funded"] == pytest.approx(150, abs=EXACT)
    assert k["budget_used_share"] == pytest.approx(1.0, abs=EXACT)


def test_partner_cofunding_stretches_the_budget() -> None:
    """P1 costs 10 but brings 5 itself (net 5), P2 costs 10; capacity 10 each; budget 60 €.

    P1 serves 10 for 50 €, the last 10 € buy 1 from P2: 11 served; gross 110 = 50 + 60.
    """
    s = scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 30}],
        partners=[
            {"partner_id": "P1", "name": "P1", "legal_form": "odv", "years_experience": 3},
            {"partner_id": "P2", "name": "P2", "legal_form": "aps", "years_experience": 3},
        ],
        capacities=[
            {
                "partner_id": "P1",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 10,
                "cofunding_per_beneficiary": 5,
            },
            {"partner_id": "P2", "area_id": "A", "intervention_id": "k", "capacity": 10},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 60}],
    )
    r = solved(s)
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["beneficiaries_served"] == pytest.approx(11, abs=EXACT)
    assert k["cofunding"] == pytest.approx(50, abs=EXACT)
    assert k["funded"] == pytest.approx(60, abs=EXACT)
    assert k["cost_gross"] == pytest.approx(110, abs=EXACT)
    assert k["weighted_coverage"] == pytest.approx(11 / 30, abs=EXACT)
    assert k["partners_engaged"] == 2


@pytest.mark.parametrize(("cap", "expected_k1"), [(None, 10.0), (50.0, 5.0)])
def test_earmarks_restrict_and_cap_a_funder(cap: float | None, expected_k1: float) -> None:
    """k1 (value 1) and k2 (value 2) cost 10 each, need 100 each. F1 (100 €) may pay only k1,
    F2 (100 €) anything: F2 buys 10 of k2; F1 buys 10 of k1, or 5 when its row caps it at 50 €.
    """
    s = scenario(
        interventions=[
            {"intervention_id": "k1", "name": "K1", "unit": "minors", "unit_cost": 10},
            {"intervention_id": "k2", "name": "K2", "unit": "minors", "unit_cost": 10, "value": 2},
        ],
        needs=[
            {"area_id": "A", "intervention_id": "k1", "need": 100},
            {"area_id": "A", "intervention_id": "k2", "need": 100},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k1", "capacity": 100},
            {"partner_id": "P", "area_id": "A", "intervention_id": "k2", "capacity": 100},
        ],
        funders=[
            {"funder_id": "F1", "name": "F1", "kind": "private", "amount": 100},
            {"funder_id": "F2", "name": "F2", "kind": "public", "amount": 100},
        ],
        earmarks=[{"funder_id": "F1", "intervention_id": "k1", "area_id": "*", "max_amount": cap}],
    )
    r = solved(s)
    assert served(r, "A", "k2") == pytest.approx(10, abs=EXACT)
    assert served(r, "A", "k1") == pytest.approx(expected_k1, abs=EXACT)
    funding = r.plan.funding  # type: ignore[union-attr]
    assert set(funding.loc[funding.funder_id == "F1", "item"]) == {"k1"}
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["weighted_coverage"] == pytest.approx((expected_k1 + 20) / 300, abs=EXACT)
    assert k["funded_private"] == pytest.approx(10 * expected_k1, abs=EXACT)


def integer_staff() -> Scenario:
    """Each beneficiary costs 2 € and needs 1/10 FTE of a 100 €/FTE role in whole posts; 250 €."""
    return scenario(
        interventions=[
            {
                "intervention_id": "k",
                "name": "K",
                "unit": "households",
                "unit_cost": 2,
                "staff_role": "cws",
                "beneficiaries_per_fte": 10,
            }
        ],
        needs=[{"area_id": "A", "intervention_id": "k", "need": 25}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 25}],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 250}],
        staff=[{"role_id": "cws", "name": "CSW", "available_fte": 5, "cost_per_fte": 100}],
    )


def test_integer_staff_where_a_fractional_post_would_do_better() -> None:
    """Fractional posts would serve 250/12 = 20.83; whole: 2 FTE (200 €) + 20 served (40 €)."""
    s = integer_staff()
    r = solved(s)
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["beneficiaries_served"] == pytest.approx(20, abs=EXACT)
    assert k["staff_fte"] == {"cws": pytest.approx(2, abs=EXACT)}
    assert k["funded"] == pytest.approx(240, abs=EXACT)
    assert k["weighted_coverage"] == pytest.approx(0.8, abs=EXACT)


def test_staff_minimum_beyond_availability_is_infeasible_and_explained() -> None:
    s = scenario(
        areas=two_areas(),
        staff=[
            {
                "role_id": "R1",
                "name": "R1",
                "available_fte": 1,
                "cost_per_fte": 10,
                "min_fte_per_area": 1,
            }
        ],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE
    assert r.plan is None
    assert r.facts == [StaffShortfall("R1", 2, 1, 1, 1, 2, 1)]
    assert no_plan_sentences(r, "en") == [
        "staff role R1: 2 areas × min 1 FTE = 2 FTE, but only 1 FTE available"
    ]


def test_staff_minimum_beyond_money_is_infeasible_and_explained() -> None:
    s = scenario(
        areas=two_areas(),
        staff=[
            {
                "role_id": "R1",
                "name": "R1",
                "available_fte": 4,
                "cost_per_fte": 100,
                "min_fte_per_area": 1,
            }
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 150}],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE
    assert r.facts == [MoneyShortfall("R1", 200, ("F",), 150)]
    (sentence,) = no_plan_sentences(r, "en")
    assert "200 €" in sentence and "150 €" in sentence


def test_staff_minimum_beyond_earmarked_money_is_proven_infeasible_by_the_solver() -> None:
    """The bound passes (F2 may pay staff in A) but F2 may pay only area A, not B."""
    s = scenario(
        areas=two_areas(),
        staff=[
            {
                "role_id": "R1",
                "name": "R1",
                "available_fte": 4,
                "cost_per_fte": 100,
                "min_fte_per_area": 1,
            }
        ],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE
    assert r.facts


def test_floors_spread_the_money_and_report_the_shortfall() -> None:
    """A (priority 2) and B need 20 each at 10 €; 150 € buy 15. Floors of 50% want 10 + 10.

    Without floors all 15 go to A. With them, shortfall 5 whatever the split, and the rest of the
    objective puts A at its floor first: A 10, B 5; weighted coverage (2·10 + 5)/(2·20 + 20).
    """
    common = {
        "areas": two_areas(),
        "needs": [
            {"area_id": "A", "intervention_id": "k", "need": 20, "priority": 2},
            {"area_id": "B", "intervention_id": "k", "need": 20},
        ],
        "capacities": [
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 20},
            {"partner_id": "P", "area_id": "B", "intervention_id": "k", "capacity": 20},
        ],
        "funders": [{"funder_id": "F", "name": "F", "kind": "public", "amount": 150}],
    }
    free = solved(scenario(**common))  # type: ignore[arg-type]
    assert served(free, "A", "k") == pytest.approx(15, abs=EXACT)
    assert free.plan.kpis["shortfall_total"] == pytest.approx(0, abs=EXACT)  # type: ignore[union-attr]

    floored = solved(scenario(**common, policy={"min_coverage": 0.5}))  # type: ignore[arg-type]
    k = floored.plan.kpis  # type: ignore[union-attr]
    assert served(floored, "A", "k") == pytest.approx(10, abs=EXACT)
    assert served(floored, "B", "k") == pytest.approx(5, abs=EXACT)
    assert k["shortfall_total"] == pytest.approx(5, abs=EXACT)
    assert k["weighted_coverage"] == pytest.approx(25 / 60, abs=EXACT)


def test_diminishing_returns_spread_service_across_areas() -> None:
    """Two areas need 20 each at 10 €; 300 € buy 30. The first half of need counts 1, the rest 0.2.

    Best: 10 in each (20 at weight 1), 10 more at 0.2: 22 of 2 × (10 + 10·0.2) = 24.
    """
    s = scenario(
        areas=two_areas(),
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 20},
            {"area_id": "B", "intervention_id": "k", "need": 20},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 20},
            {"partner_id": "P", "area_id": "B", "intervention_id": "k", "capacity": 20},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 300}],
        policy={"returns": [[0.5, 1.0], [1.0, 0.2]]},
    )
    r = solved(s)
    assert served(r, "A", "k") >= 10 - EXACT and served(r, "B", "k") >= 10 - EXACT
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["beneficiaries_served"] == pytest.approx(30, abs=EXACT)
    assert k["weighted_coverage"] == pytest.approx(22 / 24, abs=EXACT)


def test_pure_equity_equalises_area_coverage() -> None:
    """A needs 10, B 40, at 10 € each; 200 € buy 20. Max of min(a/10, b/40) with a + b = 20:
    a = 4, b = 16, both at 40%.
    """
    s = scenario(
        areas=two_areas(),
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 10},
            {"area_id": "B", "intervention_id": "k", "need": 40},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 40},
            {"partner_id": "P", "area_id": "B", "intervention_id": "k", "capacity": 40},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 200}],
        policy={"equity_weight": 1.0, "equity_measure": "min"},
    )
    r = solved(s)
    k = r.plan.kpis  # type: ignore[union-attr]
    assert served(r, "A", "k") == pytest.approx(4, abs=EXACT)
    assert served(r, "B", "k") == pytest.approx(16, abs=EXACT)
    assert k["min_area_coverage"] == pytest.approx(0.4, abs=EXACT)
    assert k["objective"] == pytest.approx(0.4, abs=EXACT)


def test_ties_go_to_the_cheaper_plan_and_ineligible_partners_are_excluded() -> None:
    """Three partners could serve the 5 in need; 'young' has 1 year (excluded), 'dear' costs 12:
    'cheap' at 10 € serves all 5 though the budget could pay either.
    """
    s = scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 5}],
        partners=[
            {"partner_id": "cheap", "name": "C", "legal_form": "aps", "years_experience": 4},
            {"partner_id": "dear", "name": "D", "legal_form": "aps", "years_experience": 4},
            {"partner_id": "young", "name": "Y", "legal_form": "odv", "years_experience": 1},
            {"partner_id": "firm", "name": "S", "legal_form": "altro", "years_experience": 9},
        ],
        capacities=[
            {"partner_id": "cheap", "area_id": "A", "intervention_id": "k", "capacity": 5},
            {
                "partner_id": "dear",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 5,
                "unit_cost": 12,
            },
            {
                "partner_id": "young",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 5,
                "unit_cost": 1,
            },
            {
                "partner_id": "firm",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 5,
                "unit_cost": 1,
            },
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1000}],
    )
    r = solved(s)
    plan = r.plan
    assert plan is not None
    assert plan.allocation[["partner_id", "beneficiaries"]].values.tolist() == [["cheap", 5.0]]
    assert plan.kpis["funded"] == pytest.approx(50, abs=EXACT)
    assert plan.kpis["partners_excluded"] == 2
    reasons = dict(
        zip(plan.excluded_partners.partner_id, plan.excluded_partners.reason, strict=True)
    )
    assert "1 anno di esperienza, sotto il minimo di 2" in reasons["young"]  # Italian default
    assert "forma giuridica 'altro'" in reasons["firm"]


def test_max_coverage_caps_service_below_need() -> None:
    s = scenario(
        interventions=[
            {
                "intervention_id": "k",
                "name": "K",
                "unit": "minors",
                "unit_cost": 1,
                "max_coverage": 0.6,
            }
        ],
        needs=[{"area_id": "A", "intervention_id": "k", "need": 50}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 100}],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1000}],
    )
    r = solved(s)
    assert r.plan.kpis["beneficiaries_served"] == pytest.approx(30, abs=EXACT)  # type: ignore[union-attr]


def test_a_scenario_with_no_need_at_all_gives_an_empty_plan() -> None:
    """Equity weighted, floors set, and nothing needed anywhere: nothing served, nothing spent."""
    s = scenario(
        areas=two_areas(),
        needs=[{"area_id": "A", "intervention_id": "k", "need": 0}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 9}],
        policy={"equity_weight": 0.5, "min_coverage": 0.3},
    )
    r = solved(s)
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["beneficiaries_served"] == 0 and k["funded"] == 0 and k["need_total"] == 0
    assert k["objective"] == 0 and k["shortfall_total"] == 0
