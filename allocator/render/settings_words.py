"""The settings the room changed, in words: ``room.exclude_areas=["NIL_057"]`` → "Quartieri
esclusi: San Siro", ``budget.scale=0.8`` → "Importi dei finanziatori: 80% di quelli dello scenario".

One sentence per ``--set`` override (the page's controls are overrides too), with names for ids
and the project's number formats; a key without a sentence of its own is shown as key and value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allocator.i18n import N_, _
from allocator.inputs.schema import Scenario
from allocator.inputs.settings_layers import set_value
from allocator.render.formats import euro, number, share

Worder = Callable[[Any, Scenario, str], str]

EQUITY_MEASURES = {"worst_share": N_("worst-covered areas"), "min": N_("least-covered area")}


def _names(scenario: Scenario, kind: str) -> dict[str, str]:
    if kind == "areas":
        return {a.area_id: a.name for a in scenario.areas}
    return {p.partner_id: p.name for p in scenario.partners}


def _listed(kind: str) -> Worder:
    def word(value: Any, scenario: Scenario, lang: str) -> str:
        names = _names(scenario, kind)
        ids = value if isinstance(value, list | tuple) else [value]
        return ", ".join(names.get(str(i), str(i)) for i in ids) or "–"

    return word


def _share(value: Any, scenario: Scenario, lang: str) -> str:
    return share(float(value), lang, 0) if value is not None else "–"


def _plain(value: Any, scenario: Scenario, lang: str) -> str:
    if isinstance(value, bool):
        return _("yes", lang) if value else _("no", lang)
    if isinstance(value, int | float):
        return number(float(value), lang, None)
    return str(value)


def _measure(value: Any, scenario: Scenario, lang: str) -> str:
    measure = EQUITY_MEASURES.get(str(value))
    return str(value) if measure is None else _(measure, lang)


SETTINGS: dict[str, tuple[str, Worder]] = {
    "budget.scale": (
        N_("Funders' amounts"),
        lambda v, s, lang: _("{share} of the scenario's", lang).format(
            share=share(float(v), lang, 0)
        ),
    ),
    "policy.equity_weight": (N_("Weight of equity"), _share),
    "policy.equity_measure": (N_("Equity measure"), _measure),
    "policy.min_coverage": (N_("Minimum coverage of every area and intervention"), _share),
    "policy.max_area_loss": (N_("Largest loss of an area against today"), _share),
    "policy.max_partner_loss": (N_("Largest loss of a partner against today"), _share),
    "room.exclude_areas": (N_("Areas excluded"), _listed("areas")),
    "room.protect_areas": (N_("Areas protected (at least today's)"), _listed("areas")),
    "room.exclude_partners": (N_("Partners excluded"), _listed("partners")),
    "room.protect_partners": (N_("Partners guaranteed (at least today's)"), _listed("partners")),
    "solver.time_limit": (N_("Time limit (s)"), _plain),
}
"""Settings key → (its label, a msgid translated at use; how its value is worded)."""


def change_in_words(override: str, scenario: Scenario, lang: str = "it") -> str:
    """One ``key=value`` override as a planner reads it (names for ids, formatted numbers)."""
    key, _equals, text = override.partition("=")
    key = key.strip()
    try:
        value: Any = set_value(text)
    except ValueError:
        value = text
    parts = key.split(".")
    if parts[0] == "funders" and len(parts) == 3:
        names = {f.funder_id: f.name for f in scenario.funders}
        amount = euro(float(value), lang) if isinstance(value, int | float) else str(value)
        return _("Amount of {funder}: {amount}", lang).format(
            funder=names.get(parts[1], parts[1]), amount=amount
        )
    if key in SETTINGS:
        label, worder = SETTINGS[key]
        return _(label, lang) + ": " + worder(value, scenario, lang)
    return f"{key}: {_plain(value, scenario, lang)}"


def changes_in_words(overrides: Sequence[str], scenario: Scenario, lang: str = "it") -> list[str]:
    """Every override in words, in order; empty when the plan keeps the scenario's settings."""
    return [change_in_words(o, scenario, lang) for o in overrides if "=" in o]
