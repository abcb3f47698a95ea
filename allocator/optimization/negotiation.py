"""What a co-programming table negotiates, as constraint families: locks and transition limits.

- locks (``locks.csv``): each row bounds the beneficiaries served on all the arcs it matches,
  summed: ``min ≤ Σ x ≤ max``.
- transition limits (``policy.max_partner_loss``, ``policy.max_area_loss``): no eligible partner
  (area) serves fewer than ``(1 − limit) × today`` (``baseline.csv``), the bound clipped to what its
  capacities and the needs allow (:func:`loss_bounds` says which were clipped).

Locks are hard constraints: one the money or capacity cannot meet makes the scenario infeasible,
and :mod:`.lock_conflicts` names it. A transition limit is a floor clipped to what capacities and
needs allow; what staff or money still cannot keep is a penalised shortfall, reported with the plan
(like the coverage floor). Building stays pure: no I/O, no solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulp
from pydantic import ValidationError

from allocator.errors import InputError, Problem
from allocator.inputs.locks import all_locks, lock_problems, reachable
from allocator.inputs.schema import WILDCARD, Lock, Room, Scenario

if TYPE_CHECKING:
    from allocator.optimization.model import AllocationModel

TOLERANCE = 1e-9


@dataclass(frozen=True)
class LossBound:
    """The floor a transition limit puts on one partner or area."""

    kind: str
    """'partner' or 'area'."""
    key: str
    """partner_id or area_id."""
    baseline: float
    """Beneficiaries today (baseline.csv)."""
    limit: float
    """The share it may lose (policy.max_partner_loss or max_area_loss)."""
    reachable: float
    """The most its capacities and the needs allow."""

    @property
    def wanted(self) -> float:
        """(1 − limit) × today."""
        return (1.0 - self.limit) * self.baseline

    @property
    def bound(self) -> float:
        """The floor in the model: what is wanted, clipped to what is reachable."""
        return min(self.wanted, self.reachable)

    @property
    def clipped(self) -> bool:
        return self.reachable < self.wanted - TOLERANCE * max(1.0, self.wanted)


def loss_bounds(scenario: Scenario) -> list[LossBound]:
    """The floors of the transition limits, partners first, each list sorted by id."""
    policy = scenario.settings.policy
    bounds: list[LossBound] = []
    eligible = {p for p, why in scenario.eligibility().items() if why is None}
    if policy.max_partner_loss is not None:
        today: dict[str, float] = defaultdict(float)
        for row in scenario.baseline:
            if row.partner_id in eligible:
                today[row.partner_id] += row.beneficiaries
        for p in sorted(today):
            if today[p] > 0:
                most = reachable(scenario, lambda q, a, k, p=p: q == p)  # type: ignore[misc]
                bounds.append(LossBound("partner", p, today[p], policy.max_partner_loss, most))
    if policy.max_area_loss is not None:
        served: dict[str, float] = defaultdict(float)
        for row in scenario.baseline:
            served[row.area_id] += row.beneficiaries
        for a in sorted(served):
            if served[a] > 0:
                most = reachable(scenario, lambda q, b, k, a=a: b == a)  # type: ignore[misc]
                bounds.append(LossBound("area", a, served[a], policy.max_area_loss, most))
    return bounds


def has_negotiation(scenario: Scenario) -> bool:
    """Whether the scenario has locks (``locks.csv`` or the room's choices) or transition
    limits."""
    policy = scenario.settings.policy
    return bool(all_locks(scenario)) or (
        policy.max_partner_loss is not None or policy.max_area_loss is not None
    )


def without_negotiation(scenario: Scenario) -> Scenario:
    """The same scenario with no locks and no transition limits (to price them)."""
    policy = scenario.settings.policy.model_copy(
        update={"max_partner_loss": None, "max_area_loss": None}
    )
    settings = scenario.settings.model_copy(update={"policy": policy, "room": Room()})
    return scenario.model_copy(update={"locks": (), "settings": settings})


Elastic = dict[tuple[str, object, str], pulp.LpVariable]
"""(family, key, 'min' or 'max') → the slack that relaxes that side of the constraint."""


def _bound(
    model: AllocationModel,
    family: str,
    key: object,
    served: pulp.LpAffineExpression,
    low: float | None,
    high: float | None,
    elastic: Elastic | None,
) -> None:
    for side, limit in (("min", low), ("max", high)):
        if limit is None or (side == "min" and limit <= 0):
            continue
        expression = served
        if elastic is not None:
            slack = model.problem.add_variable(f"slack_{family}_{len(elastic)}", lowBound=0)
            elastic[(family, key, side)] = slack
            expression = served + slack if side == "min" else served - slack
        constraint = expression >= limit if side == "min" else expression <= limit
        model.add(f"{family}_{side}", key, constraint)


def matched(model: AllocationModel, lock: Lock) -> pulp.LpAffineExpression:
    """Σ x over the arcs the lock matches."""
    return pulp.lpSum(var for (p, a, k), var in model.serve.items() if lock.matches(p, a, k))


def define_lock_constraints(
    model: AllocationModel,
    locks: tuple[Lock, ...] | None = None,
    elastic: Elastic | None = None,
) -> None:
    """Each lock row: min_beneficiaries ≤ Σ x over the arcs it matches ≤ max_beneficiaries.

    ``locks`` defaults to all the model's scenario's (``locks.csv`` and the room's); ``elastic``
    collects a slack per side (used to explain infeasibility).
    """
    for n, lock in enumerate(all_locks(model.scenario) if locks is None else locks):
        served = matched(model, lock)
        _bound(model, "lock", n, served, lock.min_beneficiaries, lock.max_beneficiaries, elastic)


def define_loss_limit_constraints(model: AllocationModel) -> None:
    """Σ x of each partner (area) with a baseline + shortfall ≥ its floor (see :class:`LossBound`).

    The floor is clipped to what capacities and needs allow; what staff or money cannot keep is a
    shortfall, penalised like the coverage floor's (the shortfall variables join
    ``model.shortfall`` under the key ``('partner_loss', partner_id)`` or ``('area_loss',
    area_id)``), so a limit that cannot be met gives a plan with the shortfall stated.
    """
    for n, bound in enumerate(loss_bounds(model.scenario)):
        if bound.bound <= 0:
            continue
        position = 0 if bound.kind == "partner" else 1
        served = pulp.lpSum(var for arc, var in model.serve.items() if arc[position] == bound.key)
        short = model.problem.add_variable(f"loss_shortfall_{n}", lowBound=0, upBound=bound.bound)
        model.shortfall[(f"{bound.kind}_loss", bound.key)] = short
        model.add(f"{bound.kind}_loss", bound.key, served + short >= bound.bound)


def with_locks(scenario: Scenario, *locks: Lock | Mapping[str, object]) -> Scenario:
    """The scenario with more lock rows (for notebooks): a dict may leave out selectors (``*``).

    Checked as ``locks.csv`` is: unknown ids, min above max, min above what the rows it matches
    can serve; problems raise :class:`~allocator.errors.InputError`.
    """
    rows: list[Lock] = []
    problems: list[Problem] = []
    known = {
        "partner_id": {p.partner_id for p in scenario.partners},
        "area_id": {a.area_id for a in scenario.areas},
        "intervention_id": {i.intervention_id for i in scenario.interventions},
    }
    first = len(scenario.locks) + 2  # as rows of locks.csv below its header
    for n, lock in enumerate(locks, start=first):
        try:
            row = (
                lock
                if isinstance(lock, Lock)
                else Lock.model_validate({c: WILDCARD for c in known} | dict(lock))
            )
        except ValidationError as error:
            problems += [Problem("locks", str(d["msg"]), row=n) for d in error.errors()]
            continue
        for column, ids in known.items():
            value = getattr(row, column)
            if value != WILDCARD and value not in ids:
                problems.append(
                    Problem("locks", f"no {column} '{value}'", row=n, column=column, value=value)
                )
        rows.append(row)
    if problems:
        raise InputError(problems)
    updated = scenario.model_copy(update={"locks": scenario.locks + tuple(rows)})
    numbers = list(range(2, 2 + len(updated.locks)))
    problems = lock_problems(updated, "locks", numbers)
    if problems:
        raise InputError(problems)
    return updated
