"""Near-optimal alternatives: what every good plan must fund, and where the table is free.

Modelling to generate alternatives, in the spirit of PyPSA's ``optimize_mga`` and prioritizr's
portfolios. The optimum is solved once; then one model is built with the staff posts fixed where
the optimum placed them (so it is a linear program), two rows are added to it

- the objective (before the tie-break and penalties) at least ``(1 − slack)`` × the optimum's,
- the penalised shortfall (coverage floors, transition limits) at most the optimum's,

and, reusing that one model in the solver, for each area (or partner) the least and the most money
and beneficiaries it can get are found by four re-optimisations of the same constraints with
another objective. A bound already reached by a plan found earlier (zero served, say) is not solved
again. Every extreme plan is a near-optimal plan; ``count`` of them are chosen, greedily, to differ
most from the optimum and from each other (distance: the share of beneficiaries and of money that
moves between areas or partners).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pulp

from allocator.inputs.schema import Scenario, SolverName
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.pipeline import BrokenPlan, Fact, RunResult, run_scenario
from allocator.optimization.solve import SolveOutcome, SolveStatus, solve, solver_version
from allocator.postprocess.invariants import check_plan
from allocator.postprocess.results import Plan, extract

By = Literal["area", "partner"]
RANGE_COLUMNS = [
    "funded_min",
    "funded_max",
    "served_min",
    "served_max",
    "funded_optimum",
    "served_optimum",
]
ALTERNATIVE_KPIS = [
    "objective",
    "beneficiaries_served",
    "funded",
    "partners_engaged",
    "weighted_coverage",
    "min_area_coverage",
]
FIRM_SHARE = 0.1
"""A range of served beneficiaries at most this share of the optimum's (and of the largest
optimum among the rows, 1% of it) is narrow: 'da finanziare comunque'."""
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Measure:
    """A linear expression over the solver's columns: indices and coefficients."""

    index: np.ndarray
    coef: np.ndarray

    def of(self, solution: np.ndarray) -> float:
        return float(self.coef @ solution[self.index]) if len(self.index) else 0.0


@dataclass
class Alternative:
    """One near-optimal plan and how far it lies from the optimum and the others chosen."""

    name: str
    plan: Plan
    result: RunResult
    extreme: str
    """Which extreme it came from: served_min, served_max, funded_min or funded_max ..."""
    of: str
    """... of which area (partner)."""
    distance_from_optimum: float
    distance_from_others: float
    """The smallest distance to the optimum and the alternatives chosen before it."""


@dataclass(frozen=True)
class NoOptimum:
    """The scenario has no optimal plan to start from."""

    facts: tuple[Fact, ...]
    """Why (the optimum's :attr:`RunResult.facts`)."""


@dataclass(frozen=True)
class StaffFixedUnsolved:
    """The model with the optimum's staff fixed did not solve."""

    message: str
    """The solver's own message."""


@dataclass(frozen=True)
class ExtremeUnproven:
    """The solver did not prove the least or most ``measure`` of one area (partner)."""

    measure: str
    """funded or served."""
    maximise: bool
    by: By
    key: str
    """The area (partner) id."""


NoRanges = NoOptimum | StaffFixedUnsolved | ExtremeUnproven


@dataclass
class NearOptimal:
    """The outcome of :func:`near_optimal`."""

    scenario: Scenario
    by: By
    slack: float
    optimum: RunResult
    ranges: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per area (partner): id, name, funded/served min, max and optimum, firm."""
    alternatives: list[Alternative] = field(default_factory=list)
    solves: int = 0
    """Re-optimisations made (bounds reached by earlier plans are not solved again)."""
    seconds: float = 0.0
    facts: list[NoRanges] = field(default_factory=list)
    """Why there are no ranges (no plan, solver failure); :mod:`allocator.render.facts` words
    them."""

    @property
    def ok(self) -> bool:
        return not self.facts

    def alternatives_table(self) -> pd.DataFrame:
        """The optimum and each alternative: KPIs, distances, what it stresses (``extreme`` and
        the area or partner; :func:`allocator.render.ranges.describe_extreme` words it), its
        folder."""
        rows = []
        assert self.optimum.plan is not None
        plans = [("ottimo", self.optimum.plan, "", "", 0.0, 0.0)] + [
            (a.name, a.plan, a.extreme, a.of, a.distance_from_optimum, a.distance_from_others)
            for a in self.alternatives
        ]
        for name, plan, extreme, of, d_opt, d_others in plans:
            row: dict[str, object] = {
                "plan": name,
                "extreme": extreme,
                self.by + "_id": of,
            }
            row.update({k: plan.kpis.get(k) for k in ALTERNATIVE_KPIS})
            row["distance_from_optimum"] = d_opt
            row["distance_from_others"] = d_others
            row["folder"] = name
            rows.append(row)
        return pd.DataFrame(rows)


def _names(scenario: Scenario, by: By) -> dict[str, str]:
    if by == "area":
        return {a.area_id: a.name for a in scenario.areas}
    return {p.partner_id: p.name for p in scenario.partners}


def _measures(model: AllocationModel, by: By) -> dict[str, tuple[Measure, Measure]]:
    """Entity → (funded, served) as expressions over the solver's columns."""
    served: dict[str, list[tuple[int, float]]] = {}
    funded: dict[str, list[tuple[int, float]]] = {}
    position = 1 if by == "area" else 0
    for arc, var in model.serve.items():
        key = arc[position]
        served.setdefault(key, []).append((var.index, 1.0))
        if by == "partner":
            net = model.data.arcs[arc].net_cost
            if net > 0:
                funded.setdefault(key, []).append((var.index, net))
    if by == "area":
        for (_, _, area), var in model.pay.items():
            funded.setdefault(area, []).append((var.index, 1.0))
        keys = sorted(set(model.data.areas) | set(served))
    else:
        keys = sorted(served)

    def measure(terms: list[tuple[int, float]]) -> Measure:
        return Measure(
            np.array([i for i, _ in terms], dtype=int), np.array([c for _, c in terms], dtype=float)
        )

    return {k: (measure(funded.get(k, [])), measure(served.get(k, []))) for k in keys}


