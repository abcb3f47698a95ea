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
from allocator.postprocess.results import Plan
from allocator.studies.executor import Executor, run_all
from allocator.studies.variants import WarmSolver, with_setting

PER_EUROS = 100_000.0
"""The marginal values are per this many euros of budget."""
CURVE_KPIS = (
    "objective",
    "weighted_coverage",
    "min_area_coverage",
    "beneficiaries_served",
    "coverage",
    "unmet_need",
    "funded",
    "budget_total",
    "budget_used_share",
    "shortfall_total",
)


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
    row.update({k: float(kpis[k]) if k in kpis else float("nan") for k in CURVE_KPIS})
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


def frontier(
    scenario: Scenario,
    points: int,
    solver: WarmSolver | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """The efficiency–equity frontier: ``points`` equity weights from 0 to 1."""
    if points < 2:
        raise UsageError("--points: give at least 2 points")
    weights = [float(w) for w in np.linspace(0.0, 1.0, points)]
    rows = curve_rows(scenario, "policy.equity_weight", weights, solver, executor)
    frame = pd.DataFrame(rows).rename(columns={"policy.equity_weight": "equity_weight"})
    frame["dominated"] = dominated(frame)
    return frame


def dominated(frame: pd.DataFrame, tolerance: float = 1e-9) -> list[bool]:
    """Points another point beats on one coverage and matches on the other.

    With equity_weight = 1 only the lowest area counts, and ties go to the cheaper plan: such a
    point can serve far fewer people for the same minimum, and is not on the frontier.
    """
    points = list(zip(frame["weighted_coverage"], frame["min_area_coverage"], strict=True))
    return [
        any(
            x2 >= x1 - tolerance
            and y2 >= y1 - tolerance
            and (x2 > x1 + tolerance or y2 > y1 + tolerance)
            for x2, y2 in points
        )
        for x1, y1 in points
    ]


def placed(plans: dict[str, Plan]) -> pd.DataFrame:
    """Named plans as points of the frontier's plane."""
    return pd.DataFrame(
        [
            {
                "scenario": label,
                "weighted_coverage": plan.kpis["weighted_coverage"],
                "min_area_coverage": plan.kpis["min_area_coverage"],
                "objective": plan.kpis["objective"],
            }
            for label, plan in plans.items()
        ],
        columns=["scenario", "weighted_coverage", "min_area_coverage", "objective"],
    )
