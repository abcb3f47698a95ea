"""What ``compare`` compares: scenarios solved now, or run folders read back without re-solving.

Each input becomes a :class:`ComparedPlan`; :func:`compare_many` adds the first one's rules of
thumb when asked and builds the :class:`~allocator.studies.compare.Comparison`;
:func:`comparison_name` names the output folder after every plan compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult
from allocator.outputs.run_folder import slug
from allocator.outputs.run_reader import RunFolder
from allocator.postprocess.results import Plan
from allocator.studies.compare import (
    Comparison,
    Description,
    RuleApplied,
    comparable_objectives,
    compare_plans,
    unique_labels,
)

MAX_NAME = 100
"""Longest folder name made of the compared names; longer ones are shortened with a digest."""


@dataclass(frozen=True)
class ComparedPlan:
    """One plan to compare, with what the comparison shows of it."""

    name: str
    """The scenario's name, with the run's ``--set`` overrides if any."""
    plan: Plan
    description: str = ""
    scenario: Scenario | None = None
    """The inputs (partners' names, rules of thumb), when they are at hand."""
    policy: Mapping[str, Any] | None = None
    """The policy the plan was made under (what its objective weighs), as run.json records it."""


def from_result(
    result: RunResult, overrides: Sequence[str] = (), name: str | None = None
) -> ComparedPlan:
    """A run solved now (it must have a plan), named ``name`` or after its scenario."""
    if result.plan is None:
        raise ValueError(f"{result.scenario.name} has no plan to compare")
    if name is None:
        name = result.scenario.name
        name = f"{name} ({', '.join(overrides)})" if overrides else name
    return ComparedPlan(
        name=name,
        plan=result.plan,
        description=result.scenario.settings.description,
        scenario=result.scenario,
        policy=result.scenario.settings.policy.model_dump(mode="json"),
    )


def from_run_folder(run: RunFolder) -> ComparedPlan:
    """A run folder as written: its plan, and its inputs when still unchanged."""
    recorded = run.provenance.get("settings") or {}
    return ComparedPlan(
        name=run.label,
        plan=run.plan(),
        description=run.description,
        scenario=run.scenario(),
        policy=recorded.get("policy"),
    )


def compare_many(
    items: Sequence[ComparedPlan],
    with_rules: bool = False,
    advance: Callable[[], None] | None = None,
) -> tuple[Comparison, dict[str, Description]]:
    """Compare the plans, the first the reference; with the first one's rules of thumb if asked.

    Returns the comparison and each label's description. ``advance`` is called after each rule.
    """
    from allocator.studies.rules import RULES

    if not items:
        raise UsageError("nothing to compare")
    labels = unique_labels([item.name for item in items])
    plans: dict[str, Plan] = {}
    descriptions: dict[str, Description] = {}
    names: dict[str, str] = {}
    kinds: dict[str, dict[str, str]] = {"intervention": {}, "role": {}}
    for label, item in zip(labels, items, strict=True):
        plans[label] = item.plan
        descriptions[label] = item.description
        if item.scenario is not None:
            names.update({p.partner_id: p.name for p in item.scenario.partners})
            kinds["intervention"].update(
                {i.intervention_id: i.name for i in item.scenario.interventions}
            )
            kinds["role"].update({r.role_id: r.name for r in item.scenario.staff})
    if with_rules:
        first = items[0].scenario
        if first is None:
            raise UsageError(
                f"--with-rules needs the inputs of '{items[0].name}', which are missing or "
                "changed since that run: compare the scenario folder instead"
            )
        for make in RULES.values():
            rule = make(first)
            if advance is not None:
                advance()
            if rule is None:
                continue
            label = f"regola: {rule.label}"
            plans[label] = rule.plan
            descriptions[label] = RuleApplied(rule.rule, labels[0], len(rule.clipped))
    comparable = comparable_objectives(item.policy for item in items)
    compared = compare_plans(plans, names, objective_compared=comparable, names_by_kind=kinds)
    return compared, descriptions


def comparison_name(names: Sequence[str]) -> str:
    """The name of a comparison's folder: every compared name, shortened (with a digest that
    keeps it unique) only when the folder name would be too long."""
    full = "compare " + " vs ".join(names)
    if len(slug(full)) <= MAX_NAME:
        return full
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
    return f"compare {names[0]} and {len(names) - 1} more {digest}"
