"""Why a scenario cannot be met: a minimal set of requirements that conflict, in words.

With soft floors, the only hard requirements are the staff minima per area, the roles' availability,
the funders' amounts and the earmarks' caps (DESIGN.md §2). Services can always be zero, and a
minimum post placed is cheapest at its minimum, so the scenario is feasible exactly when every
(role, area) at its minimum can be placed and paid for: a small linear program in FTE and euros.

Each requirement gets a slack variable. The elastic program (minimise the weighted slack) says
how far the requirements are from holding together; deletion filtering then shrinks the set of
requirements to an irreducible one (dropping any member makes the rest feasible). Independent
conflicts are found one after another, relaxing the members of those already found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pulp

from allocator.i18n import _, number
from allocator.inputs.schema import Scenario, staff_item
from allocator.optimization.lock_conflicts import explain_lock_conflicts
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


def describe(scenario: Scenario, req: Requirement, lang: str = "en") -> str:
    """One requirement in words, with its numbers."""
    it = lang == "it"
    roles = {r.role_id: r for r in scenario.staff}
    areas = {a.area_id: a.name for a in scenario.areas}
    funders = {f.funder_id: f for f in scenario.funders}
    if req.kind == "staff_minimum":
        r, a = req.key
        role = roles[r]
        cost = number(req.amount * role.cost_per_fte, lang, None)
        payers = [f for f in funders if scenario.may_fund(f, staff_item(r), a)]
        if it:
            text = (
                f"almeno {number(req.amount, lang, None)} FTE di {role.name} ({r}) nel quartiere "
                f"{areas[a]} ({a}), che costano {cost} € l'anno"
            )
            if not payers:
                text += ", ma nessun finanziatore può pagarli lì (vincoli di destinazione)"
        else:
            text = (
                f"at least {number(req.amount, lang, None)} FTE of {role.name} ({r}) in {areas[a]} "
                f"({a}), costing {cost} € a year"
            )
            if not payers:
                text += ", but no funder may pay for them there (earmarks)"
        return text
    if req.kind == "staff_available":
        role = roles[req.key[0]]
        amount = number(req.amount, lang, None)
        if it:
            return f"solo {amount} FTE di {role.name} ({role.role_id}) disponibili"
        return f"only {amount} FTE of {role.name} ({role.role_id}) available"
    if req.kind == "funder_amount":
        f = funders[req.key[0]]
        rows = scenario.earmarks_of(f.funder_id)
        scope = ", ".join(_scope(e.intervention_id, e.area_id, lang) for e in rows)
        if it:
            text = f"{f.name} ({f.funder_id}) dispone di {number(req.amount, lang, None)} €"
            return text + (f" e può pagare solo {scope}" if rows else "")
        text = f"{f.name} ({f.funder_id}) has {number(req.amount, lang, None)} €"
        return text + (f" and may pay only {scope}" if rows else "")
    e = scenario.earmarks[int(req.key[0])]
    f = funders[e.funder_id]
    scope = _scope(e.intervention_id, e.area_id, lang)
    if it:
        return (
            f"il vincolo di destinazione di {f.name} su {scope} limita la spesa a "
            f"{number(req.amount, lang, None)} €"
        )
    return f"{f.name}'s earmark on {scope} caps its spending at {number(req.amount, lang, None)} €"


def _scope(intervention_id: str, area_id: str, lang: str) -> str:
    it = lang == "it"
    what = ("tutto" if it else "anything") if intervention_id == "*" else intervention_id
    where = ("tutti i quartieri" if it else "all areas") if area_id == "*" else area_id
    return f"{what} in {where}"


def _fix_text(scenario: Scenario, req: Requirement, by: float, lang: str) -> str:
    amount = f"{number(by, lang, None)} {req.unit}"
    if req.kind == "staff_minimum":
        r, a = req.key
        return _("lower the minimum of {role} in {area} by {amount}", lang).format(
            role=r, area=a, amount=amount
        )
    if req.kind == "staff_available":
        r = req.key[0]
        return _("make {amount} more of {role} available", lang).format(amount=amount, role=r)
    if req.kind == "funder_amount":
        j = req.key[0]
        return _("raise {funder}'s amount by {amount}", lang).format(funder=j, amount=amount)
    e = scenario.earmarks[int(req.key[0])]
    return _("raise {funder}'s earmark cap by {amount}", lang).format(
        funder=e.funder_id, amount=amount
    )


def conflict_sentences(
    scenario: Scenario, conflicts: list[Conflict], lang: str = "en"
) -> list[str]:
    """One sentence per conflict found, in ``lang`` (it or en), with the smallest fix found."""
    sentences = []
    for n, conflict in enumerate(conflicts, start=1):
        parts = "; ".join(describe(scenario, r, lang) for r in conflict.requirements)
        fixes = (" e " if lang == "it" else " and ").join(
            _fix_text(scenario, r, by, lang) for r, by in conflict.fixes
        )
        if lang == "it":
            text = f"Conflitto {n}: questi requisiti non possono valere insieme: {parts}."
            if fixes:
                text += f" La correzione più piccola trovata: {fixes}."
        else:
            text = f"Conflict {n}: these requirements cannot all hold together: {parts}."
            if fixes:
                text += f" The smallest fix found: {fixes}."
        sentences.append(text)
    return sentences or explain_lock_conflicts(scenario, lang)  # a lock at fault


def explain_infeasibility(
    scenario: Scenario, lang: str = "en", conflicts: list[Conflict] | None = None
) -> list[str]:
    """One sentence per independent conflict among the hard requirements; empty if none found.

    ``conflicts``: those already found for this scenario (a run keeps them), so that explaining
    an infeasible run in another language does not search again.
    """
    found = find_conflicts(scenario) if conflicts is None else conflicts
    return conflict_sentences(scenario, found, lang)
