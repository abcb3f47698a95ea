"""Invariants every plan must satisfy, checked from the scenario alone (not from the model).

Used by the test suite on every solution, and by ``allocator run`` as a last guard before writing:
a plan that breaks one of these is never written.
"""

from __future__ import annotations

from collections import defaultdict

from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.model import min_posts
from allocator.postprocess.results import Plan

TOLERANCE = 1e-6


def _over(value: float, limit: float) -> bool:
    return value > limit + TOLERANCE * max(1.0, abs(limit))


def check_plan(scenario: Scenario, plan: Plan) -> list[str]:
    """Every violated limit of the plan, in words; an empty list when the plan is sound."""
    problems: list[str] = []
    problems += _check_capacity(scenario, plan)
    problems += _check_coverage(scenario, plan)
    problems += _check_funding(scenario, plan)
    problems += _check_staff(scenario, plan)
    problems += _check_balance(plan)
    return problems


def _check_capacity(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    capacity = {
        (c.partner_id, c.area_id, c.intervention_id): c.capacity for c in scenario.capacities
    }
    eligible = scenario.eligibility()
    for row in plan.allocation.itertuples(index=False):
        key = (row.partner_id, row.area_id, row.intervention_id)
        if row.beneficiaries < -TOLERANCE:
            out.append(f"negative allocation {row.beneficiaries} for {key}")
        if key not in capacity:
            out.append(f"allocation {key} has no capacity row")
        elif _over(row.beneficiaries, capacity[key]):
            out.append(
                f"{key}: {row.beneficiaries:g} beneficiaries over capacity {capacity[key]:g}"
            )
        if eligible.get(row.partner_id) is not None:
            out.append(f"excluded partner {row.partner_id} has an allocation")
    return out


def _check_coverage(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    need = {(n.area_id, n.intervention_id): n.need for n in scenario.needs}
    share = {i.intervention_id: i.max_coverage for i in scenario.interventions}
    served: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.allocation.itertuples(index=False):
        served[(row.area_id, row.intervention_id)] += row.beneficiaries
    for (a, k), s in served.items():
        limit = share[k] * need.get((a, k), 0.0)
        if _over(s, limit):
            out.append(f"area {a}, {k}: served {s:g} over max coverage × need = {limit:g}")
    return out


def _check_funding(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    spent: dict[str, float] = defaultdict(float)
    paid: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.funding.itertuples(index=False):
        if row.amount < -TOLERANCE:
            out.append(f"negative payment by {row.funder_id}")
        spent[row.funder_id] += row.amount
        paid[(row.item, row.area_id)] += row.amount
        if not scenario.may_fund(row.funder_id, row.item, row.area_id):
            out.append(
                f"{row.funder_id} pays for {row.item} in {row.area_id}, outside its earmarks"
            )
    for j, s in spent.items():
        if _over(s, amounts[j]):
            out.append(f"funder {j} spends {s:,.2f} over its amount {amounts[j]:,.2f}")
    return out + _check_earmark_caps(scenario, plan) + _check_paid_is_cost(plan, paid)


def _check_earmark_caps(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    for n, e in enumerate(scenario.earmarks):
        if e.max_amount is None:
            continue
        total = sum(
            row.amount
            for row in plan.funding.itertuples(index=False)
            if row.funder_id == e.funder_id and e.matches(row.item, row.area_id)
        )
        if _over(total, e.max_amount):
            out.append(
                f"earmark row {n + 2} of {e.funder_id}: {total:,.2f} over {e.max_amount:,.2f}"
            )
    return out


def _check_paid_is_cost(plan: Plan, paid: dict[tuple[str, str], float]) -> list[str]:
    """Every (item, area)'s funded cost is what the funders pay for it."""
    out = []
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.allocation.itertuples(index=False):
        cost[(row.intervention_id, row.area_id)] += row.funded_cost
    for row in plan.staff.itertuples(index=False):
        cost[(staff_item(row.role_id), row.area_id)] += row.cost
    for key in set(cost) | set(paid):
        if abs(cost.get(key, 0.0) - paid.get(key, 0.0)) > TOLERANCE * max(1.0, cost.get(key, 0.0)):
            out.append(
                f"{key[0]} in {key[1]}: funded cost {cost.get(key, 0.0):,.2f} but funders pay "
                f"{paid.get(key, 0.0):,.2f}"
            )
    return out


def _check_staff(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    fte: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.staff.itertuples(index=False):
        fte[(row.role_id, row.area_id)] += row.fte
    served: dict[tuple[str, str], float] = defaultdict(float)
    for row in plan.allocation.itertuples(index=False):
        served[(row.area_id, row.intervention_id)] += row.beneficiaries
    for role in scenario.staff:
        r = role.role_id
        total = sum(v for (rr, _), v in fte.items() if rr == r)
        if _over(total, role.available_fte):
            out.append(f"staff role {r}: {total:g} FTE placed, {role.available_fte:g} available")
        lowest = min_posts(role) * role.fte_step
        for area in scenario.areas:
            placed = fte.get((r, area.area_id), 0.0)
            steps = placed / role.fte_step
            if abs(steps - round(steps)) > 1e-6:
                out.append(f"staff role {r} in {area.area_id}: {placed:g} FTE not in steps")
            if placed < lowest - TOLERANCE:
                out.append(
                    f"staff role {r} in {area.area_id}: {placed:g} FTE below the minimum "
                    f"{lowest:g} (min_fte_per_area in whole steps)"
                )
            workload = sum(
                served.get((area.area_id, i.intervention_id), 0.0) / i.beneficiaries_per_fte
                for i in scenario.interventions
                if i.staff_role == r and i.beneficiaries_per_fte
            )
            if _over(workload, placed):
                out.append(
                    f"staff role {r} in {area.area_id}: needs {workload:g} FTE, has {placed:g}"
                )
    return out


def _check_balance(plan: Plan) -> list[str]:
    k = plan.kpis
    if abs(k["cost_gross"] - k["cofunding"] - k["funded"]) > TOLERANCE * max(1.0, k["cost_gross"]):
        return [f"cost_gross {k['cost_gross']:,.2f} ≠ cofunding + funded"]
    return []
