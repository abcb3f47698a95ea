"""From a wish to a feasible plan: what the rules of thumb share with each other.

:func:`fill_cheapest_first` spends each (area, intervention)'s money on its partners, cheapest
first; :func:`make_feasible` turns a wish (beneficiaries per arc) into a plan within every limit
of the model: staff posts are placed in whole steps within what is available, and a small LP finds
which funder pays what, respecting earmarks and amounts, cutting the allocation where they cannot
pay all of it. The plan is measured by :func:`allocator.postprocess.results.evaluate`, exactly as
the optimiser's plan is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pulp

from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.feasibility import check_feasibility
from allocator.optimization.model import (
    Arc,
    AreaItem,
    ModelData,
    earmark_limits,
    funder_amount_limits,
    min_posts,
    prepare,
)
from allocator.optimization.solve import SolveStatus, solve_lp
from allocator.postprocess.results import (
    FUNDING_COLUMNS,
    Plan,
    allocation_frame,
    evaluate,
    staff_frame,
)

_SAFETY = 1e-9
"""Relative margin kept below what funders can pay, against the LP's round-off."""


@dataclass(frozen=True)
class Cut:
    """What a rule of thumb's wish lost to respect a limit (ids and numbers;
    :mod:`allocator.render.facts` words it)."""

    kind: str
    """``coverage`` (an area's intervention served above its maximum coverage), ``staff`` (a role
    needed above its FTE available), ``staff_minimum`` (posts cut to the minimum: funders cannot
    pay more), ``money`` (an area's intervention cut to the share funders may pay),
    ``partner_excluded`` and ``no_capacity`` (today's row of a partner dropped), ``capacity``
    (today's row clipped to the partner's capacity)."""
    area_id: str = ""
    intervention_id: str = ""
    partner_id: str = ""
    role_id: str = ""
    wanted: float = 0.0
    """Beneficiaries (FTE for ``staff``) wished."""
    allowed: float = 0.0
    """Beneficiaries (FTE for ``staff``; the share paid for ``money``) the limit allows."""


@dataclass(frozen=True)
class _Staffing:
    """Per intervention: its staff role and the staff cost of one beneficiary."""

    role: dict[str, tuple[str, float]]
    """intervention_id → (role_id, beneficiaries_per_fte)."""
    cost_per_beneficiary: dict[str, float]


def _staffing(scenario: Scenario) -> _Staffing:
    cost_per_fte = {r.role_id: r.cost_per_fte for r in scenario.staff}
    role: dict[str, tuple[str, float]] = {}
    per_beneficiary: dict[str, float] = {}
    for i in scenario.interventions:
        if i.staff_role is not None and i.beneficiaries_per_fte is not None:
            role[i.intervention_id] = (i.staff_role, i.beneficiaries_per_fte)
            per_beneficiary[i.intervention_id] = (
                cost_per_fte[i.staff_role] / i.beneficiaries_per_fte
            )
    return _Staffing(role, per_beneficiary)


def _minimum_posts(scenario: Scenario) -> dict[str, int]:
    return {r.role_id: min_posts(r) for r in scenario.staff}


def full_costs(scenario: Scenario, data: ModelData | None = None) -> dict[Arc, float]:
    """Per arc, what one more beneficiary costs the funders: net unit cost plus staff per head
    (``data``: the scenario's prepared model data, when the caller has it)."""
    return _full_costs(data or prepare(scenario), _staffing(scenario))


def _full_costs(data: ModelData, staffing: _Staffing) -> dict[Arc, float]:
    return {
        arc: d.net_cost + staffing.cost_per_beneficiary.get(arc[2], 0.0)
        for arc, d in data.arcs.items()
    }


def arcs_cheapest_first(data: ModelData, cost: Mapping[Arc, float]) -> dict[AreaItem, list[Arc]]:
    """Each (area, intervention) pair's arcs, cheapest first (by ``cost``, then by arc)."""
    arcs_of: dict[AreaItem, list[Arc]] = defaultdict(list)
    for arc in sorted(data.arcs, key=lambda arc: (cost[arc], arc)):
        arcs_of[(arc[1], arc[2])].append(arc)
    return arcs_of


def staff_floor_cost(scenario: Scenario) -> float:
    """What the minimum staff posts in every area cost."""
    areas = len(scenario.areas)
    return sum(min_posts(r) * r.fte_step * r.cost_per_fte * areas for r in scenario.staff)


