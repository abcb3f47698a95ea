"""How sure is each figure: the plan under needs resampled within their ranges.

Every need is an estimate. A :class:`NeedSampler` says which quantities behind the needs are
uncertain (its :class:`Dimension` s, each with a low and a high) and how a point of them becomes
a need vector. :func:`draw` samples them by Latin hypercube (seeded: the same seed, the same
samples). :func:`uncertainty` then looks at two things:

- plans held fixed (the optimal plan for the needs as given, and today's allocation), measured
  under each sample: how their coverage moves. A place paid for but beyond a sample's need (more
  than ``max_coverage`` × need) stays empty;
- the plan re-optimised for each sample: how often each area and partner gets money
  ("decisioni robuste").

The solves run on an :mod:`~allocator.studies.executor` (local processes or Dask); each worker
builds the model once and changes only the need figures (:func:`~.variants.set_needs`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.postprocess.results import Plan, evaluate
from allocator.studies.executor import Executor, run_all
from allocator.studies.rules import status_quo_plan
from allocator.studies.variants import WarmSolver, with_needs

AreaItem = tuple[str, str]
NeedVector = dict[AreaItem, float]

NOMINAL = "nominal"
"""The optimal plan for the needs as given, held fixed."""
BASELINE = "baseline"
"""Today's allocation (baseline.csv), held fixed."""
REOPTIMISED = "reoptimised"
"""The plan re-optimised for each sample."""
SAMPLE_KPIS = (
    "objective",
    "weighted_coverage",
    "min_area_coverage",
    "coverage",
    "beneficiaries_served",
    "need_total",
    "funded",
)
TARGET_SHARE = 0.9
"""Without an explicit target, an area's target is this share of its coverage in the nominal
plan under the needs as given ("more than 10% below what the plan promises")."""


@dataclass(frozen=True)
class Dimension:
    """One uncertain quantity behind the needs."""

    name: str
    nominal: float
    low: float
    high: float
    basis: str = ""
    """Why this range: a published interval, the spread between sources, a declared ±."""


class NeedSampler(Protocol):
    """Turns a point of its dimensions into a need vector."""

    @property
    def dimensions(self) -> tuple[Dimension, ...]: ...

    def needs(self, values: Sequence[float]) -> NeedVector: ...


@dataclass(frozen=True)
class SpreadSampler:
    """Each need within need × (1 ± spread of its intervention), every pair drawn on its own:
    for scenarios without demographics (``[uncertainty] need_spread``/``need_spreads``)."""

    base: tuple[tuple[str, str, float], ...]
    spreads: Mapping[str, float]

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        return tuple(
            Dimension(
                f"need_factor:{a}:{k}",
                1.0,
                1.0 - self.spreads[k],
                1.0 + self.spreads[k],
                f"declared ±{self.spreads[k]:g} (scenario.toml [uncertainty])",
            )
            for a, k, need in self.base
            if need > 0 and self.spreads.get(k, 0.0) > 0
        )

    def needs(self, values: Sequence[float]) -> NeedVector:
        factors = dict(zip((d.name for d in self.dimensions), values, strict=True))
        return {(a, k): need * factors.get(f"need_factor:{a}:{k}", 1.0) for a, k, need in self.base}


def spread_sampler(scenario: Scenario) -> SpreadSampler | None:
    """The scenario's declared relative spreads, or None when it declares none."""
    declared = scenario.settings.uncertainty
    if declared.need_spread is None and not declared.need_spreads:
        return None
    known = {i.intervention_id for i in scenario.interventions}
    unknown = sorted(set(declared.need_spreads) - known)
    if unknown:
        raise UsageError(
            f"[uncertainty] need_spreads names unknown interventions {', '.join(unknown)}; "
            f"the scenario's are {', '.join(sorted(known))}"
        )
    default = declared.need_spread or 0.0
    spreads = {k: declared.need_spreads.get(k, default) for k in sorted(known)}
    base = tuple(sorted((n.area_id, n.intervention_id, n.need) for n in scenario.needs))
    return SpreadSampler(base, spreads)


def latin_hypercube(samples: int, dimensions: int, seed: int) -> np.ndarray:
    """``samples`` × ``dimensions`` points in [0, 1): each dimension's range cut in ``samples``
    equal strata, one point in each, strata paired at random (seeded)."""
    rng = np.random.default_rng(seed)
    points = np.empty((samples, dimensions))
    for d in range(dimensions):
        points[:, d] = (rng.permutation(samples) + rng.random(samples)) / samples
    return points


def draw(sampler: NeedSampler, samples: int, seed: int) -> tuple[np.ndarray, list[NeedVector]]:
    """The sampled values of each dimension (samples × dimensions) and the need vectors."""
    if samples < 1:
        raise UsageError("--samples: give at least 1")
    dims = sampler.dimensions
    unit = latin_hypercube(samples, len(dims), seed)
    low = np.array([d.low for d in dims])
    high = np.array([d.high for d in dims])
    values = low + unit * (high - low)
    return values, [sampler.needs(list(row)) for row in values]


