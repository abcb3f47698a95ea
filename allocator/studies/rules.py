"""Rules of thumb: how money is split today, turned into feasible plans on the same data.

Each rule gives every (area, intervention) pair a share of the budget: by minors (per capita), by
estimated need (need share), or by today's spending (``storico pro quota``: today's shares grown
or cut pro rata to the money available, as incremental budgeting does). What a pair cannot absorb
(partners' places, maximum coverage, staff, earmarks) is split again among the others by the same
rule, until the budget or every capacity is exhausted (:mod:`allocator.studies.resplit`); the plan
says why, when money is left. Today's allocation itself (``situazione attuale``) is kept as it is,
clipped to eligible partners and capacities. Every plan is made feasible and measured by
:func:`allocator.postprocess.results.evaluate`, exactly as the optimiser's plan is.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from allocator.inputs.schema import Scenario
from allocator.optimization.model import Arc, AreaItem, prepare
from allocator.postprocess.results import Plan
from allocator.studies.feasible import Cut, full_costs, make_feasible
from allocator.studies.resplit import spend

RULE_LABELS = {
    "per_capita": "quota pro capite (minori)",
    "need_share": "proporzionale al bisogno",
    "historic_pro_rata": "storico pro quota",
    "status_quo": "situazione attuale",
}
"""Rule id → the Italian label used in comparisons and minutes."""
SPENDING_RULES = ("per_capita", "need_share", "historic_pro_rata")
"""The rules that split the budget (the status quo is today's allocation as it is)."""


@dataclass(frozen=True)
class RulePlan:
    """A rule of thumb's plan, what had to be cut, and why money is left, if it is."""

    rule: str
    label: str
    plan: Plan
    clipped: tuple[Cut, ...] = ()
    """What was cut from the rule's wish to respect the limits."""
    unspent_reason: str = ""
    """Why the plan leaves money unspent: ``capacity`` (the pairs the rule funds are full) or
    ``limits`` (staff, earmarks or funders' eligibility stop the rest); empty when spent."""


# --- the rules: a weight per (area, intervention), or today's rows ------------------------------


def pair_weights(scenario: Scenario, area_weight: Mapping[str, float]) -> dict[AreaItem, float]:
    """Each pair's share of the money: its area's share by ``area_weight`` and, within the area,
    the share of what serving all of each intervention's need would cost."""
    data = prepare(scenario)
    staff_per_head = {
        i.intervention_id: (
            next(r.cost_per_fte for r in scenario.staff if r.role_id == i.staff_role)
            / i.beneficiaries_per_fte
            if i.staff_role is not None and i.beneficiaries_per_fte
            else 0.0
        )
        for i in scenario.interventions
    }
    unit_cost = {i.intervention_id: i.unit_cost for i in scenario.interventions}
    total_weight = sum(area_weight.get(a, 0.0) for a in data.areas)
    weights: dict[AreaItem, float] = {}
    if total_weight <= 0:
        return weights
    for a in data.areas:
        full_cost = {
            k: need * (unit_cost[k] + staff_per_head[k])
            for (area, k), need in data.need.items()
            if area == a and need > 0
        }
        total = sum(full_cost.values())
        for k, cost in full_cost.items():
            if total > 0:
                weights[(a, k)] = area_weight.get(a, 0.0) / total_weight * cost / total
    return weights


def historic_weights(scenario: Scenario) -> dict[AreaItem, float]:
    """Today's share of the money of each pair: baseline beneficiaries at today's costs."""
    cost = full_costs(scenario)
    unit_cost = {i.intervention_id: i.unit_cost for i in scenario.interventions}
    money: dict[AreaItem, float] = defaultdict(float)
    for row in scenario.baseline:
        arc = (row.partner_id, row.area_id, row.intervention_id)
        money[(row.area_id, row.intervention_id)] += row.beneficiaries * cost.get(
            arc, unit_cost.get(row.intervention_id, 0.0)
        )
    total = sum(money.values())
    return {pair: m / total for pair, m in money.items() if m > 0} if total > 0 else {}


def _spending_plan(
    scenario: Scenario, rule: str, weights: Mapping[AreaItem, float]
) -> RulePlan | None:
    spent = spend(scenario, weights)
    if spent is None:
        return None
    return RulePlan(rule, RULE_LABELS[rule], spent.plan, spent.clipped, spent.unspent_reason)


def per_capita_plan(scenario: Scenario) -> RulePlan | None:
    """Each area gets a share of the budget proportional to its minors."""
    weight = {a.area_id: a.minors for a in scenario.areas}
    return _spending_plan(scenario, "per_capita", pair_weights(scenario, weight))


def need_share_plan(scenario: Scenario) -> RulePlan | None:
    """Each area gets a share of the budget proportional to its estimated need."""
    weight: dict[str, float] = defaultdict(float)
    for n in scenario.needs:
        weight[n.area_id] += n.need
    return _spending_plan(scenario, "need_share", pair_weights(scenario, weight))


def historic_pro_rata_plan(scenario: Scenario) -> RulePlan | None:
    """Today's shares of the money (baseline), grown or cut pro rata to the budget available."""
    weights = historic_weights(scenario)
    if not weights:
        return None
    return _spending_plan(scenario, "historic_pro_rata", weights)


def status_quo_plan(scenario: Scenario) -> RulePlan | None:
    """Today's allocation (``baseline``), clipped to eligible partners and capacities."""
    if not scenario.baseline:
        return None
    data = prepare(scenario)
    eligibility = scenario.eligibility()
    rows: dict[Arc, float] = defaultdict(float)
    notes: list[Cut] = []
    for row in scenario.baseline:
        arc = (row.partner_id, row.area_id, row.intervention_id)
        kind = "partner_excluded" if eligibility.get(row.partner_id) is not None else "no_capacity"
        if kind == "partner_excluded" or arc not in data.arcs:
            cut = Cut(kind, row.area_id, row.intervention_id, row.partner_id)
            notes.append(dataclasses.replace(cut, wanted=row.beneficiaries))
        else:
            rows[arc] += row.beneficiaries
    for arc, served in sorted(rows.items()):
        capacity = data.arcs[arc].capacity
        if served > capacity:
            notes.append(Cut("capacity", arc[1], arc[2], arc[0], wanted=served, allowed=capacity))
            rows[arc] = capacity
    return _rule_plan(scenario, "status_quo", dict(rows), notes)


RULES: dict[str, Callable[[Scenario], RulePlan | None]] = {
    "per_capita": per_capita_plan,
    "need_share": need_share_plan,
    "historic_pro_rata": historic_pro_rata_plan,
    "status_quo": status_quo_plan,
}


def rule_plans(scenario: Scenario) -> list[RulePlan]:
    """Every rule of thumb that yields a plan (the historic ones need a baseline)."""
    plans = (make(scenario) for make in RULES.values())
    return [p for p in plans if p is not None]


def best_rule(rules: list[RulePlan]) -> RulePlan | None:
    """The rule of thumb with the highest objective (ties: more beneficiaries)."""
    return max(
        rules,
        key=lambda r: (r.plan.kpis["objective"], r.plan.kpis["beneficiaries_served"]),
        default=None,
    )


def _rule_plan(
    scenario: Scenario, rule: str, rows: dict[Arc, float], notes: list[Cut]
) -> RulePlan | None:
    made = make_feasible(scenario, rows)
    if made is None:
        return None
    plan, clipped = made
    return RulePlan(rule, RULE_LABELS[rule], plan, tuple(notes + clipped))
