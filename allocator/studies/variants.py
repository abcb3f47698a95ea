"""Variants of a scenario: dotted settings overrides, and solving variants on one model.

Building the model is the costly part of a run on a large scenario. A variant that changes only
the budget (``budget.scale``, ``[funders.<id>] amount`` or the funders' amounts) or the need
figures (the uncertainty study's samples) has the same model but for some constants and
coefficients: :class:`WarmSolver` keeps the last model it built and, for such a variant, changes
those numbers (:func:`set_budget`, :func:`set_needs`) and solves again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from allocator.errors import UsageError
from allocator.i18n import _
from allocator.inputs.locks import unknown_room_ids
from allocator.inputs.schema import Budget, Scenario, Settings
from allocator.optimization.model import AllocationModel, define_objective, prepare
from allocator.optimization.pipeline import RunResult, run_scenario


def with_setting(scenario: Scenario, key: str, value: Any) -> Scenario:
    """The scenario with one settings key replaced, dotted as in scenario.toml: ``budget.scale``,
    ``policy.equity_weight``, ``funders.<funder_id>.amount``. Validated; a bad key or value is a
    :class:`UsageError`."""
    parts = key.split(".")
    data = scenario.settings.model_dump()
    if parts[0] == "funders":
        funder_ids = {f.funder_id for f in scenario.funders}
        if len(parts) != 3 or parts[1] not in funder_ids or parts[2] != "amount":
            raise UsageError(
                f"'{key}': funders are overridden as funders.<funder_id>.amount, with a funder_id "
                f"among {', '.join(sorted(funder_ids))}"
            )
        data["funders"].setdefault(parts[1], {})["amount"] = value
    else:
        node = data
        for depth, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                known = ", ".join(sorted(node)) if isinstance(node, dict) else "none"
                where = ".".join(parts[:depth]) or "the top level"
                raise UsageError(f"unknown setting '{key}': keys under {where} are {known}")
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node[part]
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(e["msg"] for e in exc.errors())
        raise UsageError(f"{key} = {value!r} is not valid: {reasons}") from None
    changed = scenario.model_copy(update={"settings": settings})
    for room_key, ids in unknown_room_ids(changed).items():
        unknown = (
            _("unknown areas: {ids}")
            if room_key.endswith("areas")
            else _("unknown partners: {ids}")
        )
        raise UsageError(unknown.format(ids=", ".join(ids)))
    return changed


def without_budget(scenario: Scenario) -> Scenario:
    """The scenario with every budget figure (and the name) blanked: two scenarios equal here
    differ only in their budget, so they share one model."""
    settings = scenario.settings.model_copy(
        update={"name": "-", "description": "", "budget": Budget(), "funders": {}}
    )
    funders = tuple(f.model_copy(update={"amount": 0.0}) for f in scenario.funders)
    return scenario.model_copy(
        update={"settings": settings, "funders": funders, "source_files": ()}
    )


def with_needs(scenario: Scenario, needs: dict[tuple[str, str], float]) -> Scenario:
    """The scenario with the need figures of ``needs`` ((area_id, intervention_id) → need);
    rows not named keep theirs."""
    rows = tuple(
        n.model_copy(update={"need": float(needs.get((n.area_id, n.intervention_id), n.need))})
        for n in scenario.needs
    )
    return scenario.model_copy(update={"needs": rows})


def without_numbers(scenario: Scenario) -> Scenario:
    """The scenario with the budget and the need figures blanked (the need rows' ids kept): two
    scenarios equal here differ only in numbers :func:`set_budget` and :func:`set_needs` change."""
    blank = without_budget(scenario)
    needs = tuple(n.model_copy(update={"need": 0.0}) for n in blank.needs)
    return blank.model_copy(update={"needs": needs})


NEED_FAMILIES = frozenset(
    {
        "coverage",
        "returns",
        "funding",
        "funder_amount",
        "earmark",
        "staff_workload",
        "staff_available",
        "floor",
        "equity",
    }
)
"""The constraint families whose need-dependent numbers :func:`set_needs` knows how to change."""


def _set_equity_needs(
    model: AllocationModel, scenario: Scenario, area_need: Mapping[str, float]
) -> None:
    """The equity rows' need coefficients, as optimization/equity.py writes them."""
    equity = model.constraints.get("equity", {})
    if model.min_area_coverage is not None:
        for a, need in area_need.items():
            if a in equity:
                equity[a].expr[model.min_area_coverage] = need
    elif equity and model.equity is not None:  # worst_share: e[a] ≥ N[a]·t − served[a]
        t = next(v for v in model.equity if v.name == "worst_share_threshold")
        for a, need in area_need.items():
            if a in equity:
                equity[a].expr[t] = -need
        total = sum(n for n in area_need.values() if n > 0)
        weight = -1.0 / (scenario.settings.policy.equity_share * total) if total > 0 else 0.0
        for var in list(model.equity):
            if var is not t:
                model.equity[var] = weight


def set_needs(model: AllocationModel, scenario: Scenario) -> bool:
    """Point a built model at a variant of its scenario with other need figures.

    Changes the coverage and floor bounds, the returns segments, the equity coefficients and the
    objective: the model is then the one :func:`~.model.build_model` would build. Returns False,
    changing nothing, when the variant cannot be reached this way (a need turned zero or nonzero,
    a constraint family this function does not know): build anew then.
    """
    data = prepare(scenario)
    old = model.data
    if (
        not set(model.constraints) <= NEED_FAMILIES
        or set(data.floor) != set(old.floor)
        or {a for a, n in data.area_need.items() if n > 0}
        != {a for a, n in old.area_need.items() if n > 0}
        or set(data.need) != set(old.need)
    ):
        return False
    coverage = model.constraints.get("coverage", {})
    for ak in model.served:
        coverage[ak].constant = -data.max_served.get(ak, 0.0)
    for (a, k, s), var in model.segment.items():
        var.upBound = data.segments[s].length * data.need.get((a, k), 0.0)
    floors = model.constraints.get("floor", {})
    for ak, floor in data.floor.items():
        floors[ak].constant = -floor
        model.shortfall[ak].upBound = floor
    _set_equity_needs(model, scenario, data.area_need)
    model.scenario = scenario
    model.data = data
    define_objective(model)
    return True


def set_budget(model: AllocationModel, scenario: Scenario) -> None:
    """Point a built model at a budget variant of its scenario: new funder-amount constants, and
    the objective again (the cheaper-plan tie-break is bounded by the budget)."""
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    for funder_id, constraint in model.constraints.get("funder_amount", {}).items():
        constraint.constant = -amounts[str(funder_id)]
    model.scenario = scenario
    model.data = dataclasses.replace(model.data, funder_amount=amounts)
    define_objective(model)


class WarmSolver:
    """Runs scenarios one after another, reusing the last built model for budget and need
    variants."""

    def __init__(self, reuse: bool = True) -> None:
        self.reuse = reuse
        self.built = 0
        """Models built."""
        self.reused = 0
        """Runs that reused a model."""
        self._model: AllocationModel | None = None
        self._key: Scenario | None = None

    def run(self, scenario: Scenario) -> RunResult:
        """As :func:`~.pipeline.run_scenario`, on the kept model when possible."""
        key = without_numbers(scenario) if self.reuse else None
        model = self._model
        if model is not None and key is not None and key == self._key:
            same_needs = scenario.needs == model.scenario.needs
            if same_needs or set_needs(model, scenario):
                set_budget(model, scenario)
                result = run_scenario(scenario, model=model)
                if result.model is not None:
                    self.reused += 1
                return result
        result = run_scenario(scenario)
        if result.model is not None:
            self.built += 1
            self._model, self._key = result.model, key
        return result
