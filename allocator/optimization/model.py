"""The linear program of ``docs/formulation.md``, built from a validated scenario.

Building is pure: no file is read and no solver is called. :func:`build_model` reads like a table
of contents, one ``define_*`` function per constraint family. Every index set is sorted by id, so
the order of rows in the input files never changes the model (and so never the plan).
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pulp

from allocator.inputs.schema import Earmark, Scenario, StaffRole, may_pay, staff_item
from allocator.optimization.equity import (
    define_equity,
    define_equity_floor,
    equity_gain_bound,
)
from allocator.optimization.negotiation import (
    define_lock_constraints,
    define_loss_limit_constraints,
)

AreaItem = tuple[str, str]
"""(area_id, intervention_id)."""
Arc = tuple[str, str, str]
"""(partner_id, area_id, intervention_id): one capacity row of an eligible partner."""
Payment = tuple[str, str, str]
"""(funder_id, item, area_id): item is an intervention_id or ``staff:<role_id>``."""


def min_posts(role: StaffRole) -> int:
    """Whole steps of ``fte_step`` that the role's per-area minimum forces (rounded up).

    The one place this rounding is written: the model's lower bound, the pre-solve checks, the
    conflict finder, the rules of thumb and the plan's invariants all read it.
    """
    return math.ceil(role.min_fte_per_area / role.fte_step - 1e-9)


@dataclass(frozen=True)
class ArcData:
    capacity: float
    unit_cost: float
    cofunding: float

    @cached_property
    def net_cost(self) -> float:
        """What funders pay per beneficiary: the unit cost less the partner's cofunding."""
        return max(self.unit_cost - self.cofunding, 0.0)


@dataclass(frozen=True)
class Segment:
    """One piece of the diminishing-returns curve: a share of need counted with a weight."""

    length: float
    weight: float


@dataclass(frozen=True)
class ModelData:
    """The scenario's numbers as the model reads them, sorted by id."""

    areas: tuple[str, ...]
    interventions: tuple[str, ...]
    arcs: Mapping[Arc, ArcData]
    need: Mapping[AreaItem, float]
    weight: Mapping[AreaItem, float]
    """value × priority of one beneficiary."""
    max_served: Mapping[AreaItem, float]
    floor: Mapping[AreaItem, float]
    area_need: Mapping[str, float]
    segments: tuple[Segment, ...]
    funders: tuple[str, ...]
    funder_amount: Mapping[str, float]
    payments: tuple[Payment, ...]
    roles: tuple[str, ...]
    role_interventions: Mapping[str, tuple[tuple[str, float], ...]]
    """role → (intervention_id, beneficiaries_per_fte) of the interventions that need it."""
    fte_step: Mapping[str, float]
    equity_weight: float

    @property
    def value_of_all_need(self) -> float:
        """Σ value·priority·need, each beneficiary weighted by its returns segment."""
        full = sum(s.length * s.weight for s in self.segments)
        return sum(self.weight[ak] * need * full for ak, need in self.need.items())


_PREPARED: dict[int, tuple[weakref.ref[Scenario], ModelData]] = {}
"""The model data of each live scenario object, by id (a scenario is frozen: its data never
changes); an entry goes when its scenario does."""


def prepare(scenario: Scenario) -> ModelData:
    """Derive the model's index sets and coefficients from the scenario (pure).

    Computed once per scenario object: the rules of thumb, their plans' measures and the model
    ask for the same scenario's data dozens of times in one run. The data is shared: read it,
    never change it (its tables are read-only mappings).
    """
    key = id(scenario)
    kept = _PREPARED.get(key)
    if kept is not None and kept[0]() is scenario:
        return kept[1]
    data = _prepare(scenario)
    _PREPARED[key] = (weakref.ref(scenario, lambda _: _PREPARED.pop(key, None)), data)
    return data