def fill_cheapest_first(scenario: Scenario, money: Mapping[AreaItem, float]) -> dict[Arc, float]:
    """Spend each pair's money on its partners, cheapest first (unit net cost plus staff cost per
    beneficiary), within capacities and the intervention's maximum coverage."""
    data = prepare(scenario)
    costs = _full_costs(data, _staffing(scenario))
    arcs_of = arcs_cheapest_first(data, costs)
    rows: dict[Arc, float] = {}
    for pair, budget in sorted(money.items()):
        left_money = budget
        left_need = data.max_served.get(pair, 0.0)
        for arc in arcs_of.get(pair, []):
            cost = costs[arc]
            affordable = left_money / cost if cost > 0 else math.inf
            served = min(data.arcs[arc].capacity, left_need, affordable)
            if served <= 0:
                break
            rows[arc] = served
            left_need -= served
            left_money -= served * cost
    return rows


def make_feasible(scenario: Scenario, wish: Mapping[Arc, float]) -> tuple[Plan, list[Cut]] | None:
    """The largest part of ``wish`` (beneficiaries per arc) that every limit allows, as a plan.

    Returns the plan and what was clipped, or None when not even the minimum staff posts can be
    paid (then the scenario itself is infeasible).
    """
    if check_feasibility(scenario):
        return None
    data = prepare(scenario)
    notes: list[Cut] = []
    rows = {arc: min(b, data.arcs[arc].capacity) for arc, b in wish.items() if arc in data.arcs}
    _clip_coverage(data, rows, notes)
    staffing = _staffing(scenario)
    posts = _place_staff(scenario, data, staffing, rows, notes)
    funded = _fund(scenario, data, rows, posts)
    if funded is None:
        minimum = _minimum_posts(scenario)
        posts = {key: minimum[key[0]] for key in posts}
        notes.append(Cut("staff_minimum"))
        _fit_to_staff(scenario, data, staffing, rows, posts)
        funded = _fund(scenario, data, rows, posts)
        if funded is None:
            return None
    share, payments = funded
    notes += [
        Cut("money", area_id=a, intervention_id=k, wanted=1.0, allowed=s)
        for (k, a), s in sorted(share.items())
        if s < 1 - 1e-4
    ]
    _apply_shares(rows, share)
    needed = _posts_needed(scenario, data, staffing, rows)
    if needed != posts:  # service was cut: give back the posts it no longer needs
        refunded = _fund(scenario, data, rows, needed)
        if refunded is not None:
            posts, (share, payments) = needed, refunded
            _apply_shares(rows, share)
    return _evaluate(scenario, rows, posts, payments), notes


def _apply_shares(rows: dict[Arc, float], share: Mapping[tuple[str, str], float]) -> None:
    for arc in rows:
        rows[arc] *= share.get((arc[2], arc[1]), 1.0)


def _clip_coverage(data: ModelData, rows: dict[Arc, float], notes: list[Cut]) -> None:
    served: dict[AreaItem, float] = defaultdict(float)
    for (_, a, k), b in rows.items():
        served[(a, k)] += b
    for (a, k), total in sorted(served.items()):
        limit = data.max_served.get((a, k), 0.0)
        if total > limit + 1e-9:
            notes.append(Cut("coverage", a, k, wanted=total, allowed=limit))
            for arc in rows:
                if arc[1:] == (a, k):
                    rows[arc] *= limit / total


def _workload(
    data: ModelData, staffing: _Staffing, rows: Mapping[Arc, float]
) -> dict[tuple[str, str], float]:
    """(role, area) → FTE the served beneficiaries need."""
    load: dict[tuple[str, str], float] = defaultdict(float)
    for (_, a, k), b in rows.items():
        if k in staffing.role:
            role, per_fte = staffing.role[k]
            load[(role, a)] += b / per_fte
    return load


def _posts_needed(
    scenario: Scenario, data: ModelData, staffing: _Staffing, rows: Mapping[Arc, float]
) -> dict[tuple[str, str], int]:
    """(role, area) → whole steps covering the workload, at least the minimum."""
    load = _workload(data, staffing, rows)
    minimum = _minimum_posts(scenario)
    return {
        (r.role_id, a): max(
            minimum[r.role_id], math.ceil(load.get((r.role_id, a), 0.0) / r.fte_step - 1e-9)
        )
        for r in scenario.staff
        for a in data.areas
    }


def _place_staff(
    scenario: Scenario,
    data: ModelData,
    staffing: _Staffing,
    rows: dict[Arc, float],
    notes: list[Cut],
) -> dict[tuple[str, str], int]:
    """Posts covering the workload; where a role runs out, the fullest areas give posts back."""
    posts = _posts_needed(scenario, data, staffing, rows)
    minimum = _minimum_posts(scenario)
    for role in scenario.staff:
        r = role.role_id
        available = math.floor(role.available_fte / role.fte_step + 1e-9)
        placed = sum(posts[(r, a)] for a in data.areas)
        if placed <= available:
            continue
        notes.append(
            Cut("staff", role_id=r, wanted=placed * role.fte_step, allowed=role.available_fte)
        )
        while placed > available:
            a = max(
                (a for a in data.areas if posts[(r, a)] > minimum[r]),
                key=lambda a: (posts[(r, a)], a),
            )
            posts[(r, a)] -= 1
            placed -= 1
    _fit_to_staff(scenario, data, staffing, rows, posts)
    return posts


