"""Why a scenario cannot be met: a minimal set of requirements that conflict, as facts.

With soft floors, the only hard requirements are the staff minima per area, the roles' availability,
the funders' amounts and the earmarks' caps (DESIGN.md §2). Services can always be zero, and a
minimum post placed is cheapest at its minimum, so the scenario is feasible exactly when every
(role, area) at its minimum can be placed and paid for: a small linear program in FTE and euros.

Each requirement gets a slack variable. The elastic program (minimise the weighted slack) says
how far the requirements are from holding together; deletion filtering then shrinks the set of
requirements to an irreducible one (dropping any member makes the rest feasible). Independent
conflicts are found one after another, relaxing the members of those already found.
:mod:`allocator.render.facts` words them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pulp

from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.model import earmark_limits, funder_amount_limits, min_posts
from allocator.optimization.solve import SolveStatus, solve_lp

TOLERANCE = 1e-6
MAX_CONFLICTS = 5


@dataclass(frozen=True)
class Requirement:
    """One hard requirement of the scenario that may be part of a conflict."""

    kind: str
    """staff_minimum, staff_available, funder_amount or earmark_cap."""
    key: tuple[str, ...]
    """(role, area), (role,), (funder,) or (earmark row index,)."""
    amount: float
    """FTE for staff, euros for money."""
    unit: str
    """'FTE' or '€'."""


@dataclass(frozen=True)
class Conflict:
    """An irreducible set of requirements that cannot all hold, and the smallest fix found."""

    requirements: tuple[Requirement, ...]
    fixes: tuple[tuple[Requirement, float], ...]
    """Requirement → by how much to relax it, from the elastic program on this conflict."""


class ElasticProgram:
    """The staff minima, their payments and the money limits, each requirement with a slack."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.problem = pulp.LpProblem("conflicts", pulp.LpMinimize)
        self.slack: dict[Requirement, pulp.LpVariable] = {}
        self.deadline: float | None = None
        """perf_counter time after which the search stops (None: no limit)."""
        self.weight: dict[Requirement, float] = {}
        areas = sorted(a.area_id for a in scenario.areas)
        funders = sorted(scenario.funders, key=lambda f: f.funder_id)
        roles = sorted(scenario.staff, key=lambda r: r.role_id)
        pay: dict[tuple[str, str, str], pulp.LpVariable] = {}
        fte_by_role: dict[str, list[pulp.LpAffineExpression]] = {}
        for role in roles:
            lowest = min_posts(role) * role.fte_step
            if lowest <= 0:
                continue
            fte_by_role[role.role_id] = []
            for a in areas:
                req = Requirement("staff_minimum", (role.role_id, a), lowest, "FTE")
                s = self._slack(req, max(role.cost_per_fte, 1.0), upper=lowest)
                fte = lowest - s
                fte_by_role[role.role_id].append(fte)
                payers = []
                for f in funders:
                    if scenario.may_fund(f.funder_id, staff_item(role.role_id), a):
                        var = self.problem.add_variable(f"pay_{len(pay)}", lowBound=0)
                        pay[(f.funder_id, staff_item(role.role_id), a)] = var
                        payers.append(var)
                self.problem += pulp.lpSum(payers) == role.cost_per_fte * fte
            req = Requirement("staff_available", (role.role_id,), role.available_fte, "FTE")
            s = self._slack(req, max(role.cost_per_fte, 1.0))
            self.problem += pulp.lpSum(fte_by_role[role.role_id]) <= role.available_fte + s
        for limit in funder_amount_limits(scenario, pay):
            req = Requirement("funder_amount", (str(limit.key),), limit.limit, "€")
            self.problem += limit.spent <= limit.limit + self._slack(req, 1.0)
        for limit in earmark_limits(scenario, pay):
            req = Requirement("earmark_cap", (str(limit.key),), limit.limit, "€")
            self.problem += limit.spent <= limit.limit + self._slack(req, 1.0)
        self.problem.setObjective(
            pulp.lpSum(self.weight[r] * v for r, v in self.slack.items()) + 0.0
        )

    def _slack(
        self, req: Requirement, weight: float, upper: float | None = None
    ) -> pulp.LpVariable:
        var = self.problem.add_variable(f"slack_{len(self.slack)}", lowBound=0, upBound=upper)
        self.slack[req] = var
        self.weight[req] = weight
        return var

    @property
    def requirements(self) -> list[Requirement]:
        return list(self.slack)

    def _solve(self, enforced: set[Requirement], elastic: set[Requirement]) -> bool:
        """Solve with ``enforced`` held exactly, ``elastic`` relaxed at a cost, the rest dropped."""
        for req, var in self.slack.items():
            var.upBound = 0.0 if req in enforced else self._relaxed_bound(req)
        costs = {req: (self.weight[req] if req in elastic else 0.0) for req in self.slack}
        self.problem.setObjective(pulp.lpSum(costs[r] * v for r, v in self.slack.items()) + 0.0)
        left = None if self.deadline is None else max(self.deadline - time.perf_counter(), 1e-3)
        return solve_lp(self.problem, time_limit=left).status is SolveStatus.OPTIMAL

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def _relaxed_bound(self, req: Requirement) -> float | None:
        return req.amount if req.kind == "staff_minimum" else None

    def feasible(self, enforced: set[Requirement]) -> bool:
        """Whether the ``enforced`` requirements can all hold (the others dropped)."""
        return self._solve(enforced, set())

    def irreducible(self, candidates: list[Requirement]) -> list[Requirement]:
        """Deletion filter: drop each member whose removal leaves the rest still infeasible."""
        core = list(candidates)
        for req in list(core):
            if self.out_of_time():  # a conflicting set still, perhaps not the smallest
                break
            trial = [r for r in core if r != req]
            if not self.feasible(set(trial)) and not self.out_of_time():
                core = trial
        return core

    def smallest_fix(self, members: list[Requirement]) -> list[tuple[Requirement, float]]:
        """Minimise the weighted relaxation of the conflict's members (others dropped)."""
        self._solve(set(), set(members))
        return [
            (r, float(self.slack[r].varValue or 0.0))
            for r in members
            if (self.slack[r].varValue or 0.0) > TOLERANCE
        ]


def find_conflicts(
    scenario: Scenario, limit: int = MAX_CONFLICTS, seconds: float | None = None
) -> list[Conflict]:
    """Independent irreducible conflicts among the hard requirements; empty if none.

    ``seconds``: a time limit for the whole search; when it runs out, the conflicts found so far.
    """
    program = ElasticProgram(scenario)
    if seconds is not None:
        program.deadline = time.perf_counter() + seconds
    remaining = program.requirements
    conflicts: list[Conflict] = []
    while len(conflicts) < limit and remaining and not program.feasible(set(remaining)):
        if program.out_of_time():
            break
        members = program.irreducible(remaining)
        conflicts.append(Conflict(tuple(members), tuple(program.smallest_fix(members))))
        remaining = [r for r in remaining if r not in members]
    return conflicts
