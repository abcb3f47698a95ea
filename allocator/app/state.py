"""The meeting page's state: what the controls say, as scenario settings.

:class:`Controls` is what the room has set on the page (budget scale, each funder's amount, the
equity weight and measure, the floor, areas excluded, the limit on losses against today).
:func:`control_overrides` writes it as the dotted ``--set`` overrides of ``allocator run`` (so a
plan saved from the page can be made again from the command line), :func:`scenario_for` applies it
to the scenario. Everything here is plain Python, tested without a browser.

Controls appear only for settings the scenario schema has: ``policy.equity_measure`` and
``policy.max_area_loss`` / ``policy.max_partner_loss`` (DESIGN.md §6) are offered when
:class:`~allocator.inputs.schema.Policy` defines them. Excluding or protecting an area or a partner
sets the scenario's ``room.*`` settings (:class:`~allocator.inputs.schema.Room`), which add lock
rows as ``locks.csv`` does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from allocator.errors import UsageError
from allocator.inputs.schema import Policy, Scenario
from allocator.studies.variants import with_setting

EQUITY_MEASURES = {
    "worst_share": "quartieri più scoperti (quota del bisogno)",
    "min": "quartiere meno coperto",
}
"""``policy.equity_measure`` values (DESIGN.md §6) and how the page names them."""
LOSS_LIMITS = ("max_area_loss", "max_partner_loss")
"""Policy settings bounding what an area / a partner may lose against ``baseline.csv``."""


def has_policy(name: str) -> bool:
    """Whether the scenario schema has ``policy.<name>`` (controls appear only then)."""
    return name in Policy.model_fields


@dataclass(frozen=True)
class Controls:
    """The page's controls. ``None`` leaves a setting as the scenario has it."""

    budget_scale: float = 1.0
    funder_amounts: Mapping[str, float] = field(default_factory=dict)
    """funder_id → yearly amount before the scale (the scenario's amount when absent)."""
    equity_weight: float = 0.0
    equity_measure: str | None = None
    min_coverage: float = 0.0
    excluded_areas: frozenset[str] = frozenset()
    """Areas where no intervention is funded in this plan (locked out)."""
    protected_areas: frozenset[str] = frozenset()
    """Areas served at least as many beneficiaries as today (locked in)."""
    excluded_partners: frozenset[str] = frozenset()
    """Partners given nothing in this plan (locked out)."""
    protected_partners: frozenset[str] = frozenset()
    """Partners serving at least as many beneficiaries as today (locked in)."""
    max_area_loss: float | None = None
    max_partner_loss: float | None = None

    def with_(self, **changes: Any) -> Controls:
        return replace(self, **changes)


def base_amounts(scenario: Scenario) -> dict[str, float]:
    """Each funder's amount before the scale: ``[funders.<id>]`` overrides, else funders.csv."""
    amounts = {}
    for funder in scenario.funders:
        override = scenario.settings.funders.get(funder.funder_id)
        amounts[funder.funder_id] = override.amount if override is not None else funder.amount
    return amounts


def initial_controls(scenario: Scenario) -> Controls:
    """The controls as the scenario sets them (the page opens on the scenario's own plan)."""
    policy = scenario.settings.policy
    return Controls(
        budget_scale=scenario.settings.budget.scale,
        funder_amounts=base_amounts(scenario),
        equity_weight=policy.equity_weight,
        equity_measure=getattr(policy, "equity_measure", None),
        min_coverage=policy.min_coverage,
        max_area_loss=getattr(policy, "max_area_loss", None),
        max_partner_loss=getattr(policy, "max_partner_loss", None),
    )


def _number(value: float) -> str:
    return repr(round(float(value), 6))


def setting_changes(scenario: Scenario, controls: Controls) -> dict[str, Any]:
    """The settings keys the controls change against the scenario, with their new values."""
    start = initial_controls(scenario)
    changes: dict[str, Any] = {}
    if abs(controls.budget_scale - start.budget_scale) > 1e-12:
        changes["budget.scale"] = float(controls.budget_scale)
    changes.update(funder_changes(scenario, start, controls))
    changes.update(policy_changes(start, controls))
    changes.update(room_changes(scenario, controls))
    return changes


