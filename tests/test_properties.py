"""Properties of the optimiser on random small scenarios (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.inputs.schema import Scenario
from tests.builders import scenario
from tests.conftest import solved

pytestmark = pytest.mark.property

TOL = 1e-6
PROPERTY = settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """2–3 areas, 2 interventions (one needing staff), 2–4 partners, 1–2 funders, maybe an
    earmark, maybe floors, returns or equity."""
    n_areas = draw(st.integers(2, 3))
    areas = [
        {"area_id": f"A{i}", "name": f"A{i}", "population": 1000, "minors": 300}
        for i in range(n_areas)
    ]
    staffed = draw(st.booleans())
    interventions: list[dict[str, Any]] = [
        {
            "intervention_id": "k0",
            "name": "K0",
            "unit": "minors",
            "unit_cost": draw(st.integers(5, 50)),
            "value": draw(st.sampled_from([1.0, 2.0])),
            "max_coverage": draw(st.sampled_from([0.5, 1.0])),
        },
        {
            "intervention_id": "k1",
            "name": "K1",
            "unit": "households",
            "unit_cost": draw(st.integers(5, 50)),
            **({"staff_role": "cws", "beneficiaries_per_fte": 20} if staffed else {}),
        },
    ]
    needs = [
        {
            "area_id": a["area_id"],
            "intervention_id": k,
            "need": draw(st.integers(0, 60)),
            "priority": draw(st.sampled_from([1.0, 1.5])),
        }
        for a in areas
        for k in ("k0", "k1")
    ]
    n_partners = draw(st.integers(2, 4))
    partners = [
        {
            "partner_id": f"P{i}",
            "name": f"P{i}",
            "legal_form": "aps",
            "years_experience": draw(st.sampled_from([1, 3, 10])),
        }
        for i in range(n_partners)
    ]
    capacities = []
    for p in partners:
        for a in areas:
            for k in ("k0", "k1"):
                if draw(st.booleans()):
                    capacities.append(
                        {
                            "partner_id": p["partner_id"],
                            "area_id": a["area_id"],
                            "intervention_id": k,
                            "capacity": draw(st.integers(1, 40)),
                            "cofunding_per_beneficiary": draw(st.sampled_from([0, 0, 2])),
                        }
                    )
    funders = [
        {"funder_id": "F0", "name": "F0", "kind": "public", "amount": draw(st.integers(0, 3000))},
        {"funder_id": "F1", "name": "F1", "kind": "private", "amount": draw(st.integers(0, 3000))},
    ]
    earmarks = []
    if draw(st.booleans()):
        earmarks.append(
            {
                "funder_id": "F1",
                "intervention_id": "k0",
                "area_id": "*",
                "max_amount": draw(st.sampled_from([None, 500])),
            }
        )
    staff = (
        [{"role_id": "cws", "name": "CSW", "available_fte": 3, "cost_per_fte": 300}]
        if staffed
        else []
    )
    policy = {
        "equity_weight": draw(st.sampled_from([0.0, 0.0, 0.3])),
        "min_coverage": draw(st.sampled_from([0.0, 0.0, 0.2])),
        "returns": draw(st.sampled_from([None, [[0.5, 1.0], [1.0, 0.5]]])),
    }
    return scenario(
        areas=areas,
        interventions=interventions,
        needs=needs,
        partners=partners,
        capacities=capacities,
        funders=funders,
        earmarks=earmarks,
        staff=staff,
        policy=policy,
    )


def objective(s: Scenario) -> float:
    return float(solved(s).plan.kpis["objective"])  # type: ignore[union-attr]


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_row_order_never_changes_the_plan(s: Scenario, rnd: Any) -> None:
    shuffled = s.model_copy(
        update={
            name: tuple(rnd.sample(list(getattr(s, name)), len(getattr(s, name))))
            for name in ("areas", "interventions", "needs", "partners", "capacities", "funders")
        }
    )
    first, second = solved(s).plan, solved(shuffled).plan
    assert first is not None and second is not None
    assert first.kpis["objective"] == pytest.approx(second.kpis["objective"], abs=TOL)
    assert first.allocation.equals(second.allocation)


def with_budget_scale(s: Scenario, factor: float) -> Scenario:
    budget = s.settings.budget.model_copy(update={"scale": factor})
    return s.model_copy(update={"settings": s.settings.model_copy(update={"budget": budget})})


@PROPERTY
@given(scenarios(), st.sampled_from([1.1, 1.5, 3.0]))
def test_more_budget_never_lowers_the_objective(s: Scenario, factor: float) -> None:
    """Without floors (see the partner property below); with floors, never a larger shortfall."""
    richer = with_budget_scale(s, factor)
    assert solved(richer).plan.kpis["shortfall_total"] <= (  # type: ignore[union-attr]
        solved(s).plan.kpis["shortfall_total"] + TOL  # type: ignore[union-attr]
    )
    s = without_floors(s)
    assert objective(with_budget_scale(s, factor)) >= objective(s) - TOL


@PROPERTY
@given(scenarios(), st.sampled_from([0.01, 7.0, 1000.0]))
def test_scaling_all_money_changes_no_coverage(s: Scenario, factor: float) -> None:
    data = s.model_dump()
    for i in data["interventions"]:
        i["unit_cost"] *= factor
    for c in data["capacities"]:
        c["cofunding_per_beneficiary"] *= factor
        if c["unit_cost"] is not None:
            c["unit_cost"] *= factor
    for f in data["funders"]:
        f["amount"] *= factor
    for e in data["earmarks"]:
        if e["max_amount"] is not None:
            e["max_amount"] *= factor
    for r in data["staff"]:
        r["cost_per_fte"] *= factor
    scaled = Scenario.model_validate(data)
    base, other = solved(s).plan, solved(scaled).plan
    assert base is not None and other is not None
    for kpi in ("objective", "weighted_coverage", "min_area_coverage", "coverage"):
        assert other.kpis[kpi] == pytest.approx(base.kpis[kpi], abs=TOL), kpi
    assert other.kpis["funded"] == pytest.approx(factor * base.kpis["funded"], rel=1e-6, abs=TOL)


def without_floors(s: Scenario) -> Scenario:
    policy = s.settings.policy.model_copy(update={"min_coverage": 0.0})
    return s.model_copy(update={"settings": s.settings.model_copy(update={"policy": policy})})


def without_partner(s: Scenario, which: int) -> Scenario:
    gone = s.partners[which % len(s.partners)].partner_id
    return s.model_copy(
        update={
            "partners": tuple(p for p in s.partners if p.partner_id != gone),
            "capacities": tuple(c for c in s.capacities if c.partner_id != gone),
        }
    )


@PROPERTY
@given(scenarios(), st.integers(0, 3))
def test_removing_a_partner_never_raises_the_objective(s: Scenario, which: int) -> None:
    """Without floors. With floors the optimiser first cuts the shortfall, which the objective
    does not count (DESIGN.md §2): a partner that lets it meet a floor may lower the objective."""
    s = without_floors(s)
    assert objective(without_partner(s, which)) <= objective(s) + TOL


@PROPERTY
@given(scenarios(), st.integers(0, 3))
def test_removing_a_partner_never_lowers_the_shortfall(s: Scenario, which: int) -> None:
    fewer = solved(without_partner(s, which)).plan
    full = solved(s).plan
    assert fewer is not None and full is not None
    assert fewer.kpis["shortfall_total"] >= full.kpis["shortfall_total"] - TOL
