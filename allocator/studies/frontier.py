"""The efficiency–equity frontier traced by constraint, and the plan that dominates a rule.

:func:`frontier` maximises weighted coverage with the equity KPI (``worst_areas_coverage``, or
``min_area_coverage`` under ``policy.equity_measure = "min"``) at least ε, over a grid of ε from
the efficient plan's value to the most equitable plan's, so the points spread over the whole
trade-off (weights would bunch them: a whole range of weights gives one plan). :func:`dominating`
finds, for a plan such as a rule of thumb's, the plan that serves most with the same money from
each funder at equal or better equity: the honest comparison.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import EquityMeasure, Scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.postprocess.results import Plan
from allocator.studies.executor import Executor, LocalExecutor, default_jobs, run_all
from allocator.studies.rules import RULES
from allocator.studies.sweep import curve_row, curve_rows, dominated
from allocator.studies.variants import WarmSolver, with_setting

FLOOR_SLACK = 1e-7
"""The equity floor is set this much below the target, against the solver's round-off."""


def equity_key(scenario: Scenario) -> str:
    """The KPI the scenario's equity measure optimises."""
    measure = scenario.settings.policy.equity_measure
    return "min_area_coverage" if measure is EquityMeasure.MIN else "worst_areas_coverage"


def efficient(scenario: Scenario) -> Scenario:
    """The scenario with no weight on equity (pure weighted coverage)."""
    return with_setting(scenario, "policy.equity_weight", 0.0)


def floored(scenario: Scenario, floor: float) -> Scenario:
    """The efficient scenario whose equity KPI must be at least ``floor`` (less round-off)."""
    value = min(max(floor - FLOOR_SLACK, 0.0), 1.0)
    return with_setting(efficient(scenario), "policy.equity_floor", value)


def with_equity_floor(scenario: Scenario, floor: float) -> RunResult:
    """The plan of most weighted coverage whose equity KPI is at least ``floor``."""
    return run_scenario(floored(scenario, floor))


