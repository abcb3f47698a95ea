"""A deterministic split among equal-cost choices: the second, lexicographic pass of a solve.

The objective (with its cheaper-plan tie-break) often leaves choices that score the same: two
partners with the same net cost in one area, two funders allowed to pay the same item. Which one a
solver picks depends on the solver and on its path, so HiGHS and CBC, or two versions of one,
could give different plans for the same inputs. After the solve, :func:`break_ties` holds what the
objective sees at the first pass's values (the staff posts, and the beneficiaries served and the
net cost in each area and intervention) and solves the LP again, every constraint of the model
kept, with a second objective of distinct weights: each beneficiary served on an arc and each euro
paid by a funder gets a weight in [1, 2) drawn from a hash of its ids. Generic weights leave a
single best split among partners and funders, the same whatever the solver, the row order of the
inputs or the run. Nothing the objective measures changes, so the objective and the KPIs are the
first pass's; only who serves and who pays is pinned down.

The model is left as it was; the first pass's duals and reduced costs are kept for the marginal
values.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import pulp

from allocator.inputs.schema import SolverSettings
from allocator.optimization.model import AllocationModel
from allocator.optimization.solve import SolveOutcome, SolveStatus, solve_problem

TOLERANCE = 1e-7
"""How much less service, and more cost, than the first pass the split may give (relative, and
at least this much absolutely) when the exact split fails by round-off (CBC hands back 8
significant digits): far below any real difference."""


def tie_weight(*ids: str) -> float:
    """A weight in [1, 2) from the ids alone (the same on every machine and run)."""
    digest = hashlib.sha256("\x1f".join(ids).encode()).digest()
    return 1.0 + int.from_bytes(digest[:8], "big") / 2.0**64


def break_ties(
    model: AllocationModel, outcome: SolveOutcome, settings: SolverSettings | None = None
) -> SolveOutcome:
    """Re-split the solved plan's service among partners and its costs among funders by the
    distinct weights, holding what the objective sees; returns the outcome with the seconds of
    both passes. When the split fails, the first pass's plan is kept and the message says so."""
    if not outcome.is_ok or not (model.serve or model.pay):
        return outcome
    settings = settings or model.scenario.settings.solver
    start = time.perf_counter()
    problem = model.problem
    variables = problem.variables()
    kept = [(v.varValue, v.dj, v.lowBound, v.upBound, v.cat) for v in variables]
    rows = [c for family in model.constraints.values() for c in family.values()]
    duals = [(c.pi, c.slack) for c in rows]
    free = {v.name for v in (*model.serve.values(), *model.pay.values())}
    held = [(v, v.varValue or 0.0) for v in variables if v.name not in free]
    cost: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = {}
    for arc, var in model.serve.items():
        cost.setdefault((arc[1], arc[2]), []).append((var, model.data.arcs[arc].net_cost))
    targets = []
    for ak, served in sorted(model.served.items()):
        spent = pulp.LpAffineExpression(cost[ak])
        targets.append((served, _value(served), spent, _value(spent)))
    try:
        for room in (0.0, TOLERANCE / 10, TOLERANCE):  # round-off (CBC's 8 digits): some room
            second = _split(model, settings, room, held, targets)
            if second.status is SolveStatus.OPTIMAL:
                break
    finally:
        for var, (value, dj, low, up, cat) in zip(variables, kept, strict=True):
            var.dj = dj  # the first pass's reduced costs and duals, for the marginal values
            var.lowBound, var.upBound, var.cat = low, up, cat
            if var.name not in free:
                var.varValue = value
        for c, (pi, _) in zip(rows, duals, strict=True):
            c.pi = pi
    seconds = outcome.seconds + time.perf_counter() - start
    if second.status is not SolveStatus.OPTIMAL:
        for var, (value, *_) in zip(variables, kept, strict=True):
            var.varValue = value
        for c, (_, slack) in zip(rows, duals, strict=True):
            c.slack = slack
        message = f"{outcome.message}; equal-cost choices not pinned down ({second.message})"
        return replace(outcome, message=message, seconds=seconds)
    return replace(outcome, seconds=seconds)


def _split(
    model: AllocationModel,
    settings: SolverSettings,
    room: float,
    held: list[tuple[pulp.LpVariable, float]],
    targets: list[tuple[pulp.LpAffineExpression, float, pulp.LpAffineExpression, float]],
) -> SolveOutcome:
    """Every constraint of the model; every variable but who serves and who pays held at the
    first pass's value, and each (area, intervention)'s service and net cost too (within
    ``room``); the distinct weights as objective."""
    for var, value in held:
        var.lowBound = value * (1 - room) - room if value >= 0 else value * (1 + room) - room
        var.upBound = value * (1 + room) + room if value >= 0 else value * (1 - room) + room
        var.cat = pulp.LpContinuous
    split = model.problem.copy()  # shares the variables and the constraint objects
    split.sense = pulp.LpMaximize
    for n, (served, value, spent, paid) in enumerate(targets):
        split += served <= value, f"tie_served_{n}"
        split += served >= value * (1 - room) - room, f"tie_served_low_{n}"
        split += spent <= paid * (1 + room) + room, f"tie_cost_{n}"
    split.setObjective(_split_objective(model))
    return solve_problem(split, settings, is_mip=False)


def _split_objective(model: AllocationModel) -> pulp.LpAffineExpression:
    """Σ weight·served − Σ weight·paid / mean cost, each arc and payment with its own weight: the
    service stays at the first pass's (its upper limit), the split among partners and funders
    is the one the weights prefer."""
    costs = [arc.net_cost for arc in model.data.arcs.values() if arc.net_cost > 0]
    per_euro = 1.0 / (sum(costs) / len(costs)) if costs else 1.0
    # a beneficiary outweighs the most its cost can weigh: serving less never pays
    base = 2.0 * per_euro * max(costs, default=0.0)
    terms = [(var, base + tie_weight("serve", *arc)) for arc, var in model.serve.items()]
    terms += [(var, -per_euro * tie_weight("pay", *key)) for key, var in model.pay.items()]
    return pulp.LpAffineExpression(terms)


def _value(expression: pulp.LpAffineExpression) -> float:
    return float(pulp.value(expression) or 0.0)
