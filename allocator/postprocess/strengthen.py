"""Where to strengthen: pairs where capacity, not money, stops more service; idle places."""

from __future__ import annotations

import pandas as pd

from allocator.optimization.pipeline import RunResult
from allocator.postprocess.duals import TOLERANCE
from allocator.postprocess.limits import CAPACITY_LIMITS, MONEY_LIMITS


def area_coverage(limits: pd.DataFrame) -> pd.Series:
    """Each area's coverage (served / need over its interventions), from the limits frame."""
    totals = limits.groupby("area_id")[["served", "need"]].sum()
    return (totals["served"] / totals["need"].where(totals["need"] > 0)).fillna(0.0)


def where_to_strengthen(limits: pd.DataFrame) -> pd.DataFrame:
    """(area, intervention) where capacity (partners, staff), not money, stops more service.

    The worst-off first: areas by coverage (lowest first), then by the need still reachable in
    the area; within an area, pairs by reachable need (``reachable_unmet``). ``area_coverage``
    is the area's coverage; ``money_available`` says whether some funder allowed to pay still
    had money in the plan.
    """
    pick = limits[limits["limit"].isin(CAPACITY_LIMITS) & (limits["reachable_unmet"] > TOLERANCE)]
    pick = pick.assign(area_coverage=pick["area_id"].map(area_coverage(limits)))
    area_unmet = pick.groupby("area_id")["reachable_unmet"].transform("sum")
    return (
        pick.assign(_area_unmet=area_unmet)
        .sort_values(
            ["area_coverage", "_area_unmet", "area_id", "reachable_unmet", "intervention_id"],
            ascending=[True, False, True, False, True],
        )
        .drop(columns="_area_unmet")
        .reset_index(drop=True)
    )


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


CAPPED_LIMITS = (*CAPACITY_LIMITS, "max_coverage")
"""Limits money cannot lift: partners, staff, and the intervention's maximum coverage."""


def worst_areas(areas: pd.DataFrame, share: float) -> pd.DataFrame:
    """The least-covered areas holding ``share`` of the need (the boundary area included), from
    a plan's areas table (area_id, name, need, served, coverage), least covered first."""
    with_need = areas[areas["need"] > 0].sort_values(["coverage", "area_id"], kind="stable")
    wanted = share * float(with_need["need"].sum())
    before = with_need["need"].cumsum() - with_need["need"]
    return with_need[before < wanted - 1e-9].reset_index(drop=True)


def capped_areas(areas: pd.DataFrame, limits: pd.DataFrame, share: float) -> pd.DataFrame:
    """Areas among the worst-covered (``share`` of the need) whose unmet need is held back by
    partners, staff or maximum coverage, not by money: money cannot lift them, new partners can.

    Columns: area_id, name, coverage, unmet_need, capped_unmet (need those limits hold back),
    interventions (how many interventions are so limited), kinds (the limits, sorted).
    """
    columns = [
        "area_id",
        "name",
        "coverage",
        "unmet_need",
        "capped_unmet",
        "interventions",
        "kinds",
    ]
    rows = []
    for area in worst_areas(areas, share).itertuples(index=False):
        pairs = limits[(limits["area_id"] == area.area_id) & (limits["limit"] != "need_met")]
        if not len(pairs):
            continue
        capped = pairs[pairs["limit"].isin(CAPPED_LIMITS)]
        money = pairs[~pairs["limit"].isin(CAPPED_LIMITS)]
        if not len(capped) or float(money["unmet_need"].sum()) > float(capped["unmet_need"].sum()):
            continue
        rows.append(
            {
                "area_id": area.area_id,
                "name": area.name,
                "coverage": float(area.coverage),
                "unmet_need": float(pairs["unmet_need"].sum()),
                "capped_unmet": float(capped["unmet_need"].sum()),
                "interventions": len(capped),
                "kinds": ", ".join(sorted(set(capped["limit"]))),
            }
        )
    return pd.DataFrame(rows, columns=columns)
