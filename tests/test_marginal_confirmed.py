"""Every marginal value a planner reads in the summary agrees with a re-solve of the whole scenario.

The summary (``allocator run --explain``) shows only values confirmed by re-solving the model with
the finite change (staff fixed at the plan's posts). Here each one is checked against an
independent re-solve of the whole scenario (its staff re-optimised too) with the same change made
to the inputs: the beneficiaries gained agree within 15%, on every shipped scenario and variant.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import run_scenario
from allocator.render.explanations import explain

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1] / "scenarios"
SHIPPED = [ROOT / "milano", *sorted((ROOT / "variants").iterdir())]
SHIPPED = [p for p in SHIPPED if (p / "scenario.toml").is_file()]
"""The Milan scenario and its variants. ``milano-citta`` (88 NIL) is left out: each of its solves
takes about a minute, and this test solves each scenario seven times."""
AGREE = 0.15


def changed(s: Scenario, row: pd.Series) -> Scenario:
    """The scenario's inputs with the marginal value's finite change made."""
    kind, rid, step = row["resource_kind"], str(row["resource_id"]), float(row["change"])
    if kind == "funder_amount":
        scale = s.settings.budget.scale
        funders = tuple(
            f.model_copy(update={"amount": s.funder_amount(f) / scale + step / scale})
            if f.funder_id == rid
            else f.model_copy(update={"amount": s.funder_amount(f) / scale})
            for f in s.funders
        )
        settings = s.settings.model_copy(update={"funders": {}})
        return s.model_copy(update={"funders": funders, "settings": settings})
    if kind == "earmark_cap":
        n = int(rid)
        earmarks = tuple(
            e.model_copy(update={"max_amount": (e.max_amount or 0.0) + step}) if i == n else e
            for i, e in enumerate(s.earmarks)
        )
        return s.model_copy(update={"earmarks": earmarks})
    if kind == "staff_available":
        staff = tuple(
            r.model_copy(update={"available_fte": r.available_fte + step})
            if r.role_id == rid
            else r
            for r in s.staff
        )
        return s.model_copy(update={"staff": staff})
    area, intervention = str(row["changed_at"]).split("/")
    capacities = tuple(
        c.model_copy(update={"capacity": c.capacity + step})
        if (c.partner_id, c.area_id, c.intervention_id) == (rid, area, intervention)
        else c
        for c in s.capacities
    )
    return s.model_copy(update={"capacities": capacities})


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_marginal_values_in_the_summary_agree_with_a_re_solve(folder: Path) -> None:
    s = load_scenario(folder)
    result = run_scenario(s)
    assert result.plan is not None
    why = explain(result, confirm=True)
    shown = why.marginal_values[why.marginal_values["sentence"].isin(why.marginal_lines)]
    base = float(result.plan.kpis["beneficiaries_served"])
    for _, row in shown.iterrows():
        again = run_scenario(changed(s, row))
        assert again.plan is not None
        gain = float(again.plan.kpis["beneficiaries_served"]) - base
        told = float(row["beneficiaries_gain"])
        assert abs(told - gain) <= AGREE * max(abs(gain), 1.0), (row["sentence"], told, gain)
