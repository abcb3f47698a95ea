"""Which lock cannot be met with the money and capacity, as facts.

The scenario is built without its locks, which are then added back elastic: each side of each one
gets a slack, and the solver minimises their sum. The slacks left above zero are the smallest
relaxation found that makes the scenario feasible: they name the locks at fault and by how much
each must give. (Transition limits are soft: they never make a scenario infeasible.)
:mod:`allocator.render.facts` words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from allocator.inputs.locks import all_locks
from allocator.inputs.schema import Room, Scenario, SolverName
from allocator.optimization.model import build_model
from allocator.optimization.negotiation import (
    Elastic,
    define_lock_constraints,
)
from allocator.optimization.solve import solve

TOLERANCE = 1e-6


@dataclass(frozen=True)
class LockConflict:
    """A lock (of locks.csv or of the room's choices) that must give for the scenario to have a
    plan."""

    lock: int
    """Its index in :func:`allocator.inputs.locks.all_locks` of the scenario."""
    side: Literal["min", "max"]
    """Which bound must give: the minimum (lowered) or the maximum (raised)."""
    limit: float
    """The bound as set, in beneficiaries."""
    by: float
    """The smallest change found, in beneficiaries."""


def find_lock_conflicts(scenario: Scenario) -> list[LockConflict]:
    """One fact per lock that must give for the scenario to have a plan.

    Empty when the scenario has none, or when it stays infeasible without them (the cause is
    elsewhere).
    """
    locks = all_locks(scenario)
    if not locks:
        return []
    free = scenario.settings.model_copy(update={"room": Room()})
    model = build_model(scenario.model_copy(update={"locks": (), "settings": free}))
    elastic: Elastic = {}
    define_lock_constraints(model, locks, elastic)
    model.problem.sense = 1  # minimise the slack
    model.problem.setObjective(sum(elastic.values()) + 0.0)
    settings = scenario.settings.solver.model_copy(update={"name": SolverName.HIGHS})
    if not solve(model, settings).is_ok:
        return []
    found = []
    for (family, key, side), slack in elastic.items():
        by = float(slack.varValue or 0.0)
        if by <= TOLERANCE or family != "lock":  # the only elastic family
            continue
        assert isinstance(key, int)
        lock = locks[key]
        low = side == "min"
        limit = (lock.min_beneficiaries if low else lock.max_beneficiaries) or 0.0
        found.append(LockConflict(key, "min" if low else "max", float(limit), by))
    return found
