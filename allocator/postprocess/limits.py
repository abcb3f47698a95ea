"""Binding limits: per (area, intervention) with need, what stops more service in the plan.

Checked in this order: need met, maximum coverage, no partner, partner capacity (every arc full),
staff (workload equal to the FTE placed), no funder allowed, and money: every funder allowed to pay
is exhausted (``money``) or capped by a tight earmark (``earmark`` when all are). ``no_value``
when none holds (serving more would add nothing to the objective). The frame carries the facts
behind each limit (column ``facts``); :mod:`allocator.render.explanations` writes them in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pulp

from allocator.inputs.schema import Earmark, Intervention, StaffRole
from allocator.optimization.model import AllocationModel
from allocator.optimization.pipeline import RunResult
from allocator.postprocess.duals import TOLERANCE
from allocator.postprocess.labels import vocabulary

LIMIT_KINDS = (
    "need_met",
    "max_coverage",
    "no_partner",
    "partner_capacity",
    "staff",
    "no_funder",
    "earmark",
    "money",
    "no_value",
)
LIMIT_LABELS = {lang: vocabulary("limit", lang) for lang in ("it", "en")}
"""The limit kinds' names, one per language (from the ``limit`` vocabulary of the labels)."""
CAPACITY_LIMITS = ("no_partner", "partner_capacity", "staff")
MONEY_LIMITS = ("money", "earmark", "no_funder")
LIMIT_COLUMNS = [
    "area_id",
    "area_name",
    "intervention_id",
    "intervention_name",
    "unit",
    "need",
    "max_served",
    "served",
    "unmet_need",
    "reachable_unmet",
    "weighted_unmet",
    "limit",
    "limit_label",
    "money_available",
    "detail",
]
FACTS_COLUMN = "facts"
"""Extra column (not written): the facts behind the limit, for the words in ``detail``."""


def value_of(var: pulp.LpVariable | pulp.LpAffineExpression) -> float:
    """A variable's or expression's value in the solved model (0 when unset)."""
    return float(pulp.value(var) or 0.0)


@dataclass
class PlanState:
    """What the plan uses of each resource: funders, earmarks, arcs, staff."""

    exhausted: set[str]
    tight_earmarks: list[Earmark]
    payers: dict[tuple[str, str], list[str]]
    arcs: dict[tuple[str, str], list[tuple[float, float]]]
    placed_by_role: dict[str, float] = field(default_factory=dict)


def plan_state(model: AllocationModel) -> PlanState:
    """Exhausted funders, tight earmarks, who may pay each item, arcs' use, staff placed."""
    data = model.data
    spent: dict[str, float] = defaultdict(float)
    for (j, _, _), var in model.pay.items():
        spent[j] += var.varValue or 0.0
    exhausted = {
        j
        for j in data.funders
        if spent[j] >= data.funder_amount[j] - TOLERANCE * max(1.0, data.funder_amount[j])
    }
    tight = [
        e
        for n, e in enumerate(model.scenario.earmarks)
        if n in model.constraints.get("earmark", {})
        and e.max_amount is not None
        and sum(
            var.varValue or 0.0
            for (j, item, a), var in model.pay.items()
            if j == e.funder_id and e.matches(item, a)
        )
        >= e.max_amount - TOLERANCE * max(1.0, e.max_amount)
    ]
    payers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for j, item, a in model.pay:
        payers[(item, a)].append(j)
    arcs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for (p, a, k), var in model.serve.items():
        arcs[(a, k)].append((var.varValue or 0.0, data.arcs[(p, a, k)].capacity))
    placed: dict[str, float] = defaultdict(float)
    for (r, _), var in model.staff_posts.items():
        placed[r] += (var.varValue or 0.0) * data.fte_step[r]
    return PlanState(exhausted, tight, payers, arcs, dict(placed))


def blocked_payers(state: PlanState, a: str, k: str) -> dict[str, str]:
    """The funders allowed to pay (k, a) that cannot: ``money`` (exhausted) or ``earmark``."""
    blocked: dict[str, str] = {}
    for j in state.payers.get((k, a), []):
        if j in state.exhausted:
            blocked[j] = "money"
        elif any(e.funder_id == j and e.matches(k, a) for e in state.tight_earmarks):
            blocked[j] = "earmark"
    return blocked


