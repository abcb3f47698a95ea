"""Cheap bounds checked before solving, each with a sentence a planner can act on.

With soft floors the only hard requirements are the staff minima: posts that must be placed in
every area, and the money to pay them. Those are what can make a scenario infeasible.
"""

from __future__ import annotations

from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.model import min_posts


def minimum_posts(scenario: Scenario) -> dict[str, float]:
    """role_id → the FTE the per-area minimum forces, rounded up to whole steps, per area."""
    return {r.role_id: min_posts(r) * r.fte_step for r in scenario.staff}


def check_feasibility(scenario: Scenario) -> list[str]:
    """Conflicts provable without solving; an empty list proves nothing either way."""
    conflicts: list[str] = []
    areas = sorted(a.area_id for a in scenario.areas)
    per_area = minimum_posts(scenario)
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    staff_cost_total = 0.0
    for role in sorted(scenario.staff, key=lambda r: r.role_id):
        r = role.role_id
        need = per_area[r] * len(areas)
        if need > role.available_fte + 1e-9:
            step_note = (
                f" (the minimum {role.min_fte_per_area:g} rounded up to steps of {role.fte_step:g})"
                if per_area[r] != role.min_fte_per_area
                else ""
            )
            conflicts.append(
                f"staff role {r}: {len(areas)} areas × min {per_area[r]:g} FTE{step_note} = "
                f"{need:g} FTE, but only {role.available_fte:g} FTE available"
            )
            continue
        cost = need * role.cost_per_fte
        staff_cost_total += cost
        payers = {j for j in amounts for a in areas if scenario.may_fund(j, staff_item(r), a)}
        money = sum(amounts[j] for j in payers)
        if cost > money + 1e-6:
            who = ", ".join(sorted(payers)) or "no funder"
            conflicts.append(
                f"staff role {r}: the minimum posts cost {cost:,.0f} € a year, but the funders "
                f"allowed to pay them ({who}) have only {money:,.0f} €"
            )
    if not conflicts and staff_cost_total > sum(amounts.values()) + 1e-6:
        conflicts.append(
            f"the minimum staff posts cost {staff_cost_total:,.0f} € a year, more than the whole "
            f"budget of {sum(amounts.values()):,.0f} €"
        )
    return conflicts