def capped(plan: Plan, scenario: Scenario) -> pd.DataFrame:
    """The plan's allocation with each (area, intervention) served at most ``max_coverage`` ×
    the scenario's need; costs as paid (a place beyond the need stays empty, not refunded)."""
    coverage = {i.intervention_id: i.max_coverage for i in scenario.interventions}
    cap = {
        (n.area_id, n.intervention_id): n.need * coverage[n.intervention_id] for n in scenario.needs
    }
    allocation = plan.allocation.copy()
    groups = allocation.groupby(["area_id", "intervention_id"])["beneficiaries"]
    served = groups.transform("sum").to_numpy(dtype=float)
    keys = zip(allocation["area_id"], allocation["intervention_id"], strict=True)
    limit = np.array([cap.get(key, 0.0) for key in keys], dtype=float)
    over = served > limit
    share = np.ones(len(allocation))
    share[over] = limit[over] / served[over]
    allocation["beneficiaries"] = allocation["beneficiaries"].to_numpy(dtype=float) * share
    return allocation


def measure(plan: Plan, scenario: Scenario, status: str = "fixed") -> Plan:
    """A plan held fixed, measured under the scenario's needs (see :func:`capped`)."""
    return evaluate(scenario, capped(plan, scenario), plan.staff, plan.funding, status=status)


@dataclass(frozen=True)
class Measured:
    """What one plan looks like under one sample: small, to travel back from a worker."""

    status: str
    kpis: dict[str, float]
    area_coverage: dict[str, float]
    below_floor: tuple[str, ...] = ()
    """Areas with an intervention below its floor (min_coverage × the sample's need)."""
    area_funded: dict[str, float] = field(default_factory=dict)
    partners: tuple[str, ...] = ()
    """Partners serving anyone."""


def measured(plan: Plan, status: str) -> Measured:
    """The figures of a plan the study keeps."""
    ai = plan.area_interventions
    below = sorted(set(ai.loc[ai["shortfall"] > 1e-6, "area_id"]))
    allocation = plan.allocation
    return Measured(
        status=status,
        kpis={k: float(plan.kpis[k]) for k in SAMPLE_KPIS},
        area_coverage=dict(zip(plan.areas["area_id"], plan.areas["coverage"], strict=True)),
        below_floor=tuple(below),
        area_funded=dict(zip(plan.areas["area_id"], plan.areas["cost"], strict=True)),
        partners=tuple(sorted(set(allocation.loc[allocation["beneficiaries"] > 0, "partner_id"]))),
    )


@dataclass(frozen=True)
class UncertaintySetup:
    """What every sample shares: the scenario and the plans held fixed. Sent once to each
    worker, which builds the model once and then changes only the needs."""

    scenario: Scenario
    fixed: tuple[tuple[str, Plan], ...]
    reoptimise: bool = True
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def prepare(self) -> Callable[[NeedVector], dict[str, Measured]]:
        solver = WarmSolver()
        solver.run(self.scenario)  # build once; every sample then changes numbers only

        def one(needs: NeedVector) -> dict[str, Measured]:
            variant = with_needs(self.scenario, needs)
            out = {name: measured(measure(plan, variant), "fixed") for name, plan in self.fixed}
            if self.reoptimise:
                result = solver.run(variant)
                if result.plan is not None:
                    out[REOPTIMISED] = measured(result.plan, result.status.value)
                else:
                    out[REOPTIMISED] = Measured(result.status.value, {}, {})
            return out

        return one


@dataclass
class UncertaintyStudy:
    """The study's tables (see :func:`uncertainty`)."""

    areas: pd.DataFrame
    partners: pd.DataFrame
    samples: pd.DataFrame
    parameters: pd.DataFrame
    dimensions: pd.DataFrame
    nominal: RunResult
    settings: dict[str, Any]


def uncertainty(
    scenario: Scenario,
    sampler: NeedSampler,
    samples: int = 100,
    seed: int = 0,
    executor: Executor | None = None,
    target: float | None = None,
    nominal: RunResult | None = None,
) -> UncertaintyStudy:
    """Resample the needs and measure the plans (module docstring). ``target``: the coverage an
    area should keep (default: 90% of its coverage in the nominal plan)."""
    nominal = nominal or run_scenario(scenario)
    if nominal.plan is None:
        raise UsageError(
            f"'{scenario.name}' has no plan for its needs as given ({nominal.status.value}); "
            "the run's facts say why (allocator.render.facts.no_plan_sentences)"
        )
    fixed: list[tuple[str, Plan]] = [(NOMINAL, nominal.plan)]
    status_quo = status_quo_plan(scenario)
    if status_quo is not None:
        fixed.append((BASELINE, status_quo.plan))
    values, vectors = draw(sampler, samples, seed)
    outcomes: list[dict[str, Measured]] = run_all(
        UncertaintySetup(scenario, tuple(fixed)), vectors, executor
    )
    dims = sampler.dimensions
    return UncertaintyStudy(
        areas=areas_table(scenario, nominal.plan, outcomes, target),
        partners=partners_table(scenario, nominal.plan, outcomes),
        samples=samples_table(outcomes),
        parameters=pd.DataFrame(
            [
                {"sample": s, "parameter": d.name, "value": float(values[s, j])}
                for s in range(samples)
                for j, d in enumerate(dims)
            ],
            columns=["sample", "parameter", "value"],
        ),
        dimensions=pd.DataFrame(
            [vars(d) for d in dims], columns=["name", "nominal", "low", "high", "basis"]
        ),
        nominal=nominal,
        settings={"samples": samples, "seed": seed, "target": target},
    )


