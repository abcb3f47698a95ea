"""Rules of thumb that spend the money: a split by the rule, then what cannot be absorbed re-split.

A rule gives each (area, intervention) pair a weight (its share of the money). :func:`water_fill`
splits the money by weight, capped at what each pair can absorb (its partners' places up to the
intervention's maximum coverage, at their cost); what a capped pair cannot take goes to the
others by the same weights, until the money or every cap is exhausted. :func:`spend` then turns
the split into a feasible plan and, where staff, funders' earmarks or amounts cut a pair below its
money, lowers that pair's cap and re-splits what is left, until the plan spends the budget or no
pair can take more. What stops a rule from spending everything is said in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from allocator.inputs.schema import Scenario
from allocator.optimization.model import AreaItem, prepare
from allocator.postprocess.results import Plan
from allocator.studies.feasible import (
    Cut,
    arcs_cheapest_first,
    fill_cheapest_first,
    full_costs,
    make_feasible,
    staff_floor_cost,
)

ROUNDS = 30
"""At most this many re-splits after the first split."""
SPENT_ENOUGH = 0.999
SHRINK = (0.99, 0.98, 0.95, 0.9, 0.8)
"""Shares of the money tried when a split is cut (whole staff posts) below what it could spend."""
"""A plan spending this share of the money has spent it."""


@dataclass(frozen=True)
class Spending:
    """A rule's feasible plan, what was cut on the way, and why money is left, if it is."""

    plan: Plan
    clipped: tuple[Cut, ...]
    unspent_reason: str = ""
    """``capacity`` (every pair the rule funds is full), ``limits`` (staff, earmarks or funders'
    eligibility stop the rest), or empty when the money is spent."""


def absorb_caps(scenario: Scenario) -> dict[AreaItem, float]:
    """Money each pair can absorb: its partners' places, cheapest first, up to max coverage."""
    data = prepare(scenario)
    cost = full_costs(scenario, data)
    arcs_of = arcs_cheapest_first(data, cost)
    caps: dict[AreaItem, float] = {}
    for pair, need in data.need.items():
        left = data.max_served.get(pair, 0.0)
        money = 0.0
        for arc in arcs_of.get(pair, []):
            served = min(data.arcs[arc].capacity, left)
            if served <= 0:
                break
            money += served * cost[arc]
            left -= served
        caps[pair] = money if need > 0 else 0.0
    return caps


def water_fill(
    budget: float, weights: Mapping[AreaItem, float], caps: Mapping[AreaItem, float]
) -> dict[AreaItem, float]:
    """``budget`` split by ``weights``, no pair above its cap; a capped pair's excess re-split
    among the others by their weights, until the budget or every cap is exhausted."""
    money = {pair: 0.0 for pair, w in weights.items() if w > 0}
    left = budget
    open_ = {pair for pair in money if caps.get(pair, 0.0) > 0}
    while left > 1e-6 and open_:
        total = sum(weights[p] for p in open_)
        capped = set()
        given = 0.0
        for pair in sorted(open_):
            share = left * weights[pair] / total
            room = caps[pair] - money[pair]
            if share >= room:
                share = room
                capped.add(pair)
            money[pair] += share
            given += share
        left -= given
        open_ -= capped
        if not capped:
            break
    return money


def pair_spending(scenario: Scenario, plan: Plan) -> dict[AreaItem, float]:
    """Money a plan spends on each pair, at the rule's costs (net cost plus staff per head)."""
    cost = full_costs(scenario)
    spent: dict[AreaItem, float] = defaultdict(float)
    for row in plan.allocation.itertuples(index=False):
        arc = (str(row.partner_id), str(row.area_id), str(row.intervention_id))
        spent[(arc[1], arc[2])] += float(row.beneficiaries) * cost.get(arc, 0.0)
    return dict(spent)


def _with_less_money(
    scenario: Scenario,
    weights: Mapping[AreaItem, float],
    absorb: Mapping[AreaItem, float],
    best: tuple[Plan, list[Cut]] | None,
    total: float,
) -> tuple[Plan, list[Cut]] | None:
    """Whole staff posts can make a split one post too dear: the best of ``best`` and the
    splits of a little less money."""
    start = max(total - staff_floor_cost(scenario), 0.0)
    for factor in SHRINK:
        made = make_feasible(
            scenario, fill_cheapest_first(scenario, water_fill(factor * start, weights, absorb))
        )
        if made is not None and (
            best is None or float(made[0].kpis["funded"]) > float(best[0].kpis["funded"]) + 1e-6
        ):
            best = made
    return best


def spend(scenario: Scenario, weights: Mapping[AreaItem, float]) -> Spending | None:
    """The rule's plan: split, fill, make feasible; re-split what was cut, until spent.

    None when not even the minimum staff posts can be paid (the scenario is infeasible).
    """
    total = sum(prepare(scenario).funder_amount.values())
    absorb = absorb_caps(scenario)
    caps = dict(absorb)
    budget = max(total - staff_floor_cost(scenario), 0.0)
    best: tuple[Plan, list[Cut]] | None = None
    money: dict[AreaItem, float] = {}
    for _ in range(ROUNDS + 1):
        money = water_fill(budget, weights, caps)
        made = make_feasible(scenario, fill_cheapest_first(scenario, money))
        if made is None:
            break
        plan, clipped = made
        funded = float(plan.kpis["funded"])
        if best is None or funded > float(best[0].kpis["funded"]) + 1e-6:
            best = (plan, clipped)
        if funded >= SPENT_ENOUGH * total:
            break
        achieved = pair_spending(scenario, plan)
        for pair, m in money.items():
            if achieved.get(pair, 0.0) < m - max(1.0, 1e-6 * m):
                caps[pair] = achieved.get(pair, 0.0)  # cut by staff or funders: this is its most
        if not any(caps.get(p, 0.0) > m + 1.0 for p, m in money.items()):
            break  # no pair the rule funds can take more
        budget += total - funded
    if best is None or float(best[0].kpis["funded"]) < SPENT_ENOUGH * total:
        best = _with_less_money(scenario, weights, absorb, best, total)
    if best is None:
        return None
    plan, clipped = best
    reason = ""
    if float(plan.kpis["funded"]) < SPENT_ENOUGH * total:
        full = all(money.get(p, 0.0) >= absorb.get(p, 0.0) - 1.0 for p, w in weights.items() if w)
        reason = "capacity" if full else "limits"
    return Spending(plan, tuple(clipped), reason)