def funder_changes(scenario: Scenario, start: Controls, controls: Controls) -> dict[str, float]:
    """``funders.<id>.amount`` for each amount the controls change; a bad one a UsageError."""
    names = {f.funder_id: f.name for f in scenario.funders}
    changes: dict[str, float] = {}
    for funder_id, amount in sorted(controls.funder_amounts.items()):
        if funder_id not in start.funder_amounts:
            raise UsageError(f"il finanziatore '{funder_id}' non è nello scenario")
        if amount is None or math.isnan(amount) or math.isinf(amount):
            raise UsageError(f"manca l'importo di {names[funder_id]}")
        if amount < 0:
            raise UsageError(f"l'importo di {names[funder_id]} non può essere negativo")
        if abs(amount - start.funder_amounts[funder_id]) > 1e-9:
            changes[f"funders.{funder_id}.amount"] = float(amount)
    return changes


def policy_changes(start: Controls, controls: Controls) -> dict[str, Any]:
    """The ``policy.*`` settings the controls change (equity, floor, loss limits)."""
    changes: dict[str, Any] = {}
    if abs(controls.equity_weight - start.equity_weight) > 1e-12:
        changes["policy.equity_weight"] = float(controls.equity_weight)
    if controls.equity_measure is not None and controls.equity_measure != start.equity_measure:
        if not has_policy("equity_measure"):
            raise UsageError("questa versione non ha la scelta della misura di equità")
        changes["policy.equity_measure"] = controls.equity_measure
    if abs(controls.min_coverage - start.min_coverage) > 1e-12:
        changes["policy.min_coverage"] = float(controls.min_coverage)
    for name in LOSS_LIMITS:
        value = getattr(controls, name)
        if value != getattr(start, name):
            if not has_policy(name):
                raise UsageError(f"questa versione non ha il limite policy.{name}")
            changes[f"policy.{name}"] = None if value is None else float(value)
    return changes


ROOM_CONTROLS = {
    "exclude_areas": "excluded_areas",
    "protect_areas": "protected_areas",
    "exclude_partners": "excluded_partners",
    "protect_partners": "protected_partners",
}
"""``room.<key>`` setting → the control that sets it."""


def room_changes(scenario: Scenario, controls: Controls) -> dict[str, Any]:
    """The ``room.*`` settings the exclude and protect controls change, as sorted id lists."""
    room = scenario.settings.room
    for kind, excluded, protected in (
        ("quartieri", controls.excluded_areas, controls.protected_areas),
        ("enti", controls.excluded_partners, controls.protected_partners),
    ):
        if excluded & protected:
            both = ", ".join(sorted(excluded & protected))
            raise UsageError(f"{kind} sia esclusi sia protetti: {both}")
    changes: dict[str, Any] = {}
    for key, control in ROOM_CONTROLS.items():
        chosen = sorted(getattr(controls, control) | set(getattr(room, key)))
        if chosen != sorted(getattr(room, key)):
            changes[f"room.{key}"] = chosen
    return changes


def control_overrides(scenario: Scenario, controls: Controls) -> list[str]:
    """The controls as ``--set`` overrides (``budget.scale=0.9``, ``room.exclude_areas=["a2"]``),
    so a plan saved from the page is made again by ``allocator run`` with the same overrides."""
    overrides = []
    for key, value in setting_changes(scenario, controls).items():
        if isinstance(value, str):
            overrides.append(f'{key}="{value}"')
        elif isinstance(value, list):
            overrides.append(f"{key}={json.dumps(value)}")
        elif value is None:
            continue
        else:
            overrides.append(f"{key}={_number(value)}")
    return overrides


def scenario_for(scenario: Scenario, controls: Controls) -> Scenario:
    """The scenario as the controls set it. Bad values are a :class:`UsageError` in Italian."""
    changed = scenario
    for key, value in setting_changes(scenario, controls).items():
        try:
            changed = with_setting(changed, key, value)
        except UsageError as exc:
            raise UsageError(str(exc)) from None
    return changed