def _quantiles(values: Sequence[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    p10, p50, p90 = np.percentile(np.asarray(values, dtype=float), [10, 50, 90])
    return float(p10), float(p50), float(p90)


def areas_table(
    scenario: Scenario,
    plan: Plan,
    outcomes: Sequence[Mapping[str, Measured]],
    target: float | None,
) -> pd.DataFrame:
    """Per area: P10/P50/P90 coverage of the plans held fixed, the probability of falling below
    the floor and the target, and how often re-optimising gives the area money."""
    nominal_coverage = dict(zip(plan.areas["area_id"], plan.areas["coverage"], strict=True))
    funded_nominal = dict(zip(plan.areas["area_id"], plan.areas["cost"], strict=True))
    floor = scenario.settings.policy.min_coverage
    rows = []
    for area in sorted(scenario.areas, key=lambda a: a.area_id):
        a = area.area_id
        goal = target if target is not None else TARGET_SHARE * nominal_coverage.get(a, 0.0)
        row: dict[str, Any] = {"area_id": a, "name": area.name}
        fixed = [o[NOMINAL] for o in outcomes]
        coverage = [m.area_coverage.get(a, 0.0) for m in fixed]
        row["coverage_nominal"] = nominal_coverage.get(a, 0.0)
        row["coverage_p10"], row["coverage_p50"], row["coverage_p90"] = _quantiles(coverage)
        row["target"] = goal
        row["prob_below_target"] = float(np.mean([c < goal - 1e-9 for c in coverage]))
        row["floor"] = floor
        row["prob_below_floor"] = (
            float(np.mean([a in m.below_floor for m in fixed])) if floor > 0 else 0.0
        )
        if all(BASELINE in o for o in outcomes):
            base = [o[BASELINE].area_coverage.get(a, 0.0) for o in outcomes]
            q = _quantiles(base)
            row["baseline_coverage_p10"], row["baseline_coverage_p50"] = q[0], q[1]
            row["baseline_coverage_p90"] = q[2]
        re = [o[REOPTIMISED] for o in outcomes if REOPTIMISED in o and o[REOPTIMISED].kpis]
        if re:
            row["reoptimised_coverage_p50"] = _quantiles([m.area_coverage.get(a, 0.0) for m in re])[
                1
            ]
            funded = [m.area_funded.get(a, 0.0) for m in re]
            row["funded_nominal"] = funded_nominal.get(a, 0.0)
            row["funded_p10"], row["funded_p50"], row["funded_p90"] = _quantiles(funded)
            row["funded_share"] = float(np.mean([f > 0.5 for f in funded]))
        rows.append(row)
    return pd.DataFrame(rows)


def partners_table(
    scenario: Scenario, plan: Plan, outcomes: Sequence[Mapping[str, Measured]]
) -> pd.DataFrame:
    """Per partner serving anyone in the nominal plan or in a re-optimised one: whether the
    nominal plan engages it, and in what share of the samples re-optimising does."""
    in_nominal = set(plan.allocation.loc[plan.allocation["beneficiaries"] > 0, "partner_id"])
    re = [o[REOPTIMISED] for o in outcomes if REOPTIMISED in o and o[REOPTIMISED].kpis]
    counts: dict[str, int] = {}
    for m in re:
        for p in m.partners:
            counts[p] = counts.get(p, 0) + 1
    names = {p.partner_id: p.name for p in scenario.partners}
    rows = [
        {
            "partner_id": p,
            "name": names.get(p, p),
            "in_nominal_plan": p in in_nominal,
            "funded_share": counts.get(p, 0) / len(re) if re else float("nan"),
        }
        for p in sorted(in_nominal | set(counts))
    ]
    return pd.DataFrame(rows, columns=["partner_id", "name", "in_nominal_plan", "funded_share"])


def samples_table(outcomes: Sequence[Mapping[str, Measured]]) -> pd.DataFrame:
    """One row per sample and plan: status and KPIs."""
    rows = [
        {"sample": s, "plan": name, "status": m.status, **{k: m.kpis.get(k) for k in SAMPLE_KPIS}}
        for s, outcome in enumerate(outcomes)
        for name, m in outcome.items()
    ]
    return pd.DataFrame(rows, columns=["sample", "plan", "status", *SAMPLE_KPIS])
