"""Cheap bounds checked before solving, each a fact a planner can act on.

With soft floors the only hard requirements are the staff minima: posts that must be placed in
every area, and the money to pay them. Those are what can make a scenario infeasible. The facts
carry ids and numbers; :mod:`allocator.render.facts` words them.
"""

from __future__ import annotations

from dataclasses import dataclass

from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.model import min_posts


@dataclass(frozen=True)
class StaffShortfall:
    """A role's minimum in every area needs more FTE than the role has."""

    role_id: str
    areas: int
    """How many areas each need the minimum."""
    per_area: float
    """FTE the minimum forces in each area, rounded up to whole steps."""
    minimum: float
    """The minimum per area as the scenario gives it (``min_fte_per_area``)."""
    step: float
    needed: float
    available: float


@dataclass(frozen=True)
class MoneyShortfall:
    """A role's minimum posts cost more than the funders allowed to pay them have."""

    role_id: str
    cost: float
    """Euros a year."""
    payers: tuple[str, ...]
    """The funders allowed to pay the role somewhere (ids, sorted); empty: none."""
    money: float


@dataclass(frozen=True)
class BudgetShortfall:
    """All the minimum posts together cost more than the whole budget."""

    cost: float
    budget: float


Gap = StaffShortfall | MoneyShortfall | BudgetShortfall


def minimum_posts(scenario: Scenario) -> dict[str, float]:
    """role_id → the FTE the per-area minimum forces, rounded up to whole steps, per area."""
    return {r.role_id: min_posts(r) * r.fte_step for r in scenario.staff}


def check_feasibility(scenario: Scenario) -> list[Gap]:
    """Conflicts provable without solving; an empty list proves nothing either way."""
    gaps: list[Gap] = []
    areas = sorted(a.area_id for a in scenario.areas)
    per_area = minimum_posts(scenario)
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    staff_cost_total = 0.0
    for role in sorted(scenario.staff, key=lambda r: r.role_id):
        r = role.role_id
        need = per_area[r] * len(areas)
        if need > role.available_fte + 1e-9:
            gaps.append(
                StaffShortfall(
                    r,
                    len(areas),
                    per_area[r],
                    role.min_fte_per_area,
                    role.fte_step,
                    need,
                    role.available_fte,
                )
            )
            continue
        cost = need * role.cost_per_fte
        staff_cost_total += cost
        payers = {j for j in amounts for a in areas if scenario.may_fund(j, staff_item(r), a)}
        money = sum(amounts[j] for j in payers)
        if cost > money + 1e-6:
            gaps.append(MoneyShortfall(r, cost, tuple(sorted(payers)), money))
    if not gaps and staff_cost_total > sum(amounts.values()) + 1e-6:
        gaps.append(BudgetShortfall(staff_cost_total, sum(amounts.values())))
    return gaps
