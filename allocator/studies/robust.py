"""``run`` with ``policy.robust_samples``: the robust plan, and how it compares with the plan for
the needs as given, both measured under the same samples."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.optimization.robust import WORST_SHARE, build_robust_model
from allocator.postprocess.results import Plan
from allocator.studies.uncertainty import NeedSampler, NeedVector, draw, measure
from allocator.studies.variants import with_needs

ROBUST = "robust"
NOMINAL = "nominal"
COMPARED = (
    "objective",
    "weighted_coverage",
    "worst_areas_coverage",
    "min_area_coverage",
    "beneficiaries_served",
)


@dataclass
class RobustRun:
    result: RunResult
    """The robust plan's run (what ``run`` writes)."""
    nominal: RunResult
    """The plan for the needs as given."""
    samples: pd.DataFrame
    """sample, plan, and the KPIs of each plan under each sample."""
    comparison: pd.DataFrame
    """One row per plan: its measures over the samples."""


def worst_share_mean(values: Sequence[float], share: float = WORST_SHARE) -> float:
    """The mean of the lowest ``share`` of the values (the boundary value counts in part)."""
    ordered = np.sort(np.asarray(values, dtype=float))
    weight = share * len(ordered)
    whole = math.floor(weight + 1e-12)
    total = float(ordered[:whole].sum())
    if whole < len(ordered) and weight > whole:
        total += (weight - whole) * float(ordered[whole])
    return total / weight if weight > 0 else float("nan")


def measured_under(plan: Plan, scenario: Scenario, vectors: Sequence[NeedVector]) -> list[dict]:
    """The plan's KPIs under each need vector (held fixed; places beyond a need stay empty)."""
    return [
        {k: float(measure(plan, with_needs(scenario, v)).kpis[k]) for k in COMPARED}
        for v in vectors
    ]


def robust_run(scenario: Scenario, sampler: NeedSampler) -> RobustRun:
    """Sample the needs (``policy.robust_samples``, ``robust_seed``), choose the robust plan
    (``robust_measure``) and compare it with the nominal plan under the same samples."""
    policy = scenario.settings.policy
    _, vectors = draw(sampler, policy.robust_samples, policy.robust_seed)
    nominal = run_scenario(scenario)
    model = build_robust_model(scenario, vectors, policy.robust_measure)
    result = run_scenario(scenario, model=model)
    rows = []
    plans = [(ROBUST, result.plan), (NOMINAL, nominal.plan)]
    for name, plan in plans:
        if plan is None:
            continue
        for s, kpis in enumerate(measured_under(plan, scenario, vectors)):
            rows.append({"sample": s, "plan": name, **kpis})
    samples = pd.DataFrame(rows, columns=["sample", "plan", *COMPARED])
    return RobustRun(result, nominal, samples, comparison_table(samples, plans))


def comparison_table(
    samples: pd.DataFrame, plans: Sequence[tuple[str, Plan | None]]
) -> pd.DataFrame:
    """Per plan: mean objective, mean of the worst 20% of samples, P10 and P50 objective, mean
    coverages, and the money it spends."""
    rows = []
    for name, plan in plans:
        part = samples[samples["plan"] == name]
        if plan is None or part.empty:
            continue
        objective = part["objective"].to_numpy()
        rows.append(
            {
                "plan": name,
                "expected_objective": float(objective.mean()),
                "worst_share_objective": worst_share_mean(objective),
                "objective_p10": float(np.percentile(objective, 10)),
                "objective_p50": float(np.percentile(objective, 50)),
                "weighted_coverage_mean": float(part["weighted_coverage"].mean()),
                "worst_areas_coverage_mean": float(part["worst_areas_coverage"].mean()),
                "min_area_coverage_mean": float(part["min_area_coverage"].mean()),
                "beneficiaries_mean": float(part["beneficiaries_served"].mean()),
                "objective_as_given": float(plan.kpis["objective"]),
                "funded": float(plan.kpis["funded"]),
            }
        )
    return pd.DataFrame(rows)