def frontier(
    scenario: Scenario,
    points: int,
    solver: WarmSolver | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """``points`` plans from the efficient one to the most equitable, by equity floor (on the
    executor's workers when given).

    Columns: equity_floor, status, the curve KPIs, dominated (another point has more of one
    coverage and no less of the other).
    """
    if points < 2:
        raise UsageError("--points: give at least 2 points")
    key = equity_key(scenario)
    first = run_scenario(efficient(scenario))
    fairest = run_scenario(with_setting(scenario, "policy.equity_weight", 1.0))
    if first.plan is None or fairest.plan is None:
        frame = pd.DataFrame([{"equity_floor": float("nan"), **curve_row(first)}])
        frame["dominated"] = False
        return frame
    low = float(first.plan.kpis[key])
    high = max(float(fairest.plan.kpis[key]), low)
    floors = [float(f) for f in np.linspace(low, high, points)[1:]]
    values = [min(max(f - FLOOR_SLACK, 0.0), 1.0) for f in floors]
    rows = curve_rows(efficient(scenario), "policy.equity_floor", values, solver, executor)
    for row, floor in zip(rows, floors, strict=True):
        row.pop("policy.equity_floor", None)
        row["equity_floor"] = floor
    frame = pd.DataFrame([{"equity_floor": low, **curve_row(first)}, *rows])
    frame["dominated"] = dominated(frame, y=key)
    return frame


def with_money(scenario: Scenario, spent: Mapping[str, float]) -> Scenario:
    """The scenario whose funders have exactly ``spent`` (funder_id → €), no scale, no override."""
    settings = scenario.settings.model_copy(
        update={"budget": scenario.settings.budget.model_copy(update={"scale": 1.0}), "funders": {}}
    )
    funders = tuple(
        f.model_copy(update={"amount": max(spent.get(f.funder_id, 0.0), 0.0) * (1 + 1e-9)})
        for f in scenario.funders
    )
    return scenario.model_copy(update={"settings": settings, "funders": funders})


@dataclass(frozen=True)
class Domination:
    """A plan (e.g. a rule of thumb's) and the optimised plan with the same money that beats it."""

    label: str
    plan: Plan
    better: Plan | None
    """None when the solver found no plan (not expected: the plan itself is feasible)."""
    equity_key: str
    unspent_reason: str = ""
    """Why the plan leaves money unspent (a rule's ``unspent_reason``), if it does."""
    budget_total: float = 0.0
    """The money available to the plan (the scenario's budget)."""

    @property
    def extra_beneficiaries(self) -> float:
        if self.better is None:
            return 0.0
        return float(
            self.better.kpis["beneficiaries_served"] - self.plan.kpis["beneficiaries_served"]
        )


def dominating(scenario: Scenario, plan: Plan, label: str = "", reason: str = "") -> Domination:
    """The plan of most weighted coverage with the money ``plan`` spends from each funder and an
    equity KPI at least ``plan``'s: more served at equal or better equity, same money."""
    key = equity_key(scenario)
    spent = dict(zip(plan.funders["funder_id"], plan.funders["spent"], strict=True))
    result = with_equity_floor(with_money(scenario, spent), float(plan.kpis[key]))
    total = float(plan.kpis["budget_total"])
    return Domination(label, plan, result.plan, key, reason, total)


def dominate_rule(scenario: Scenario, rule: str) -> Domination | None:
    """The plan of rule of thumb ``rule`` (a key of :data:`~.rules.RULES`) and the optimised
    plan that dominates it with the same money; None when the rule yields no plan."""
    plan = RULES[rule](scenario)
    if plan is None:
        return None
    return dominating(scenario, plan.plan, plan.label, plan.unspent_reason)


@dataclass(frozen=True)
class RuleSetup:
    """Rules of thumb handled on an executor's workers: each item is a rule's name."""

    scenario: Scenario
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def prepare(self) -> Callable[[str], Domination | None]:
        return lambda rule: dominate_rule(self.scenario, rule)


PARALLEL_FROM = 500
"""Capacity rows from which :func:`rule_dominations` spreads the rules over the cores by itself
(each rule is a MILP of a few seconds there; on a small scenario starting processes costs more)."""


def rule_dominations(scenario: Scenario, executor: Executor | None = None) -> list[Domination]:
    """Each rule of thumb and the optimised plan that dominates it with the same money, in the
    order of :data:`~.rules.RULES`: on ``executor`` when given, else on up to two local
    worker processes for a scenario of :data:`PARALLEL_FROM` capacity rows or more."""
    rules = list(RULES)
    if executor is not None:
        found = run_all(RuleSetup(scenario), rules, executor)
    elif len(scenario.capacities) >= PARALLEL_FROM and default_jobs() > 1:
        with LocalExecutor(min(default_jobs(), len(rules))) as local:
            found = run_all(RuleSetup(scenario), rules, local)
    else:
        found = run_all(RuleSetup(scenario), rules)
    return [d for d in found if d is not None]


def rules_placed(
    scenario: Scenario, executor: Executor | None = None
) -> tuple[pd.DataFrame, list[Domination]]:
    """The rules of thumb as points of the frontier's plane, each with its dominating plan
    (solved as :func:`rule_dominations` solves them)."""
    key = equity_key(scenario)
    found = rule_dominations(scenario, executor)
    columns = ["weighted_coverage", key, "beneficiaries_served", "funded"]
    rows = []
    for d in found:
        row = {"scenario": d.label, **{c: d.plan.kpis[c] for c in columns}}
        better = d.better.kpis if d.better is not None else {}
        row.update({f"better_{c}": better.get(c, float("nan")) for c in columns})
        row["unspent_reason"] = d.unspent_reason
        rows.append(row)
    cols = ["scenario", *columns, *(f"better_{c}" for c in columns), "unspent_reason"]
    return pd.DataFrame(rows, columns=cols), found


def placed(plans: Mapping[str, Plan], key: str = "worst_areas_coverage") -> pd.DataFrame:
    """Named plans as points of the frontier's plane, with their money spent."""
    columns = ["scenario", "weighted_coverage", key, "beneficiaries_served", "funded"]
    return pd.DataFrame(
        [
            {"scenario": label, **{c: plan.kpis[c] for c in columns[1:]}}
            for label, plan in plans.items()
        ],
        columns=columns,
    )
