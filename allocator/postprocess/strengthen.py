"""Where to strengthen: pairs where capacity, not money, stops more service; idle places."""

from __future__ import annotations

import pandas as pd

from allocator.optimization.pipeline import RunResult
from allocator.postprocess.duals import TOLERANCE
from allocator.postprocess.limits import CAPACITY_LIMITS, MONEY_LIMITS


def where_to_strengthen(limits: pd.DataFrame) -> pd.DataFrame:
    """(area, intervention) where capacity (partners, staff), not money, stops more service.

    Ranked by the need that could still be reached (``reachable_unmet``); ``money_available``
    says whether some funder allowed to pay still had money in the plan.
    """
    pick = limits[limits["limit"].isin(CAPACITY_LIMITS) & (limits["reachable_unmet"] > TOLERANCE)]
    return pick.sort_values(
        ["reachable_unmet", "weighted_unmet", "area_id", "intervention_id"],
        ascending=[False, False, True, True],
    ).reset_index(drop=True)


IDLE_COLUMNS = [
    "partner_id",
    "partner_name",
    "area_id",
    "intervention_id",
    "capacity",
    "used",
    "idle_places",
    "usable_places",
    "net_cost_per_place",
    "cost_to_use",
    "limit",
]


def idle_capacity(result: RunResult, limits: pd.DataFrame) -> pd.DataFrame:
    """Partners' places left unused where need is unmet for lack of money (or of a payer).

    ``usable_places`` caps the idle places at the need still reachable in that (area,
    intervention); ``cost_to_use`` is what funders would pay for them.
    """
    model = result.model
    assert model is not None
    money_bound = limits[limits["limit"].isin(MONEY_LIMITS)].set_index(
        ["area_id", "intervention_id"]
    )
    names = {p.partner_id: p.name for p in model.scenario.partners}
    rows = []
    for (p, a, k), var in model.serve.items():
        if (a, k) not in money_bound.index:
            continue
        arc = model.data.arcs[(p, a, k)]
        used = var.varValue or 0.0
        idle = arc.capacity - used
        if idle <= TOLERANCE:
            continue
        usable = min(idle, float(money_bound.loc[(a, k), "reachable_unmet"]))
        rows.append(
            {
                "partner_id": p,
                "partner_name": names[p],
                "area_id": a,
                "intervention_id": k,
                "capacity": arc.capacity,
                "used": used,
                "idle_places": idle,
                "usable_places": usable,
                "net_cost_per_place": arc.net_cost,
                "cost_to_use": usable * arc.net_cost,
                "limit": money_bound.loc[(a, k), "limit"],
            }
        )
    frame = pd.DataFrame(rows, columns=IDLE_COLUMNS)
    return frame.sort_values(
        ["usable_places", "partner_id", "area_id", "intervention_id"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)
