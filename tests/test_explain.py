"""Why this plan: marginal values against re-solves, binding limits, conflicts, on hand-built cases.

Tolerances. A dual is exact for a change that crosses no breakpoint of the LP's value function,
except for the tie-break: every euro paid costs ``cost_per_euro`` of objective, so with the default
tie-break the dual differs from the gain in weighted beneficiaries by at most ``tie_break`` (1e-4)
relative; the tests allow ``DUAL_REL`` = 1e-3 relative (and ``EXACT`` with the tie-break off). A
change that crosses a breakpoint (the need runs out mid-step) gains less than the dual promises:
asserted below too. Degenerate optima (a dual not unique) are why every value is confirmed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from allocator.optimization.conflicts import ElasticProgram, find_conflicts
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.limits import binding_limits
from allocator.postprocess.marginal import marginal_values
from allocator.postprocess.strengthen import idle_capacity, where_to_strengthen
from allocator.render.explanations import Explanation, explain, limits_in_words
from allocator.render.facts import no_plan_sentences
from allocator.render.formats import number
from tests.builders import scenario
from tests.test_model_exact import solved, two_areas

pytestmark = pytest.mark.exact

EXACT = 1e-6
DUAL_REL = 1e-3


def one_pair(
    *,
    need: float = 100,
    capacity: float = 100,
    amount: float = 150,
    unit_cost: float = 10,
    intervention: dict[str, Any] | None = None,
    staff: list[dict[str, Any]] | None = None,
    earmarks: list[dict[str, Any]] | None = None,
    policy: dict[str, Any] | None = None,
) -> RunResult:
    """One area, one intervention k, one partner P, one funder F."""
    s = scenario(
        interventions=[
            {
                "intervention_id": "k",
                "name": "doposcuola",
                "unit": "minors",
                "unit_cost": unit_cost,
                **(intervention or {}),
            }
        ],
        needs=[{"area_id": "A", "intervention_id": "k", "need": need}],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": capacity}
        ],
        funders=[{"funder_id": "F", "name": "Comune", "kind": "public", "amount": amount}],
        staff=staff,
        earmarks=earmarks,
        policy=policy,
    )
    return solved(s)


def row(frame: pd.DataFrame, kind: str, resource_id: str) -> pd.Series:
    pick = frame[(frame.resource_kind == kind) & (frame.resource_id == resource_id)]
    assert len(pick) == 1, frame
    return pick.iloc[0]


def limit_of(result: RunResult) -> str:
    limits = binding_limits(result)
    assert len(limits) == 1
    return str(limits.iloc[0]["limit"])


# ------------------------------------------------------------------ marginal values, confirmed


@pytest.mark.parametrize(("tie_break", "tolerance"), [(0.0, EXACT), (1e-4, DUAL_REL)])
def test_budget_dual_matches_the_resolve(tie_break: float, tolerance: float) -> None:
    """150 € buy 15 of 100 at 10 €: 10 € more buy 1 more (weight 1): dual 0.1 per €."""
    r = one_pair(policy={"tie_break": tie_break})
    mv = marginal_values(r, money_step=10)
    f = row(mv, "funder_amount", "F")
    assert f["binding"] and f["confirmed"]
    assert f["beneficiaries_gain"] == pytest.approx(1, abs=EXACT)
    assert f["weighted_gain"] == pytest.approx(1, abs=EXACT)
    assert f["objective_gain"] == pytest.approx(1 / 100, abs=EXACT)
    assert f["dual_weighted_per_change"] == pytest.approx(f["weighted_gain"], rel=tolerance)
    assert f["dual_objective_per_unit"] * 10 == pytest.approx(f["objective_gain"], rel=tolerance)
    assert f["where"] == "A/k +1"


def test_a_change_across_a_breakpoint_gains_less_than_the_dual() -> None:
    """950 € serve 95 of 100: the dual promises 10 for 100 € more, only 5 remain to serve."""
    r = one_pair(amount=950)
    f = row(marginal_values(r, money_step=100), "funder_amount", "F")
    assert f["dual_weighted_per_change"] == pytest.approx(10, rel=DUAL_REL)
    assert f["beneficiaries_gain"] == pytest.approx(5, abs=EXACT)


def test_partner_places_dual_matches_the_resolve() -> None:
    """Money for all, 30 places of 100 need: 10 more places serve 10 more."""
    r = one_pair(capacity=30, amount=10_000)
    mv = marginal_values(r, places_step=10)
    p = row(mv, "partner_capacity", "P")
    assert p["confirmed"]
    assert p["beneficiaries_gain"] == pytest.approx(10, abs=EXACT)
    assert p["dual_weighted_per_change"] == pytest.approx(p["weighted_gain"], rel=DUAL_REL)
    f = row(mv, "funder_amount", "F")
    assert not f["binding"] and not f["confirmed"]
    assert f["dual_weighted_per_change"] == pytest.approx(0, abs=EXACT)


def test_staff_dual_matches_the_resolve() -> None:
    """2 FTE (the whole role) each serve 10; money for all: one more FTE serves 10 more."""
    r = one_pair(
        amount=10_000,
        intervention={"staff_role": "cws", "beneficiaries_per_fte": 10},
        staff=[{"role_id": "cws", "name": "assistente", "available_fte": 2, "cost_per_fte": 100}],
    )
    s = row(marginal_values(r), "staff_available", "cws")
    assert s["binding"] and s["confirmed"]
    assert s["beneficiaries_gain"] == pytest.approx(10, abs=EXACT)
    assert s["dual_weighted_per_change"] == pytest.approx(s["weighted_gain"], rel=DUAL_REL)
    assert s["where"] == "A/k +10"


def test_earmark_cap_dual_matches_the_resolve() -> None:
    """F has 1000 € but its earmark caps k at 50 €: 10 € more cap buy 1 more."""
    r = one_pair(
        amount=1000,
        earmarks=[{"funder_id": "F", "intervention_id": "k", "area_id": "*", "max_amount": 50}],
    )
    mv = marginal_values(r, money_step=10)
    e = row(mv, "earmark_cap", "0")
    assert e["confirmed"]
    assert e["beneficiaries_gain"] == pytest.approx(1, abs=EXACT)
    assert e["dual_weighted_per_change"] == pytest.approx(e["weighted_gain"], rel=DUAL_REL)
    assert row(mv, "funder_amount", "F")["dual_weighted_per_change"] == pytest.approx(0, abs=EXACT)


def test_confirmation_can_be_skipped_and_capped() -> None:
    r = one_pair()
    assert not marginal_values(r, confirm=False)["confirmed"].any()
    assert not marginal_values(r, max_confirm=0)["confirmed"].any()


def test_sentence_in_italian_uses_the_unit_and_italian_numbers() -> None:
    """10.000 € more at 10 € per child, with need for 5000: 1000 more children."""
    r = one_pair(need=5000, capacity=5000, amount=1000)
    f = row(explain(r, lang="it").marginal_values, "funder_amount", "F")
    assert f["sentence"] == (
        "10.000 € in più da Comune servirebbero circa 1.000 bambini e ragazzi in più: "
        "soprattutto doposcuola a Area A (+1.000)."
    )
    en = row(explain(r, lang="en").marginal_values, "funder_amount", "F")
    assert "about 1,000 minors more" in en["sentence"]


def test_number_format() -> None:
    assert number(10_000, "it") == "10.000"
    assert number(1234.5, "it", None) == "1.234,5"
    assert number(10_000, "en") == "10,000"


# ------------------------------------------------------------------ binding limits


def test_money_bound() -> None:
    r = one_pair()
    assert limit_of(r) == "money"
    idle = idle_capacity(r, binding_limits(r))
    assert idle[["partner_id", "idle_places", "usable_places"]].values.tolist() == [["P", 85, 85]]
    assert idle["cost_to_use"].iloc[0] == pytest.approx(850, abs=EXACT)
    assert where_to_strengthen(binding_limits(r)).empty


def test_capacity_bound_is_where_to_strengthen() -> None:
    r = one_pair(capacity=30, amount=10_000)
    limits = binding_limits(r)
    assert limit_of(r) == "partner_capacity"
    strengthen = where_to_strengthen(limits)
    assert strengthen[["area_id", "intervention_id", "reachable_unmet"]].values.tolist() == [
        ["A", "k", 70]
    ]
    assert bool(strengthen["money_available"].iloc[0])
    assert idle_capacity(r, limits).empty


def test_staff_bound() -> None:
    r = one_pair(
        amount=10_000,
        intervention={"staff_role": "cws", "beneficiaries_per_fte": 10},
        staff=[{"role_id": "cws", "name": "assistente", "available_fte": 2, "cost_per_fte": 100}],
    )
    limits = limits_in_words(r, lang="en")
    assert limits["limit"].tolist() == ["staff"]
    assert "availability is exhausted" in limits["detail"].iloc[0]
    assert where_to_strengthen(limits)["reachable_unmet"].tolist() == [pytest.approx(80)]


def test_max_coverage_bound() -> None:
    r = one_pair(amount=10_000, intervention={"max_coverage": 0.6})
    assert limit_of(r) == "max_coverage"


def test_earmark_bound() -> None:
    r = one_pair(
        amount=1000,
        earmarks=[{"funder_id": "F", "intervention_id": "k", "area_id": "*", "max_amount": 50}],
    )
    assert limit_of(r) == "earmark"


def test_need_met() -> None:
    r = one_pair(need=10, amount=10_000)
    assert limit_of(r) == "need_met"


def test_no_partner_in_an_area() -> None:
    s = scenario(
        areas=two_areas(),
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 10},
            {"area_id": "B", "intervention_id": "k", "need": 10},
        ],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 10}],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1000}],
    )
    limits = binding_limits(solved(s)).set_index("area_id")["limit"].to_dict()
    assert limits == {"A": "need_met", "B": "no_partner"}


def test_explain_gathers_frames_and_sentences() -> None:
    r = one_pair()
    e = explain(r, lang="it", money_step=10)
    assert isinstance(e, Explanation)
    assert set(e.tables()) == {"marginal_values", "limits", "strengthen", "idle_capacity"}
    assert e.sentences[0].startswith("Cosa limita il piano")
    assert any("fondi esauriti" in s for s in e.sentences)
    assert any("Capacità inutilizzata" in s for s in e.sentences)
    assert len(e.short()) <= 5
    assert e.short()[-1] == e.marginal_lines[0]


# ------------------------------------------------------------------ infeasibility explained


def staff_role(role_id: str, cost: float, available: float = 10) -> dict[str, Any]:
    return {
        "role_id": role_id,
        "name": role_id,
        "available_fte": available,
        "cost_per_fte": cost,
        "min_fte_per_area": 1,
    }


def test_conflict_earmark_area_not_caught_before_solving() -> None:
    """F2 may pay anything, but only in area A: the minimum post in B has no payer."""
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE
    assert r.outcome is not None, "the pre-solve bound should not catch this one"
    (sentence,) = no_plan_sentences(r, "en")
    assert "at least 1 FTE of R1 in B" in sentence
    assert "no funder may pay" in sentence


def test_conflict_earmark_cap_on_staff_money() -> None:
    """F has 1000 € but may spend only 150 € on R1; two areas × 1 FTE × 100 € = 200 €."""
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F", "name": "Comune", "kind": "public", "amount": 1000}],
        earmarks=[
            {"funder_id": "F", "intervention_id": "staff:R1", "area_id": "*", "max_amount": 150},
            {"funder_id": "F", "intervention_id": "k", "area_id": "*"},
        ],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE and r.outcome is not None
    (conflict,) = find_conflicts(s)
    kinds = sorted(req.kind for req in conflict.requirements)
    assert kinds == ["earmark_cap", "staff_minimum", "staff_minimum"]
    assert [(req.kind, by) for req, by in conflict.fixes] == [("earmark_cap", pytest.approx(50))]
    text = no_plan_sentences(r, "en")[0]
    assert "caps its spending at 150 €" in text
    assert "raise Comune's earmark cap on staff R1 in all areas by 50 €" in text
    it = explain(r, lang="it")
    assert it.conflicts and "limita la spesa a 150 €" in it.sentences[0]


def test_two_independent_conflicts_are_both_named() -> None:
    """R1: no payer in area B (earmark by area); R2: its only payer G may spend 1500 € on it,
    of its 10,000 €, for 2000 € of minimum posts. The pre-solve bound catches neither."""
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100), staff_role("R2", 1000)],
        funders=[
            {"funder_id": "F", "name": "Comune", "kind": "public", "amount": 100_000},
            {"funder_id": "G", "name": "Cariplo", "kind": "private", "amount": 10_000},
        ],
        earmarks=[
            {"funder_id": "F", "intervention_id": "staff:R1", "area_id": "A"},
            {"funder_id": "G", "intervention_id": "staff:R2", "area_id": "*", "max_amount": 1500},
        ],
    )
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE and r.outcome is not None
    sentences = no_plan_sentences(r, "en")
    assert len(sentences) == 2 and sentences[1].startswith("Conflict 2: ")
    joined = " ".join(sentences)
    assert "R1 in B" in joined and "no funder may pay" in joined
    assert "caps its spending at 1,500 €" in joined
    assert "raise Cariplo's earmark cap on staff R2 in all areas by 500 €" in joined
    program = ElasticProgram(s)
    for conflict in find_conflicts(s):
        members = list(conflict.requirements)
        assert not program.feasible(set(members))
        for dropped in members:
            assert program.feasible({m for m in members if m != dropped}), "not irreducible"


def test_feasible_scenario_has_no_conflict() -> None:
    s = scenario(areas=two_areas(), staff=[staff_role("R1", 10)])
    assert find_conflicts(s) == []
