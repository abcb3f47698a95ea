"""Variants of a scenario: dotted settings overrides, and solving budget variants on one model.

Building the model is the costly part of a run on a large scenario. A variant that changes only
the budget (``budget.scale``, ``[funders.<id>] amount`` or the funders' amounts) has the same
model but for the right-hand side of the funder-amount constraints: :class:`WarmSolver` keeps the
last model it built and, for such a variant, changes those constants and solves again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import ValidationError

from allocator.errors import UsageError
from allocator.inputs.schema import Budget, Scenario, Settings
from allocator.optimization.model import AllocationModel
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
    return scenario.model_copy(update={"settings": settings})


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


def set_budget(model: AllocationModel, scenario: Scenario) -> None:
    """Point a built model at a budget variant of its scenario: new funder-amount constants."""
    amounts = {f.funder_id: scenario.funder_amount(f) for f in scenario.funders}
    for funder_id, constraint in model.constraints.get("funder_amount", {}).items():
        constraint.constant = -amounts[str(funder_id)]
    model.scenario = scenario
    model.data = dataclasses.replace(model.data, funder_amount=amounts)


class WarmSolver:
    """Runs scenarios one after another, reusing the last built model for budget variants."""

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
        key = without_budget(scenario) if self.reuse else None
        if self._model is not None and key is not None and key == self._key:
            set_budget(self._model, scenario)
            result = run_scenario(scenario, model=self._model)
            if result.model is not None:
                self.reused += 1
            return result
        result = run_scenario(scenario)
        if result.model is not None:
            self.built += 1
            self._model, self._key = result.model, key
        return result