def money_limit(payers: list[str], free: list[str], blocked_by: dict[str, str]) -> str:
    """The money limit of a pair: no funder allowed, none free (money or earmark), or none."""
    if not payers:
        return "no_funder"
    if free:
        return "no_value"
    return "earmark" if all(v == "earmark" for v in blocked_by.values()) else "money"


def staff_facts(
    model: AllocationModel, state: PlanState, role: StaffRole, a: str
) -> dict[str, Any] | None:
    """The staff facts when role's workload in area ``a`` is binding, else None."""
    workload = model.constraints.get("staff_workload", {}).get((role.role_id, a))
    if workload is None or abs(workload.slack or 0.0) > TOLERANCE:
        return None
    fte = (model.staff_posts[(role.role_id, a)].varValue or 0.0) * role.fte_step
    placed = state.placed_by_role.get(role.role_id, 0.0)
    return {
        "role": role.name,
        "fte": fte,
        "full": placed + role.fte_step > role.available_fte + TOLERANCE,
    }


def pair_limit(
    model: AllocationModel,
    state: PlanState,
    intervention: Intervention,
    role: StaffRole | None,
    a: str,
    unmet: float,
    reachable: float,
) -> tuple[str, dict[str, Any]]:
    """The limit of one (area, intervention) pair and the facts behind it."""
    k = intervention.intervention_id
    tol = TOLERANCE * max(1.0, float(model.data.need[(a, k)]))
    arcs = state.arcs.get((a, k), [])
    if unmet <= tol:
        return "need_met", {}
    if reachable <= tol:
        return "max_coverage", {"max_coverage": intervention.max_coverage}
    if not arcs:
        return "no_partner", {}
    if all(x >= cap - TOLERANCE for x, cap in arcs):
        return "partner_capacity", {"partners": len(arcs), "places": sum(c for _, c in arcs)}
    if role is not None and (facts := staff_facts(model, state, role, a)) is not None:
        return "staff", facts
    payers = state.payers.get((k, a), [])
    blocked = blocked_payers(state, a, k)
    free = [j for j in payers if j not in blocked]
    return money_limit(payers, free, blocked), {"blocked": sorted(blocked)}


def binding_limits(result: RunResult, lang: str = "it") -> pd.DataFrame:
    """Per (area, intervention) with need: the limit that stops more service in the plan.

    ``limit_label`` is in ``lang``; ``detail`` is left empty here (words are the renderer's).
    """
    model = result.model
    if model is None or not result.has_plan:
        raise ValueError("a run without a plan has no binding limits")
    data = model.data
    s = model.scenario
    areas = {a.area_id: a.name for a in s.areas}
    interventions = {i.intervention_id: i for i in s.interventions}
    roles = {r.role_id: r for r in s.staff}
    state = plan_state(model)
    rows = []
    for (a, k), need in sorted(data.need.items()):
        if need <= 0:
            continue
        served = value_of(model.served[(a, k)]) if (a, k) in model.served else 0.0
        max_served = data.max_served[(a, k)]
        unmet = max(need - served, 0.0)
        reachable = max(max_served - served, 0.0)
        intervention = interventions[k]
        role = roles.get(intervention.staff_role or "")
        limit, facts = pair_limit(model, state, intervention, role, a, unmet, reachable)
        payers = state.payers.get((k, a), [])
        blocked = blocked_payers(state, a, k)
        rows.append(
            {
                "area_id": a,
                "area_name": areas[a],
                "intervention_id": k,
                "intervention_name": intervention.name,
                "unit": intervention.unit.value,
                "need": need,
                "max_served": max_served,
                "served": served,
                "unmet_need": unmet,
                "reachable_unmet": reachable,
                "weighted_unmet": data.weight[(a, k)] * reachable,
                "limit": limit,
                "limit_label": LIMIT_LABELS[lang][limit],
                "money_available": any(j not in blocked for j in payers),
                "detail": "",
                FACTS_COLUMN: facts,
            }
        )
    return pd.DataFrame(rows, columns=[*LIMIT_COLUMNS, FACTS_COLUMN])