def _prepare(scenario: Scenario) -> ModelData:
    interventions = {i.intervention_id: i for i in scenario.interventions}
    eligible = {pid for pid, why in scenario.eligibility().items() if why is None}
    arcs: dict[Arc, ArcData] = {}
    for c in sorted(
        scenario.capacities, key=lambda c: (c.partner_id, c.area_id, c.intervention_id)
    ):
        if c.partner_id not in eligible or c.capacity <= 0:
            continue
        intervention = interventions[c.intervention_id]
        unit_cost = intervention.unit_cost if c.unit_cost is None else c.unit_cost
        arcs[(c.partner_id, c.area_id, c.intervention_id)] = ArcData(
            c.capacity, unit_cost, c.cofunding_per_beneficiary
        )

    policy = scenario.settings.policy
    need: dict[AreaItem, float] = {}
    weight: dict[AreaItem, float] = {}
    for row in sorted(scenario.needs, key=lambda r: (r.area_id, r.intervention_id)):
        ak = (row.area_id, row.intervention_id)
        need[ak] = row.need
        weight[ak] = interventions[row.intervention_id].value * row.priority
    max_served = {ak: interventions[ak[1]].max_coverage * n for ak, n in need.items()}
    # no floor rows when there is no floor (min_coverage 0): 25,000 useless rows on a large scenario
    floor = {
        ak: policy.min_coverage * n for ak, n in need.items() if n > 0 and policy.min_coverage > 0
    }
    area_need: dict[str, float] = defaultdict(float)
    for (a, _), n in need.items():
        area_need[a] += n

    if policy.returns is None:
        segments: tuple[Segment, ...] = (Segment(1.0, 1.0),)
    else:
        shares = [0.0] + [b for b, _ in policy.returns]
        segments = tuple(
            Segment(shares[i + 1] - shares[i], w) for i, (_, w) in enumerate(policy.returns)
        )

    roles = tuple(sorted(r.role_id for r in scenario.staff))
    role_interventions: dict[str, list[tuple[str, float]]] = {r: [] for r in roles}
    for k in sorted(interventions):
        i = interventions[k]
        if i.staff_role is not None and i.beneficiaries_per_fte is not None:
            role_interventions[i.staff_role].append((k, i.beneficiaries_per_fte))

    areas = tuple(sorted(a.area_id for a in scenario.areas))
    funders = tuple(sorted(f.funder_id for f in scenario.funders))
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    items = sorted({(k, a) for (_, a, k) in arcs}) + [
        (staff_item(r), a) for r in roles for a in areas
    ]
    earmarks: dict[str, list[Earmark]] = defaultdict(list)
    for e in scenario.earmarks:  # grouped once: a large scenario has ~10^6 (funder, item, area)
        earmarks[e.funder_id].append(e)
    payments = tuple(
        (j, item, a) for j in funders for item, a in items if may_pay(earmarks[j], item, a)
    )
    return ModelData(
        areas=areas,
        interventions=tuple(sorted(interventions)),
        arcs=arcs,
        need=need,
        weight=weight,
        max_served=max_served,
        floor=floor,
        area_need=dict(area_need),
        segments=segments,
        funders=funders,
        funder_amount=amounts,
        payments=payments,
        roles=roles,
        role_interventions={r: tuple(v) for r, v in role_interventions.items()},
        fte_step={r.role_id: r.fte_step for r in scenario.staff},
        equity_weight=policy.equity_weight,
    )


