"""Marginal values confirmed by re-solving the whole scenario with the finite change in its inputs.

The quick confirmation (:mod:`allocator.postprocess.marginal`) re-solves the LP with the staff
posts fixed at the plan's: a lower bound when posts are integer decisions, since one more post or
more money may move posts too (on Milan, half a post more was worth 93 families with posts fixed
and 277 with posts free). When the model has integer staff, the values a planner reads are
confirmed here by solving the whole scenario again, its inputs changed: the amount of a funder,
the cap of an earmark, the FTE available of a role, a partner's places on one arc.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.postprocess.duals import TOLERANCE

FULL_RESOLVE = "full_resolve"
STAFF_FIXED = "lp_staff_fixed"


def changed_inputs(
    scenario: Scenario, kind: str, resource_id: str, change: float, at: str
) -> Scenario:
    """The scenario with one resource grown by ``change`` (``at``: area/intervention of an arc)."""
    if kind == "funder_amount":
        scale = scenario.settings.budget.scale or 1.0
        funders = tuple(
            f.model_copy(
                update={
                    "amount": scenario.funder_amount(f) / scale
                    + (change / scale if f.funder_id == resource_id else 0.0)
                }
            )
            for f in scenario.funders
        )
        settings = scenario.settings.model_copy(update={"funders": {}})
        return scenario.model_copy(update={"funders": funders, "settings": settings})
    if kind == "earmark_cap":
        earmarks = tuple(
            e.model_copy(update={"max_amount": (e.max_amount or 0.0) + change})
            if str(n) == resource_id
            else e
            for n, e in enumerate(scenario.earmarks)
        )
        return scenario.model_copy(update={"earmarks": earmarks})
    if kind == "staff_available":
        staff = tuple(
            r.model_copy(update={"available_fte": r.available_fte + change})
            if r.role_id == resource_id
            else r
            for r in scenario.staff
        )
        return scenario.model_copy(update={"staff": staff})
    area, _, intervention = at.partition("/")
    capacities = tuple(
        c.model_copy(update={"capacity": c.capacity + change})
        if (c.partner_id, c.area_id, c.intervention_id) == (resource_id, area, intervention)
        else c
        for c in scenario.capacities
    )
    return scenario.model_copy(update={"capacities": capacities})


def served_by_pair(result: RunResult) -> dict[tuple[str, str], float]:
    assert result.plan is not None
    frame = result.plan.area_interventions
    return {
        (str(a), str(k)): float(s)
        for a, k, s in zip(frame["area_id"], frame["intervention_id"], frame["served"], strict=True)
    }


def reconfirm(result: RunResult, frame: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` confirmed values with a gain, re-solved on the whole scenario (staff free);
    their gains and places replaced, ``confirmed_by`` set to ``full_resolve``."""
    assert result.plan is not None and result.model is not None
    out = frame.copy()
    base = result.plan.kpis
    before = served_by_pair(result)
    scale = result.model.objective_scale
    picked = out.index[out["confirmed"] & (out["beneficiaries_gain"] > TOLERANCE)][:top]
    for i in picked:
        row = out.loc[i]
        scenario = changed_inputs(
            result.scenario,
            str(row["resource_kind"]),
            str(row["resource_id"]),
            float(row["change"]),
            str(row["changed_at"]),
        )
        again = run_scenario(scenario, result.scenario.settings.solver)
        if again.plan is None:
            continue
        after = served_by_pair(again)
        gain: dict[tuple[str, str], float] = defaultdict(float)
        for pair in set(before) | set(after):
            gain[pair] = after.get(pair, 0.0) - before.get(pair, 0.0)
        where = sorted(
            ((a, k, g) for (a, k), g in gain.items() if g > TOLERANCE), key=lambda t: -t[2]
        )[:3]
        objective = float(again.plan.kpis["objective"] - base["objective"])
        out.at[i, "objective_gain"] = objective
        out.at[i, "weighted_gain"] = objective * scale
        out.at[i, "beneficiaries_gain"] = float(
            again.plan.kpis["beneficiaries_served"] - base["beneficiaries_served"]
        )
        out.at[i, "where"] = "; ".join(f"{a}/{k} +{g:.4g}" for a, k, g in where)
        out.at[i, "places"] = where
        out.at[i, "confirmed_by"] = FULL_RESOLVE
    return out