def _value_expression(model: AllocationModel) -> pulp.LpAffineExpression:
    """The objective before the tie-break and the penalties (the contract's objective × scale)."""
    value = model.problem.objective + model.cost_per_euro * pulp.lpSum(model.pay.values())
    return value + model.shortfall_per_beneficiary * pulp.lpSum(model.shortfall.values())


class _Explorer:
    """The one built model, in HiGHS, re-optimised with other objectives."""

    def __init__(self, model: AllocationModel, slack: float) -> None:
        import highspy

        self.model = model
        self.highs = model.problem.solverModel
        self.highspy = highspy
        self.columns = self.highs.getNumCol()
        self.optimum = np.array(self.highs.getSolution().col_value, dtype=float)
        value = _value_expression(model)
        best = pulp.value(value) - value.constant
        floor = best - slack * abs(best + value.constant) - 1e-8 * max(1.0, abs(best))
        self._row(value, floor, highspy.kHighsInf)
        if model.shortfall:
            short = pulp.lpSum(model.shortfall.values())
            most = pulp.value(short)
            self._row(short, -highspy.kHighsInf, most + TOLERANCE * max(1.0, most))
        self.solves = 0

    def _row(self, expression: pulp.LpAffineExpression, low: float, high: float) -> None:
        terms = [(var.index, coef) for var, coef in expression.items() if coef != 0]
        self.highs.addRow(low, high, len(terms), [i for i, _ in terms], [c for _, c in terms])

    def extreme(self, measure: Measure, maximise: bool) -> np.ndarray | None:
        """The plan with the least (most) of the measure; None if the solver does not say
        optimal."""
        costs = np.zeros(self.columns)
        costs[measure.index] = measure.coef
        self.highs.changeColsCost(self.columns, np.arange(self.columns), costs)
        sense = self.highspy.ObjSense
        self.highs.changeObjectiveSense(sense.kMaximize if maximise else sense.kMinimize)
        self.highs.run()
        self.solves += 1
        if self.highs.getModelStatus() != self.highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(self.highs.getSolution().col_value, dtype=float)


def near_optimal(
    scenario: Scenario,
    slack: float = 0.02,
    count: int = 5,
    by: By = "area",
    optimum: RunResult | None = None,
) -> NearOptimal:
    """Ranges per area (partner) within ``slack`` of the optimum, and ``count`` alternatives.

    ``optimum``: the scenario's run, when already solved. Never raises for a scenario without a
    plan: the outcome's ``facts`` say why.
    """
    if not 0 <= slack < 1:
        raise ValueError(f"slack must be at least 0 and below 1, not {slack}")
    start = time.perf_counter()
    optimum = optimum or run_scenario(scenario)
    outcome = NearOptimal(scenario, by, slack, optimum)
    if optimum.plan is None:
        outcome.facts = [NoOptimum(tuple(optimum.facts))]
        return outcome
    fixed = {
        (str(r.role_id), str(r.area_id)): float(r.fte) for r in optimum.plan.staff.itertuples()
    }
    model = build_model(scenario, fixed_staff=fixed)
    settings = scenario.settings.solver.model_copy(update={"name": SolverName.HIGHS})
    first = solve(model, settings)
    if first.status is not SolveStatus.OPTIMAL:
        outcome.facts = [StaffFixedUnsolved(first.message)]
        return outcome
    explorer = _Explorer(model, slack)
    measures = _measures(model, by)
    found: list[tuple[str, np.ndarray]] = [("ottimo", explorer.optimum)]
    rows = []
    for key, (funded, served) in measures.items():
        row: dict[str, object] = {"id": key}
        for name, measure in (("funded", funded), ("served", served)):
            for maximise in (False, True):
                bound = _known_bound(measure, found, maximise)
                if bound is None:
                    solution = explorer.extreme(measure, maximise)
                    if solution is None:
                        outcome.facts = [ExtremeUnproven(name, maximise, by, key)]
                        return outcome
                    found.append((f"{name}_{'max' if maximise else 'min'} {key}", solution))
                    bound = measure.of(solution)
                row[f"{name}_{'max' if maximise else 'min'}"] = bound
            row[f"{name}_optimum"] = measure.of(explorer.optimum)
        rows.append(row)
    outcome.ranges = _ranges_frame(rows, _names(scenario, by), by)
    outcome.solves = explorer.solves
    outcome.alternatives = _choose(outcome, model, measures, found, count, first)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _known_bound(
    measure: Measure, found: list[tuple[str, np.ndarray]], maximise: bool
) -> float | None:
    """A bound known without solving: nothing to measure is 0; a least of 0 already reached by a
    plan found is the least (nothing is negative)."""
    if not len(measure.index):
        return 0.0
    if not maximise and any(measure.of(solution) <= TOLERANCE for _, solution in found):
        return 0.0
    return None


