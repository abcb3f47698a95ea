"""The equity measure worst_areas_coverage (a CVaR of area coverage), by hand and in the model."""

from __future__ import annotations

import pytest

from allocator.optimization.equity import worst_areas_coverage
from tests.builders import scenario
from tests.test_model_exact import solved

pytestmark = pytest.mark.exact

EXACT = 1e-6


def test_worst_areas_coverage_by_hand_with_a_fractional_boundary_area() -> None:
    """Needs 100, 100, 200 at coverage 10%, 50%, 80%; total 400.

    Share 0.2 (80 of need): all in the first area, 10%. Share 0.4 (160): the first area's 100 at
    10% and 60 of the second's 100 at 50%: (10 + 30) / 160 = 25%. Share 1: the mean, 55%.
    """
    areas = [(100.0, 10.0), (100.0, 50.0), (200.0, 160.0), (0.0, 0.0)]
    assert worst_areas_coverage(areas, 0.2) == pytest.approx(0.10, abs=EXACT)
    assert worst_areas_coverage(areas, 0.4) == pytest.approx(0.25, abs=EXACT)
    assert worst_areas_coverage(areas, 1.0) == pytest.approx(220 / 400, abs=EXACT)
    assert worst_areas_coverage(list(reversed(areas)), 0.4) == pytest.approx(0.25, abs=EXACT)
    assert worst_areas_coverage([], 0.2) == 0.0


def three_areas(**policy: object) -> object:
    """A (need 10) has no partner; B (need 30) and C (need 60) have places at 10 € each.

    With 400 € (40 served) and the worst half of the need (50): A's 10 at 0% is always in it, so
    the measure is (0·10 + coverage of the next 40 units) / 50.
    """
    return scenario(
        areas=[{"area_id": a, "name": a, "population": 100, "minors": 50} for a in ("A", "B", "C")],
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 10},
            {"area_id": "B", "intervention_id": "k", "need": 30},
            {"area_id": "C", "intervention_id": "k", "need": 60},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "B", "intervention_id": "k", "capacity": 100},
            {"partner_id": "P", "area_id": "C", "intervention_id": "k", "capacity": 100},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 400}],
        policy=dict(policy),
    )


def test_worst_share_bites_where_min_is_pinned_by_an_area_without_partners() -> None:
    """Pure equity, share 0.5. min_area_coverage is 0 whatever the plan (A has no partner), so
    "min" has nothing to optimise. worst_share: b + c = 40 served; the worst 50 of need are A's 10
    (0%) and 40 of the less covered of B and C. Equal coverage of B and C, 40/90 = 4/9: the
    measure is 40·4/9 / 50 = 32/90 ≈ 0.3556, the most possible (any other split lowers the less
    covered one). By hand: b = 30·4/9 = 13.33, c = 60·4/9 = 26.67.
    """
    r = solved(three_areas(equity_weight=1.0, equity_share=0.5))  # type: ignore[arg-type]
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["min_area_coverage"] == pytest.approx(0.0, abs=EXACT)
    assert k["worst_areas_coverage"] == pytest.approx(32 / 90, abs=EXACT)
    assert k["objective"] == pytest.approx(32 / 90, abs=EXACT)
    assert k["beneficiaries_served"] == pytest.approx(40, abs=EXACT)
    areas = r.plan.areas.set_index("area_id")["served"]  # type: ignore[union-attr]
    assert areas["B"] == pytest.approx(40 / 3, abs=1e-5)
    assert areas["C"] == pytest.approx(80 / 3, abs=1e-5)


def test_the_model_term_equals_the_kpi_computed_from_the_plan() -> None:
    """Half efficiency, half equity: the solver's W (t − Σe/(βT)) is the KPI of the plan."""
    r = solved(three_areas(equity_weight=0.5, equity_share=0.3))  # type: ignore[arg-type]
    assert r.model is not None and r.model.equity is not None
    import pulp

    term = float(pulp.value(r.model.equity))
    assert term == pytest.approx(r.plan.kpis["worst_areas_coverage"], abs=1e-6)  # type: ignore[union-attr]


def test_min_measure_keeps_the_old_behaviour() -> None:
    r = solved(three_areas(equity_weight=0.5, equity_measure="min"))  # type: ignore[arg-type]
    k = r.plan.kpis  # type: ignore[union-attr]
    assert k["objective"] == pytest.approx(0.5 * k["weighted_coverage"], abs=EXACT)
    assert r.model is not None and r.model.min_area_coverage is not None
