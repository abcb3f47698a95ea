"""The equity term of the objective, and the equity floor that traces the frontier.

Two measures (``policy.equity_measure``, docs/formulation.md):

- ``min``: ``z ≤ Σk served[a,k] / N[a]`` for every area with need; the term is ``z``, the KPI
  ``min_area_coverage``. One area that money cannot lift pins it.
- ``worst_share`` (default): the need-weighted mean coverage of the least-covered areas that
  together hold ``β = policy.equity_share`` of the total need ``T``, the area at the boundary
  counting in part: a CVaR of area coverage, the KPI ``worst_areas_coverage``. Linear
  (Rockafellar–Uryasev): ``W = t − Σa e[a] / (β·T)`` with ``e[a] ≥ N[a]·t − served[a]``,
  ``e[a] ≥ 0`` and ``t`` in [0, 1]; maximised (in the objective) or bounded below (the frontier),
  ``W`` is the CVaR, because the CVaR is the maximum of that expression over ``t``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import pulp

from allocator.inputs.schema import EquityMeasure

if TYPE_CHECKING:  # model.py calls define_equity: no import of it at run time
    from allocator.optimization.model import AllocationModel


def area_served(model: AllocationModel, area: str) -> pulp.LpAffineExpression:
    """Σk served[a,k]: the beneficiaries served in one area."""
    return pulp.lpSum(e for (a, _), e in model.served.items() if a == area)


def areas_with_need(model: AllocationModel) -> list[tuple[str, float]]:
    """(area, need) of every area with need, sorted by id."""
    need = model.data.area_need
    return [(a, need[a]) for a in model.data.areas if need.get(a, 0.0) > 0]


Served = Callable[[str], pulp.LpAffineExpression]
"""An area's served beneficiaries as an expression of the model's variables."""


@dataclass(frozen=True)
class Coverage:
    """The areas whose coverage an equity term measures, and where its rows go."""

    areas: Sequence[tuple[str, float]]
    """(area, need) of every area with need."""
    served: Served
    family: str
    """The constraint family of the rows."""
    tag: tuple[object, ...] = ()
    """Put before the area in each row's key (the robust plan's sample)."""

    def key(self, area: str) -> object:
        return (*self.tag, area) if self.tag else area


def min_term(
    model: AllocationModel, name: str, coverage: Coverage
) -> tuple[pulp.LpAffineExpression, pulp.LpVariable]:
    """z ≤ served(a) / N[a] for every area; returns (z as the term, z)."""
    z = model.problem.add_variable(name, lowBound=0, upBound=1)
    for a, need in coverage.areas:
        model.add(coverage.family, coverage.key(a), need * z <= coverage.served(a))
    return pulp.LpAffineExpression([(z, 1.0)]), z


def worst_share_term(
    model: AllocationModel, prefix: str, coverage: Coverage
) -> pulp.LpAffineExpression:
    """The CVaR at ``policy.equity_share`` of served(a) / N[a] (module docstring): variables
    ``<prefix>threshold`` and ``<prefix>excess_<n>``."""
    share = model.scenario.settings.policy.equity_share
    total = sum(need for _, need in coverage.areas)
    t = model.problem.add_variable(f"{prefix}threshold", lowBound=0, upBound=1)
    if total <= 0:
        return pulp.LpAffineExpression([(t, 1.0)])
    excess = []
    for n, (a, need) in enumerate(coverage.areas):
        e = model.problem.add_variable(f"{prefix}excess_{n}", lowBound=0, upBound=need)
        model.add(coverage.family, coverage.key(a), e >= need * t - coverage.served(a))
        excess.append((e, -1.0 / (share * total)))
    return pulp.LpAffineExpression([(t, 1.0), *excess])


def equity_term(model: AllocationModel, prefix: str, coverage: Coverage) -> pulp.LpAffineExpression:
    """The scenario's equity measure (``policy.equity_measure``) of ``coverage``: for one sample
    of the robust plan, as :func:`define_equity` builds it for the plan."""
    if model.scenario.settings.policy.equity_measure is EquityMeasure.MIN:
        return min_term(model, f"{prefix}min_area_coverage", coverage)[0]
    return worst_share_term(model, f"{prefix}worst_share_", coverage)


def plan_coverage(model: AllocationModel) -> Coverage:
    """The plan's areas, served as the model serves them, rows in family ``equity``."""
    return Coverage(areas_with_need(model), partial(area_served, model), "equity")


def define_equity_min(model: AllocationModel) -> pulp.LpAffineExpression:
    """z ≤ served[a] / N[a] for every area with need; returns z (min_area_coverage)."""
    term, model.min_area_coverage = min_term(model, "min_area_coverage", plan_coverage(model))
    return term


def define_equity_worst_share(model: AllocationModel) -> pulp.LpAffineExpression:
    """The CVaR at ``equity_share`` of area coverage over need; returns its expression W."""
    return worst_share_term(model, "worst_share_", plan_coverage(model))


def define_equity(model: AllocationModel) -> None:
    """The equity term ``model.equity`` under the scenario's measure (once)."""
    if model.equity is not None:
        return
    measure = model.scenario.settings.policy.equity_measure
    if measure is EquityMeasure.MIN:
        model.equity = define_equity_min(model)
    else:
        model.equity = define_equity_worst_share(model)


def define_equity_floor(model: AllocationModel, floor: float) -> None:
    """The frontier's constraint: the equity KPI at least ``floor`` (the term defined if needed).

    Call before solving a model built with ``equity_weight = 0``: the solver then maximises
    weighted coverage among the plans at least that equitable.
    """
    define_equity(model)
    assert model.equity is not None
    model.add("equity_floor", 0, model.equity >= floor)


def equity_gain_bound(model: AllocationModel) -> float:
    """The most one served beneficiary can add to the equity term (per unit of the term)."""
    areas = areas_with_need(model)
    if not areas:
        return 0.0
    if model.scenario.settings.policy.equity_measure is EquityMeasure.MIN:
        return 1.0 / min(need for _, need in areas)
    return 1.0 / (model.scenario.settings.policy.equity_share * sum(n for _, n in areas))


def worst_areas_coverage(areas: Iterable[tuple[float, float]], share: float) -> float:
    """The need-weighted mean coverage of the least-covered areas holding ``share`` of the need.

    ``areas``: (need, served) per area; areas without need are ignored. The area at the boundary
    counts for the part of its need that completes the share.
    """
    with_need = sorted(
        ((served / need, need) for need, served in areas if need > 0), key=lambda cn: cn[0]
    )
    total = sum(need for _, need in with_need)
    if total <= 0:
        return 0.0
    wanted = share * total
    taken = 0.0
    covered = 0.0
    for coverage, need in with_need:
        part = min(need, wanted - taken)
        if part <= 0:
            break
        covered += part * coverage
        taken += part
    return covered / taken if taken > 0 else 0.0