@dataclass
class AllocationModel:
    """The built LP/MILP: the PuLP problem and handles on its variables and constraints."""

    scenario: Scenario
    data: ModelData
    problem: pulp.LpProblem
    serve: dict[Arc, pulp.LpVariable] = field(default_factory=dict)
    """x[p,a,k]: beneficiaries partner p serves with intervention k in area a."""
    served: dict[AreaItem, pulp.LpAffineExpression] = field(default_factory=dict)
    segment: dict[tuple[str, str, int], pulp.LpVariable] = field(default_factory=dict)
    pay: dict[Payment, pulp.LpVariable] = field(default_factory=dict)
    """Euros funder j pays for item in area a."""
    staff_posts: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    """Steps of fte_step of role r placed in area a (integer unless fixed)."""
    shortfall: dict[AreaItem, pulp.LpVariable] = field(default_factory=dict)
    min_area_coverage: pulp.LpVariable | None = None
    equity: pulp.LpAffineExpression | None = None
    """The equity term under policy.equity_measure (see optimization/equity.py), if defined."""
    constraints: dict[str, dict[object, pulp.LpConstraint]] = field(default_factory=dict)
    """Constraint family → key → constraint, for duals and binding-limit analysis."""
    cost_per_euro: float = 0.0
    """Objective weight of one euro of funded cost (the tie-break)."""
    shortfall_per_beneficiary: float = 0.0
    objective_scale: float = 1.0
    """The internal objective (before penalty and tie-break) is the contract's objective times
    this."""

    def fte(self, role_id: str, area_id: str) -> pulp.LpAffineExpression:
        """FTE of the role placed in the area: posts × fte_step."""
        return self.data.fte_step[role_id] * self.staff_posts[(role_id, area_id)]

    def add(self, family: str, key: object, constraint: pulp.LpConstraint) -> None:
        name = f"{family}__{len(self.constraints.setdefault(family, {}))}"
        self.problem += constraint, name
        self.constraints[family][key] = constraint


def build_model(
    scenario: Scenario, fixed_staff: Mapping[tuple[str, str], float] | None = None
) -> AllocationModel:
    """Build the model of the scenario; no solver is called.

    ``fixed_staff`` maps (role_id, area_id) to FTE: those posts are fixed (used to read LP duals
    of a MILP with its integer staff decisions fixed at their optimum).
    """
    data = prepare(scenario)
    model = AllocationModel(scenario, data, pulp.LpProblem("allocation", pulp.LpMaximize))
    add_service_variables(model)
    add_staff_variables(model, fixed_staff)
    define_coverage_constraints(model)
    define_returns_constraints(model)
    define_funding_constraints(model)
    define_funder_amount_constraints(model)
    define_earmark_constraints(model)
    define_staff_constraints(model)
    define_floor_constraints(model)
    define_equity_constraints(model)
    define_lock_constraints(model)
    define_loss_limit_constraints(model)
    define_objective(model)
    return model


def add_service_variables(model: AllocationModel) -> None:
    """x[p,a,k] ∈ [0, capacity]; served[a,k] = Σp x[p,a,k]."""
    served: dict[AreaItem, list[pulp.LpVariable]] = defaultdict(list)
    for n, ((p, a, k), arc) in enumerate(model.data.arcs.items()):
        var = model.problem.add_variable(f"serve_{n}", lowBound=0, upBound=arc.capacity)
        model.serve[(p, a, k)] = var
        served[(a, k)].append(var)
    model.served = {ak: pulp.lpSum(vs) for ak, vs in served.items()}


def add_staff_variables(
    model: AllocationModel, fixed: Mapping[tuple[str, str], float] | None
) -> None:
    """Posts of each role in each area, in whole steps of fte_step, at least the area minimum."""
    for role in sorted(model.scenario.staff, key=lambda r: r.role_id):
        lowest = min_posts(role)
        highest = math.floor(role.available_fte / role.fte_step + 1e-9)
        for n, a in enumerate(model.data.areas):
            name = f"posts_{role.role_id}_{n}"
            if fixed is not None:
                steps = fixed.get((role.role_id, a), 0.0) / role.fte_step
                var = model.problem.add_variable(name, lowBound=steps, upBound=steps)
            else:
                var = model.problem.add_variable(
                    name, lowBound=lowest, upBound=max(highest, lowest), cat=pulp.LpInteger
                )
            model.staff_posts[(role.role_id, a)] = var


def define_coverage_constraints(model: AllocationModel) -> None:
    """served[a,k] ≤ max_coverage[k] · need[a,k] (no need, no service)."""
    for ak, served in model.served.items():
        model.add("coverage", ak, served <= model.data.max_served.get(ak, 0.0))


