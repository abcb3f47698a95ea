"""A plan that holds up across plausible needs: one shared plan, judged over sampled need vectors.

``policy.robust_samples = N`` makes ``run`` choose one plan (who serves what where, the staff,
who pays) that maximises, over N need vectors sampled within their ranges, either the mean
objective (``robust_measure = "expected"``) or the mean of the worst 20% of samples
(``"worst_share"``, a CVaR of the objective). See ``docs/formulation.md`` ("Robust plan").

The model is the scenario's own model (every limit of the needs as given still holds, so the plan
is a plan of the scenario as written) plus, for each sample s:

- ``y[s,a,k]``: the beneficiaries the plan reaches under sample s, at most what it pays for
  (``y ≤ served[a,k]``) and at most ``max_coverage × need_s[a,k]``: a place paid for but beyond
  the sample's need stays empty;
- the sample's objective, ``(1 − ew) · Σ w·y / value_s + ew · E_s`` with ``E_s`` the scenario's
  equity measure (``policy.equity_measure``: the worst-covered areas' share, or the least-covered
  area) of the coverage under sample s, built as the plan's own (``equity.equity_term``); soft
  floors, when set, are penalised per sample as in the plain model. The sample's objective is
  then the KPI ``objective`` the plan has under that sample.

The plan for the needs as given, with ``y`` at its best for each sample, is one of this model's
solutions: the robust plan's measure over the samples is never below the nominal plan's (up to
the MIP gap and the tie-break).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import pulp

from allocator.inputs.schema import Scenario
from allocator.optimization.equity import Coverage, equity_term
from allocator.optimization.model import AllocationModel, build_model

AreaItem = tuple[str, str]
WORST_SHARE = 0.2
"""``worst_share``: the share of samples whose mean objective is maximised."""


def sample_objective(
    model: AllocationModel, s: int, needs: Mapping[AreaItem, float]
) -> tuple[pulp.LpAffineExpression, pulp.LpAffineExpression]:
    """Add sample ``s``'s variables and limits; return (its objective in KPI units, its floor
    shortfall in beneficiaries)."""
    data = model.data
    policy = model.scenario.settings.policy
    coverage = {i.intervention_id: i.max_coverage for i in model.scenario.interventions}
    full = sum(seg.length * seg.weight for seg in data.segments)
    value = sum(data.weight[ak] * need * full for ak, need in needs.items()) or 1.0
    plain = len(data.segments) == 1 and data.segments[0].weight == 1.0
    counted: list[tuple[pulp.LpVariable, float]] = []
    reached: dict[str, list[pulp.LpVariable]] = defaultdict(list)
    shortfall: list[pulp.LpVariable] = []
    for n, (ak, served) in enumerate(sorted(model.served.items())):
        need = needs.get(ak, 0.0)
        y = model.problem.add_variable(
            f"robust_y_{s}_{n}", lowBound=0, upBound=coverage[ak[1]] * need
        )
        model.add("robust_reach", (s, ak), y <= served)
        reached[ak[0]].append(y)
        if plain:
            counted.append((y, data.weight.get(ak, 0.0) / value))
        else:
            parts = []
            for j, seg in enumerate(data.segments):
                part = model.problem.add_variable(
                    f"robust_seg_{s}_{n}_{j}", lowBound=0, upBound=seg.length * need
                )
                parts.append(part)
                counted.append((part, data.weight.get(ak, 0.0) * seg.weight / value))
            model.add("robust_returns", (s, ak), pulp.lpSum(parts) == y)
        floor = policy.min_coverage * need
        if floor > 0:
            short = model.problem.add_variable(f"robust_short_{s}_{n}", lowBound=0, upBound=floor)
            model.add("robust_floor", (s, ak), y + short >= floor)
            shortfall.append(short)
    objective = (1 - data.equity_weight) * pulp.LpAffineExpression(counted)
    if data.equity_weight > 0:
        area_need: dict[str, float] = defaultdict(float)
        for (a, _), need in needs.items():
            area_need[a] += need
        areas = [(a, area_need[a]) for a in data.areas if area_need[a] > 0]
        sample = Coverage(areas, lambda a: pulp.lpSum(reached[a]), "robust_equity", (s,))
        equity = equity_term(model, f"robust_{s}_", sample)
        objective += data.equity_weight * equity
    return objective, pulp.lpSum(shortfall)


def build_robust_model(
    scenario: Scenario, samples: Sequence[Mapping[AreaItem, float]], measure: str = "expected"
) -> AllocationModel:
    """The scenario's model with the robust objective over ``samples`` (pure: no solver)."""
    if not samples:
        raise ValueError("a robust plan needs at least one sample")
    if measure not in ("expected", "worst_share"):
        raise ValueError(f"robust_measure must be expected or worst_share, not {measure!r}")
    model = build_model(scenario)
    scale = model.objective_scale
    per_sample = [sample_objective(model, s, needs) for s, needs in enumerate(samples)]
    count = len(samples)
    if measure == "expected":
        goal = pulp.lpSum(objective for objective, _ in per_sample) * (1.0 / count)
    else:
        eta = model.problem.add_variable("robust_eta", lowBound=-1, upBound=1)
        excess = []
        for s, (objective, _) in enumerate(per_sample):
            u = model.problem.add_variable(f"robust_u_{s}", lowBound=0)
            model.add("robust_tail", s, u >= eta - objective)
            excess.append(u)
        goal = eta - pulp.lpSum(excess) * (1.0 / (WORST_SHARE * count))
    penalty = model.shortfall_per_beneficiary / count
    objective = scale * goal - penalty * pulp.lpSum(short for _, short in per_sample)
    if model.cost_per_euro > 0:
        objective -= model.cost_per_euro * pulp.lpSum(model.pay.values())
    model.problem.setObjective(objective)
    return model