def _fit_to_staff(
    scenario: Scenario,
    data: ModelData,
    staffing: _Staffing,
    rows: dict[Arc, float],
    posts: Mapping[tuple[str, str], int],
) -> None:
    """Scale service down where its workload exceeds the posts placed."""
    step = {r.role_id: r.fte_step for r in scenario.staff}
    load = _workload(data, staffing, rows)
    for (role, a), fte_needed in load.items():
        fte = posts[(role, a)] * step[role]
        if fte_needed > fte:
            factor = fte / fte_needed * (1 - _SAFETY)
            for arc in rows:
                if arc[1] == a and arc[2] in staffing.role and staffing.role[arc[2]][0] == role:
                    rows[arc] *= factor


def _fund(
    scenario: Scenario,
    data: ModelData,
    rows: Mapping[Arc, float],
    posts: Mapping[tuple[str, str], int],
) -> tuple[dict[tuple[str, str], float], pd.DataFrame] | None:
    """Which funder pays what: the share of each (intervention, area) cost that can be paid, cut
    evenly first and then as little as possible; the staff posts are paid in full.

    Returns (item, area) → share paid, and the payments; None if the posts cannot be paid.
    """
    cost: dict[tuple[str, str], float] = defaultdict(float)
    for arc, b in rows.items():
        cost[(arc[2], arc[1])] += b * data.arcs[arc].net_cost
    staff_cost = {
        (staff_item(r.role_id), a): posts[(r.role_id, a)] * r.fte_step * r.cost_per_fte
        for r in scenario.staff
        for a in data.areas
    }
    problem = pulp.LpProblem("rule_funding", pulp.LpMaximize)
    pay = {
        (j, item, a): problem.add_variable(f"pay_{n}", lowBound=0)
        for n, (j, item, a) in enumerate(data.payments)
        if cost.get((item, a), 0.0) > 0 or staff_cost.get((item, a), 0.0) > 0
    }
    share = {
        key: problem.add_variable(f"share_{n}", lowBound=0, upBound=1)
        for n, key in enumerate(sorted(k for k, c in cost.items() if c > 0))
    }
    even = problem.add_variable("even", lowBound=0, upBound=1)
    payers: dict[tuple[str, str], list[pulp.LpVariable]] = defaultdict(list)
    for (_, item, a), var in pay.items():
        payers[(item, a)].append(var)
    for key, var in share.items():
        problem += pulp.lpSum(payers.get(key, [])) == cost[key] * var
        if payers.get(key):
            problem += var >= even
    for key, c in staff_cost.items():
        if c > 0 and not payers.get(key):
            return None
        if c > 0:
            problem += pulp.lpSum(payers[key]) == c
    for limit in funder_amount_limits(scenario, pay) + earmark_limits(scenario, pay):
        problem += limit.spent <= limit.limit * (1 - _SAFETY)
    problem.setObjective(pulp.LpAffineExpression([(even, 1.0)]))
    if solve_lp(problem).status is not SolveStatus.OPTIMAL:
        return None
    problem += even >= (even.varValue or 0.0) * (1 - 1e-7)
    total = sum(cost[key] for key in share) or 1.0
    problem.setObjective(pulp.LpAffineExpression([(v, cost[k] / total) for k, v in share.items()]))
    if solve_lp(problem).status is not SolveStatus.OPTIMAL:
        return None

    shares = {key: min(max(var.varValue or 0.0, 0.0), 1.0) for key, var in share.items()}
    target = {**{key: cost[key] * s for key, s in shares.items()}, **staff_cost}
    paid_total: dict[tuple[str, str], float] = defaultdict(float)
    for (_, item, a), var in pay.items():
        paid_total[(item, a)] += max(var.varValue or 0.0, 0.0)
    records = [
        (j, item, a, max(var.varValue or 0.0, 0.0) * target[(item, a)] / paid_total[(item, a)])
        for (j, item, a), var in pay.items()
        if (var.varValue or 0.0) > 0
        and paid_total[(item, a)] > 0
        and target.get((item, a), 0.0) > 0
    ]
    return shares, pd.DataFrame(records, columns=FUNDING_COLUMNS)


def _evaluate(
    scenario: Scenario,
    rows: Mapping[Arc, float],
    posts: Mapping[tuple[str, str], int],
    payments: pd.DataFrame,
) -> Plan:
    step = {r.role_id: r.fte_step for r in scenario.staff}
    allocation = allocation_frame(scenario, [(*arc, b) for arc, b in rows.items() if b > 1e-9])
    staff = staff_frame(scenario, [(r, a, n * step[r]) for (r, a), n in posts.items() if n > 0])
    return evaluate(scenario, allocation, staff, payments, status="feasible")
