"""From a solved model to a plan: tables a planner can open, and the KPIs of DESIGN.md §4.

:func:`evaluate` computes every table and KPI from three raw tables (allocation, staff, funding)
and the scenario alone, so a plan that did not come from the optimiser (a rule of thumb, the
status quo) is measured by exactly the same code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from allocator.inputs.schema import EquityMeasure, Scenario
from allocator.optimization.equity import worst_areas_coverage
from allocator.optimization.model import AllocationModel, Segment, prepare
from allocator.optimization.solve import SolveOutcome

ALLOCATION_COLUMNS = [
    "partner_id",
    "area_id",
    "intervention_id",
    "beneficiaries",
    "gross_cost",
    "cofunding",
    "funded_cost",
]
STAFF_COLUMNS = ["role_id", "area_id", "fte", "cost"]
FUNDING_COLUMNS = ["funder_id", "item", "area_id", "amount"]
ZERO = 1e-7
"""Solver values below this are read as zero."""


@dataclass(frozen=True)
class Plan:
    """A plan and its measures. Every frame is sorted by its ids."""

    scenario_name: str
    status: str
    allocation: pd.DataFrame
    """partner_id, area_id, intervention_id, beneficiaries, gross_cost, cofunding, funded_cost."""
    staff: pd.DataFrame
    """role_id, area_id, fte, cost."""
    funding: pd.DataFrame
    """funder_id, item (intervention_id or staff:<role_id>), area_id, amount."""
    area_interventions: pd.DataFrame
    """Per (area, intervention): need, max_served, floor, served, coverage, shortfall, cost."""
    areas: pd.DataFrame
    funders: pd.DataFrame
    excluded_partners: pd.DataFrame
    kpis: dict[str, Any] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The output tables by file stem, in the order they are written."""
        return {
            "allocation": self.allocation,
            "areas": self.areas,
            "area_interventions": self.area_interventions,
            "funders": self.funders,
            "funding": self.funding,
            "staff": self.staff,
            "excluded_partners": self.excluded_partners,
        }


def _clean(value: float | None) -> float:
    """A solver value as a plain float with round-off noise removed."""
    if value is None or abs(value) < ZERO:
        return 0.0
    return round(float(value), 9)


def extract(model: AllocationModel, outcome: SolveOutcome) -> Plan:
    """Read the plan out of a solved model. Refuses when the solver holds no plan."""
    if not outcome.is_ok:
        raise ValueError(f"the solver holds no plan to read (status {outcome.status.value})")
    rows = []
    for (p, a, k), var in model.serve.items():
        beneficiaries = _clean(var.varValue)
        if beneficiaries > 0:
            rows.append((p, a, k, beneficiaries))
    allocation = allocation_frame(model.scenario, rows)
    staff_rows = []
    for (r, a), var in model.staff_posts.items():
        fte = _clean(var.varValue) * model.data.fte_step[r]
        if fte > 0:
            staff_rows.append((r, a, fte))
    staff = staff_frame(model.scenario, staff_rows)
    funding = pd.DataFrame(
        [(j, item, a, _clean(var.varValue)) for (j, item, a), var in model.pay.items()],
        columns=FUNDING_COLUMNS,
    )
    funding = funding[funding["amount"] > 0].reset_index(drop=True)
    return evaluate(
        model.scenario,
        allocation,
        staff,
        funding,
        status=outcome.status.value,
        solve_seconds=outcome.seconds,
    )