def _ranges_frame(rows: list[dict[str, object]], names: dict[str, str], by: By) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    id_column = "area_id" if by == "area" else "partner_id"
    frame = frame.rename(columns={"id": id_column})
    frame.insert(1, "name", [names.get(str(k), str(k)) for k in frame[id_column]])
    for column in RANGE_COLUMNS:  # solver round-off: min ≤ optimum ≤ max, nothing below 0
        frame[column] = frame[column].astype(float).clip(lower=0.0).round(6)
    frame["funded_min"] = frame[["funded_min", "funded_optimum"]].min(axis=1)
    frame["served_min"] = frame[["served_min", "served_optimum"]].min(axis=1)
    frame["funded_max"] = frame[["funded_max", "funded_optimum"]].max(axis=1)
    frame["served_max"] = frame[["served_max", "served_optimum"]].max(axis=1)
    frame = frame[[id_column, "name", *RANGE_COLUMNS]]
    frame["firm"] = _firm(frame)
    return frame.reset_index(drop=True)


def _firm(frame: pd.DataFrame) -> pd.Series:
    """Narrow and above zero: every near-optimal plan serves it about as the optimum does."""
    width = frame["served_max"] - frame["served_min"]
    scale = np.maximum(frame["served_optimum"], 0.01 * frame["served_optimum"].max())
    return (frame["served_min"] > TOLERANCE) & (width <= FIRM_SHARE * scale + TOLERANCE)


def _distance(a: np.ndarray, b: np.ndarray, totals: np.ndarray) -> float:
    """Half the share of money plus half the share of beneficiaries that moves between
    entities (0: the same spread; 1: all of it elsewhere)."""
    moved = np.abs(a - b).sum(axis=0) / np.maximum(totals, TOLERANCE)
    return float(moved.mean() / 2)


def _choose(
    outcome: NearOptimal,
    model: AllocationModel,
    measures: dict[str, tuple[Measure, Measure]],
    found: list[tuple[str, np.ndarray]],
    count: int,
    first: SolveOutcome,
) -> list[Alternative]:
    """Greedy max-min: each pick is the plan found farthest from the optimum and those picked."""
    if count <= 0:
        return []

    def profile(solution: np.ndarray) -> np.ndarray:
        return np.array([[f.of(solution), s.of(solution)] for f, s in measures.values()])

    profiles = [profile(solution) for _, solution in found]
    totals = profiles[0].sum(axis=0)
    chosen = [0]
    nearest = [_distance(p, profiles[0], totals) for p in profiles]
    from_optimum = list(nearest)
    picks: list[Alternative] = []
    while len(picks) < count:
        best = max(
            (i for i in range(len(found)) if i not in chosen),
            key=lambda i: nearest[i],
            default=None,
        )
        if best is None or nearest[best] <= 1e-4:
            break  # nothing left that differs
        name = f"alternativa_{len(picks) + 1}"
        plan_result = _plan_of(outcome.scenario, model, found[best][1], first)
        if plan_result.plan is not None:
            picks.append(
                Alternative(
                    name=name,
                    plan=plan_result.plan,
                    result=plan_result,
                    extreme=found[best][0].split(" ")[0],
                    of=found[best][0].split(" ", 1)[1],
                    distance_from_optimum=from_optimum[best],
                    distance_from_others=nearest[best],
                )
            )
        chosen.append(best)
        nearest = [
            min(d, _distance(profiles[i], profiles[best], totals)) for i, d in enumerate(nearest)
        ]
    return picks


def _plan_of(
    scenario: Scenario, model: AllocationModel, solution: np.ndarray, first: SolveOutcome
) -> RunResult:
    """The plan held in a solver solution, measured and checked like any plan."""
    for var in model.problem.variables():
        var.varValue = float(solution[var.index])
    outcome = SolveOutcome(
        status=SolveStatus.FEASIBLE,
        solver=first.solver,
        solver_version=solver_version(SolverName.HIGHS),
        seconds=0.0,
        message="near-optimal alternative",
    )
    plan = extract(model, outcome)
    violations = check_plan(scenario, plan)
    if violations:
        facts: list[Fact] = [BrokenPlan(tuple(violations))]
        return RunResult(scenario, SolveStatus.ERROR, outcome=outcome, facts=facts)
    return RunResult(scenario, SolveStatus.FEASIBLE, plan=plan, outcome=outcome)