def define_returns_constraints(model: AllocationModel) -> None:
    """served[a,k] = Σs segment[a,k,s], each segment at most its share of need.

    With one segment of weight 1 (no diminishing returns) the segments are skipped.
    """
    segments = model.data.segments
    if len(segments) == 1 and segments[0].weight == 1.0:
        return
    for (a, k), served in model.served.items():
        need = model.data.need.get((a, k), 0.0)
        parts = []
        for s, segment in enumerate(segments):
            var = model.problem.add_variable(
                f"segment_{len(model.segment)}", lowBound=0, upBound=segment.length * need
            )
            model.segment[(a, k, s)] = var
            parts.append(var)
        model.add("returns", (a, k), pulp.lpSum(parts) == served)


def define_funding_constraints(model: AllocationModel) -> None:
    """Every euro of net cost, and of staff cost, is paid by funders allowed to pay it."""
    for n, payment in enumerate(model.data.payments):
        model.pay[payment] = model.problem.add_variable(f"pay_{n}", lowBound=0)
    payers: dict[tuple[str, str], list[pulp.LpVariable]] = defaultdict(list)
    for (_, item, a), var in model.pay.items():
        payers[(item, a)].append(var)
    cost: dict[tuple[str, str], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for (_, a, k), var in model.serve.items():
        net = model.data.arcs[(_, a, k)].net_cost
        if net > 0:
            cost[(k, a)].append((var, net))
    for role in model.scenario.staff:
        for a in model.data.areas:
            cost[(staff_item(role.role_id), a)].append(
                (model.staff_posts[(role.role_id, a)], role.cost_per_fte * role.fte_step)
            )
    for item_area in sorted(cost):
        expense = pulp.LpAffineExpression(cost[item_area])
        model.add("funding", item_area, pulp.lpSum(payers.get(item_area, [])) == expense)


@dataclass(frozen=True)
class SpendingLimit:
    """What a funder spends on some payments, and the most it may: ``spent ≤ limit``."""

    key: str | int
    """The funder_id (a funder's amount), or the earmark row's index (its cap)."""
    spent: pulp.LpAffineExpression
    limit: float


def _payments_by_funder(
    pay: Mapping[Payment, pulp.LpVariable],
) -> dict[str, list[tuple[str, str, pulp.LpVariable]]]:
    by_funder: dict[str, list[tuple[str, str, pulp.LpVariable]]] = defaultdict(list)
    for (j, item, a), var in pay.items():
        by_funder[j].append((item, a, var))
    return by_funder


def funder_amount_limits(
    scenario: Scenario, pay: Mapping[Payment, pulp.LpVariable]
) -> list[SpendingLimit]:
    """Each funder spends at most its amount (after scale and overrides), over the payment
    variables given; funders with none are left out. Sorted by funder_id.

    The one builder of this family: the model, the rules' funding LP and the conflict finder
    each add these limits (with a safety margin or a slack of their own).
    """
    by_funder = _payments_by_funder(pay)
    return [
        SpendingLimit(
            f.funder_id,
            pulp.lpSum(var for _, _, var in by_funder[f.funder_id]),
            scenario.funder_amount(f),
        )
        for f in sorted(scenario.funders, key=lambda f: f.funder_id)
        if by_funder.get(f.funder_id)
    ]


def earmark_limits(
    scenario: Scenario, pay: Mapping[Payment, pulp.LpVariable]
) -> list[SpendingLimit]:
    """Each earmark row with a max_amount caps its funder's spending on the pairs it matches
    (not scaled by budget.scale); rows matching none of the payments given are left out."""
    by_funder = _payments_by_funder(pay)
    limits = []
    for n, earmark in enumerate(scenario.earmarks):
        if earmark.max_amount is None:
            continue
        matched = [
            var for item, a, var in by_funder.get(earmark.funder_id, []) if earmark.matches(item, a)
        ]
        if matched:
            limits.append(SpendingLimit(n, pulp.lpSum(matched), earmark.max_amount))
    return limits


def define_funder_amount_constraints(model: AllocationModel) -> None:
    """Each funder spends at most its amount (after scale and overrides)."""
    for limit in funder_amount_limits(model.scenario, model.pay):
        model.add("funder_amount", limit.key, limit.spent <= limit.limit)


def define_earmark_constraints(model: AllocationModel) -> None:
    """Each earmark row with a max_amount caps its funder's spending on the pairs it matches.

    Which pairs a funder may pay at all is already fixed by the payment variables that exist.
    """
    for limit in earmark_limits(model.scenario, model.pay):
        model.add("earmark", limit.key, limit.spent <= limit.limit)


def define_staff_constraints(model: AllocationModel) -> None:
    """Workload within the FTE placed in each area; FTE across areas within the role's availability.

    The minimum per area and the step are bounds of the posts variables.
    """
    for role in sorted(model.scenario.staff, key=lambda r: r.role_id):
        r = role.role_id
        for a in model.data.areas:
            workload = [
                (1.0 / per_fte) * model.served[(a, k)]
                for k, per_fte in model.data.role_interventions[r]
                if (a, k) in model.served
            ]
            if workload:
                model.add("staff_workload", (r, a), pulp.lpSum(workload) <= model.fte(r, a))
        total = pulp.lpSum(model.fte(r, a) for a in model.data.areas)
        model.add("staff_available", r, total <= role.available_fte)


def define_floor_constraints(model: AllocationModel) -> None:
    """Soft floor: served[a,k] + shortfall[a,k] ≥ min_coverage · need[a,k]."""
    for n, (ak, floor) in enumerate(sorted(model.data.floor.items())):
        var = model.problem.add_variable(f"shortfall_{n}", lowBound=0, upBound=floor)
        model.shortfall[ak] = var
        served = model.served.get(ak, pulp.LpAffineExpression())
        model.add("floor", ak, served + var >= floor)


def define_equity_constraints(model: AllocationModel) -> None:
    """The equity term (min or worst_share, see optimization/equity.py) when it is weighted."""
    floor = model.scenario.settings.policy.equity_floor
    if model.data.equity_weight > 0 or floor is not None:
        define_equity(model)
    if floor is not None:
        define_equity_floor(model, floor)


def define_objective(model: AllocationModel) -> None:
    """(1 − ew)·weighted coverage + ew·min area coverage − shortfall penalty − tie-break.

    Internally scaled by the value of all need, so one beneficiary of value 1 counts 1.
    """
    data = model.data
    policy = model.scenario.settings.policy
    ew = data.equity_weight
    scale = data.value_of_all_need or 1.0
    model.objective_scale = scale

    efficiency: list[tuple[pulp.LpVariable, float]] = []
    if model.segment:
        for (a, k, s), var in model.segment.items():
            efficiency.append((var, (1 - ew) * data.weight[(a, k)] * data.segments[s].weight))
    else:
        for (_, a, k), var in model.serve.items():
            efficiency.append((var, (1 - ew) * data.weight.get((a, k), 0.0)))
    objective = pulp.LpAffineExpression(efficiency)
    if model.equity is not None and ew > 0:
        objective += ew * scale * model.equity

    best_gain = (
        (1 - ew) * max(data.weight.values(), default=0.0) * max(s.weight for s in data.segments)
    )
    if ew > 0:
        best_gain += ew * scale * equity_gain_bound(model)
    model.shortfall_per_beneficiary = policy.shortfall_penalty * max(best_gain, 1.0)
    objective -= model.shortfall_per_beneficiary * pulp.lpSum(model.shortfall.values())

    dearest = max((arc.net_cost for arc in data.arcs.values()), default=0.0) or max(
        (r.cost_per_fte * r.fte_step for r in model.scenario.staff), default=0.0
    )
    per_beneficiary = policy.tie_break / dearest if dearest > 0 else 0.0
    budget = sum(data.funder_amount.values())
    # never more than tie_break of the objective, even if the whole budget were spent
    bound = policy.tie_break * scale / budget if budget > 0 else per_beneficiary
    model.cost_per_euro = min(per_beneficiary, bound)
    if model.cost_per_euro > 0:
        objective -= model.cost_per_euro * pulp.lpSum(model.pay.values())
    model.problem.setObjective(objective)