def allocation_frame(scenario: Scenario, rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Allocation rows (partner, area, intervention, beneficiaries) priced from the scenario."""
    unit_cost = {i.intervention_id: i.unit_cost for i in scenario.interventions}
    capacity = {(c.partner_id, c.area_id, c.intervention_id): c for c in scenario.capacities}
    records = []
    for p, a, k, b in sorted(rows):
        c = capacity[(p, a, k)]
        cost = unit_cost[k] if c.unit_cost is None else c.unit_cost
        cofunding = min(c.cofunding_per_beneficiary, cost)
        records.append((p, a, k, b, b * cost, b * cofunding, b * (cost - cofunding)))
    return pd.DataFrame(records, columns=ALLOCATION_COLUMNS)


def staff_frame(scenario: Scenario, rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Staff rows (role, area, fte) priced from the scenario."""
    cost = {r.role_id: r.cost_per_fte for r in scenario.staff}
    records = [(r, a, fte, fte * cost[r]) for r, a, fte in sorted(rows)]
    return pd.DataFrame(records, columns=STAFF_COLUMNS)


def counted(served: float, need: float, segments: tuple[Segment, ...]) -> float:
    """How many beneficiaries ``served`` count for under diminishing returns."""
    total, start = 0.0, 0.0
    for s in segments:
        length = s.length * need
        total += s.weight * min(max(served - start, 0.0), length)
        start += length
    return total


def evaluate(
    scenario: Scenario,
    allocation: pd.DataFrame,
    staff: pd.DataFrame,
    funding: pd.DataFrame,
    *,
    status: str,
    solve_seconds: float = 0.0,
) -> Plan:
    """Every table and KPI of a plan, computed from its raw tables and the scenario alone."""
    data = prepare(scenario)
    ew = data.equity_weight
    served: dict[tuple[str, str], float] = defaultdict(float)
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for row in allocation.itertuples(index=False):
        served[(row.area_id, row.intervention_id)] += row.beneficiaries
        cost[(row.area_id, row.intervention_id)] += row.gross_cost

    pairs = sorted(set(data.need) | set(served))
    ai_rows = []
    for a, k in pairs:
        need = data.need.get((a, k), 0.0)
        s = served.get((a, k), 0.0)
        floor = data.floor.get((a, k), 0.0)
        ai_rows.append(
            {
                "area_id": a,
                "intervention_id": k,
                "need": need,
                "max_served": data.max_served.get((a, k), 0.0),
                "floor": floor,
                "served": s,
                "coverage": s / need if need > 0 else 0.0,
                "unmet_need": max(need - s, 0.0),
                "shortfall": max(floor - s, 0.0),
                "cost": cost.get((a, k), 0.0),
            }
        )
    area_interventions = pd.DataFrame(
        ai_rows,
        columns=[
            "area_id",
            "intervention_id",
            "need",
            "max_served",
            "floor",
            "served",
            "coverage",
            "unmet_need",
            "shortfall",
            "cost",
        ],
    )

    staff_cost_by_area = staff.groupby("area_id")["cost"].sum().to_dict() if len(staff) else {}
    areas = _areas_table(scenario, area_interventions, staff, staff_cost_by_area)
    funders = _funders_table(scenario, funding)
    excluded = pd.DataFrame(
        [
            (pid, next(p.name for p in scenario.partners if p.partner_id == pid), why)
            for pid, why in scenario.excluded_partners()
        ],
        columns=["partner_id", "name", "reason"],
    )

    value_all = data.value_of_all_need
    value_served = sum(
        data.weight.get(ak, 0.0) * counted(s, data.need.get(ak, 0.0), data.segments)
        for ak, s in served.items()
    )
    weighted_coverage = value_served / value_all if value_all > 0 else 0.0
    with_need = areas[areas["need"] > 0]
    min_area_coverage = float(with_need["coverage"].min()) if len(with_need) else 0.0
    policy = scenario.settings.policy
    worst = worst_areas_coverage(
        zip(with_need["need"], with_need["served"], strict=True), policy.equity_share
    )
    equity = min_area_coverage if policy.equity_measure is EquityMeasure.MIN else worst
    need_total = float(area_interventions["need"].sum())
    beneficiaries = float(allocation["beneficiaries"].sum())
    staff_cost = float(staff["cost"].sum())
    cost_gross = float(allocation["gross_cost"].sum()) + staff_cost
    cofunding = float(allocation["cofunding"].sum())
    funded = float(allocation["funded_cost"].sum()) + staff_cost
    budget_total = sum(data.funder_amount.values())
    kind = {f.funder_id: f.kind.value for f in scenario.funders}
    paid_by_kind = funding.groupby(funding["funder_id"].map(kind))["amount"].sum().to_dict()
    kpis: dict[str, Any] = {
        "status": status,
        "objective": (1 - ew) * weighted_coverage + ew * equity,
        "weighted_coverage": weighted_coverage,
        "worst_areas_coverage": worst,
        "min_area_coverage": min_area_coverage,
        "beneficiaries_served": beneficiaries,
        "need_total": need_total,
        "unmet_need": float(area_interventions["unmet_need"].sum()),
        "coverage": beneficiaries / need_total if need_total > 0 else 0.0,
        "shortfall_total": float(area_interventions["shortfall"].sum()),
        "cost_gross": cost_gross,
        "cofunding": cofunding,
        "funded": funded,
        "funded_public": float(paid_by_kind.get("public", 0.0)),
        "funded_private": float(paid_by_kind.get("private", 0.0)),
        "budget_total": budget_total,
        "budget_used_share": funded / budget_total if budget_total > 0 else 0.0,
        "staff_fte": {
            r.role_id: float(staff.loc[staff["role_id"] == r.role_id, "fte"].sum())
            for r in sorted(scenario.staff, key=lambda r: r.role_id)
        },
        "partners_engaged": int(
            allocation.loc[allocation["beneficiaries"] > 0, "partner_id"].nunique()
        ),
        "partners_excluded": len(excluded),
        "solve_seconds": solve_seconds,
    }
    return Plan(
        scenario_name=scenario.name,
        status=status,
        allocation=allocation,
        staff=staff,
        funding=funding.sort_values(["funder_id", "item", "area_id"]).reset_index(drop=True),
        area_interventions=area_interventions,
        areas=areas,
        funders=funders,
        excluded_partners=excluded,
        kpis=kpis,
    )


_AREA_SUMS = ("need", "served", "unmet_need", "cost", "shortfall")
"""The per-(area, intervention) columns an area's row sums."""


def _areas_table(
    scenario: Scenario,
    area_interventions: pd.DataFrame,
    staff: pd.DataFrame,
    staff_cost_by_area: dict[str, float],
) -> pd.DataFrame:
    # positions of each area's rows, found once (a plan is evaluated many times in a study)
    rows_of = area_interventions.groupby("area_id").indices
    staff_rows_of = staff.groupby("area_id").indices if len(staff) else {}
    column = {c: area_interventions[c].to_numpy(dtype=float) for c in (*_AREA_SUMS, "coverage")}
    kinds = area_interventions["intervention_id"].to_numpy()
    fte = staff["fte"].to_numpy(dtype=float) if len(staff) else np.zeros(0)
    interventions = sorted(i.intervention_id for i in scenario.interventions)
    nothing = np.zeros(0, dtype=np.intp)
    rows = []
    for area in sorted(scenario.areas, key=lambda a: a.area_id):
        a = area.area_id
        at = rows_of.get(a, nothing)
        total = {c: float(column[c][at].sum()) for c in _AREA_SUMS}
        need, served = total["need"], total["served"]
        row: dict[str, Any] = {
            "area_id": a,
            "name": area.name,
            "municipio": area.municipio or "",
            "population": area.population,
            "minors": area.minors,
            "need": need,
            "served": served,
            "coverage": served / need if need > 0 else 0.0,
            "unmet_need": total["unmet_need"],
            "cost": total["cost"] + staff_cost_by_area.get(a, 0.0),
            "shortfall": total["shortfall"],
            "staff_fte": float(fte[staff_rows_of.get(a, nothing)].sum()),
            "lat": area.lat,
            "lon": area.lon,
        }
        by_k = {kinds[i]: i for i in at}
        for k in interventions:
            i = by_k.get(k)
            row[f"served_{k}"] = float(column["served"][i]) if i is not None else 0.0
            row[f"coverage_{k}"] = float(column["coverage"][i]) if i is not None else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def _funders_table(scenario: Scenario, funding: pd.DataFrame) -> pd.DataFrame:
    items = sorted(i.intervention_id for i in scenario.interventions) + sorted(
        f"staff:{r.role_id}" for r in scenario.staff
    )
    paid = funding.groupby(["funder_id", "item"])["amount"].sum().to_dict()
    rows = []
    for f in sorted(scenario.funders, key=lambda f: f.funder_id):
        amount = scenario.funder_amount(f)
        spent = sum(v for (j, _), v in paid.items() if j == f.funder_id)
        row: dict[str, Any] = {
            "funder_id": f.funder_id,
            "name": f.name,
            "kind": f.kind.value,
            "amount": amount,
            "spent": spent,
            "share_used": spent / amount if amount > 0 else 0.0,
        }
        for item in items:
            row[f"paid_{item}"] = paid.get((f.funder_id, item), 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


def frames_by_name(owner: object, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The data frames ``names`` of ``owner`` (attributes of those names), in that order: what a
    result's ``tables()`` returns, by output file stem."""
    return {name: getattr(owner, name) for name in names}
