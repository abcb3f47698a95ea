"""Curves for meetings: one setting swept over values, and the efficiency–equity frontier.

:func:`sweep` solves the scenario at each value of one numeric setting (budget variants reuse one
model) and adds the marginal value of the next 100,000 € at each point; :func:`frontier` varies
``policy.equity_weight`` from 0 to 1. Both return frames; the ``plot_*`` functions draw PNGs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult
from allocator.postprocess.kpis import STUDY_KPIS
from allocator.studies.executor import Executor, run_all
from allocator.studies.variants import WarmSolver, with_setting

PER_EUROS = 100_000.0
"""The marginal values are per this many euros of budget."""


def parse_values(spec: str) -> list[float]:
    """``start:stop:count`` (evenly spaced, both ends included) or a comma list ``0.8,1,1.2``."""
    try:
        if ":" in spec:
            start, stop, count = spec.split(":")
            n = int(count)
            if n < 1:
                raise ValueError("count below 1")
            return [float(v) for v in np.linspace(float(start), float(stop), n)]
        return [float(v) for v in spec.split(",") if v.strip()]
    except ValueError:
        raise UsageError(
            f"--values '{spec}': give start:stop:count (e.g. 0.5:1.5:11) or a comma list "
            "(e.g. 0.8,1,1.2)"
        ) from None


def curve_row(result: RunResult) -> dict[str, Any]:
    """The status and the curve KPIs of one run (NaN where there is no plan)."""
    row: dict[str, Any] = {"status": result.status.value}
    kpis = result.plan.kpis if result.plan is not None else {}
    row.update({k: float(kpis[k]) if k in kpis else float("nan") for k in STUDY_KPIS})
    return row


@dataclass(frozen=True)
class SettingSetup:
    """One setting varied over values, on an executor's workers: each worker keeps one warm
    solver (budget variants then share a built model)."""

    scenario: Scenario
    param: str
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def prepare(self) -> Callable[[float], dict[str, Any]]:
        solver = WarmSolver()
        return lambda value: point(self.scenario, self.param, value, solver)


def point(scenario: Scenario, param: str, value: float, solver: WarmSolver) -> dict[str, Any]:
    """The curve row of the scenario with ``param`` set to ``value``."""
    return {param: value, **curve_row(solver.run(with_setting(scenario, param, value)))}


def curve_rows(
    scenario: Scenario,
    param: str,
    values: Sequence[float],
    solver: WarmSolver | None = None,
    executor: Executor | None = None,
) -> list[dict[str, Any]]:
    """One curve row per value, in order: here on ``solver``, or on the executor's workers."""
    if executor is not None:
        return run_all(SettingSetup(scenario, param), list(values), executor)
    solver = solver or WarmSolver()
    return [point(scenario, param, value, solver) for value in values]


def sweep(
    scenario: Scenario,
    param: str,
    values: Sequence[float],
    solver: WarmSolver | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """One row per value of ``param``: status, KPIs, and the marginal value of the next 100k €."""
    rows = curve_rows(scenario, param, values, solver, executor)
    return add_marginal_values(pd.DataFrame(rows))


def add_marginal_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Objective and beneficiaries gained per 100,000 € more of budget_total, from each point to
    the next larger budget (forward difference quotient; NaN at the largest budget)."""
    frame = frame.copy()
    order = frame["budget_total"].sort_values(kind="stable").index
    ordered = frame.loc[order]
    step = ordered["budget_total"].shift(-1) - ordered["budget_total"]
    step = step.where(step > 0)
    for kpi, column in (
        ("objective", "marginal_objective_per_100k"),
        ("beneficiaries_served", "marginal_beneficiaries_per_100k"),
    ):
        gain = ordered[kpi].shift(-1) - ordered[kpi]
        frame.loc[order, column] = (gain / step * PER_EUROS).to_numpy()
    return frame


def dominated(
    frame: pd.DataFrame, tolerance: float = 1e-9, y: str = "worst_areas_coverage"
) -> list[bool]:
    """Points another point beats on one coverage and matches on the other (weighted coverage
    and the equity KPI ``y``)."""
    points = list(zip(frame["weighted_coverage"], frame[y], strict=True))
    return [
        any(
            x2 >= x1 - tolerance
            and y2 >= y1 - tolerance
            and (x2 > x1 + tolerance or y2 > y1 + tolerance)
            for x2, y2 in points
        )
        for x1, y1 in points
    ]


def next_money(
    scenario: Scenario, euros: float = PER_EUROS, solver: WarmSolver | None = None
) -> dict[str, float]:
    """What ``euros`` more than today's budget buy, by a re-solve at today's budget + ``euros``
    (every funder's amount grown pro rata): budget_total, and the gain in beneficiaries served,
    weighted coverage and objective. NaN gains when either run has no plan."""
    solver = solver or WarmSolver()
    today = solver.run(scenario)
    total = float(today.plan.kpis["budget_total"]) if today.plan is not None else 0.0
    out = {"budget_total": total, "euros": euros}
    keys = ("beneficiaries_served", "weighted_coverage", "objective")
    if today.plan is None or total <= 0:
        return {**out, **{f"{k}_gain": float("nan") for k in keys}}
    grow = (total + euros) / total
    settings = scenario.settings.model_copy(
        update={"budget": scenario.settings.budget.model_copy(update={"scale": 1.0}), "funders": {}}
    )
    funders = tuple(
        f.model_copy(update={"amount": scenario.funder_amount(f) * grow}) for f in scenario.funders
    )
    more = solver.run(scenario.model_copy(update={"settings": settings, "funders": funders}))
    for k in keys:
        gain = float(more.plan.kpis[k] - today.plan.kpis[k]) if more.plan is not None else np.nan
        out[f"{k}_gain"] = gain
    return out
