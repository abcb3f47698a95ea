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
    kept = [(v.varValue, v.dj) for v in variables]
    rows = [c for family in model.constraints.values() for c in family.values()]
    duals = [(c.pi, c.slack) for c in rows]
    bounds = {key: (v.lowBound, v.upBound, v.cat) for key, v in model.staff_posts.items()}
    for var in model.staff_posts.values():
        var.lowBound = var.upBound = var.varValue or 0.0
        var.cat = pulp.LpContinuous
    try:
        for room in (0.0, TOLERANCE / 10, TOLERANCE):  # round-off (CBC's 8 digits): some room
            second = _split(model, settings, room)
            if second.status is SolveStatus.OPTIMAL:
                break
    finally:
        for key, var in model.staff_posts.items():
            var.lowBound, var.upBound, var.cat = bounds[key]
        for var, (value, dj) in zip(variables, kept, strict=True):
            var.dj = dj  # the first pass's reduced costs and duals, for the marginal values
            if var.name.startswith("posts_"):
                var.varValue = value
        for c, (pi, _) in zip(rows, duals, strict=True):
            c.pi = pi
    seconds = outcome.seconds + time.perf_counter() - start
    if second.status is not SolveStatus.OPTIMAL:
        for var, (value, _) in zip(variables, kept, strict=True):
            var.varValue = value
        for c, (_, slack) in zip(rows, duals, strict=True):
            c.slack = slack
        message = f"{outcome.message}; equal-cost choices not pinned down ({second.message})"
        return replace(outcome, message=message, seconds=seconds)
    return replace(outcome, seconds=seconds)


def _split(model: AllocationModel, settings: SolverSettings, room: float) -> SolveOutcome:
    """Every constraint of the model, the posts as fixed by the caller, each (area,
    intervention)'s service and net cost held at the first pass's values (within ``room``),
    and the distinct weights as objective."""
    split = model.problem.copy()  # shares the variables and the constraint objects
    split.sense = pulp.LpMaximize
    cost: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = {}
    for arc, var in model.serve.items():
        cost.setdefault((arc[1], arc[2]), []).append((var, model.data.arcs[arc].net_cost))
    for n, (ak, served) in enumerate(sorted(model.served.items())):
        value = float(pulp.value(served) or 0.0)
        split += served <= value, f"tie_served_{n}"
        split += served >= value * (1 - room) - room, f"tie_served_low_{n}"
        spent = pulp.LpAffineExpression(cost[ak])
        split += spent <= float(pulp.value(spent) or 0.0) * (1 + room) + room, f"tie_cost_{n}"
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
