"""The settings the room changed, in words: ``room.exclude_areas=["NIL_057"]`` → "Quartieri
esclusi: San Siro", ``budget.scale=0.8`` → "Scala degli importi dei finanziatori: 80% di quelli
dello scenario".

One sentence per ``--set`` override (the page's controls are overrides too), with names for ids
and the project's number formats; a key without a sentence of its own is shown as key and value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allocator.i18n import _
from allocator.inputs.schema import Scenario
from allocator.inputs.settings_layers import set_value
from allocator.postprocess.labels import code_word, column_label
from allocator.render.formats import euro, number, share

Worder = Callable[[Any, Scenario, str], str]


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
        return code_word("yes_no", value, lang)
    if isinstance(value, int | float):
        return number(float(value), lang, None)
    return str(value)


def _measure(value: Any, scenario: Scenario, lang: str) -> str:
    return code_word("equity_measure", value, lang)


SETTINGS: dict[str, Worder] = {
    "budget.scale": lambda v, s, lang: _("{share} of the scenario's", lang).format(
        share=share(float(v), lang, 0)
    ),
    "policy.equity_weight": _share,
    "policy.equity_measure": _measure,
    "policy.min_coverage": _share,
    "policy.max_area_loss": _share,
    "policy.max_partner_loss": _share,
    "room.exclude_areas": _listed("areas"),
    "room.protect_areas": _listed("areas"),
    "room.exclude_partners": _listed("partners"),
    "room.protect_partners": _listed("partners"),
    "solver.time_limit": _plain,
}
"""Settings key → how its value is worded (its label is the label registry's,
:mod:`allocator.postprocess.labels`)."""


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
        label = column_label(key, lang)
        return f"{label[:1].upper()}{label[1:]}: {SETTINGS[key](value, scenario, lang)}"
    return f"{key}: {_plain(value, scenario, lang)}"


def changes_in_words(overrides: Sequence[str], scenario: Scenario, lang: str = "it") -> list[str]:
    """Every override in words, in order; empty when the plan keeps the scenario's settings."""
    return [change_in_words(o, scenario, lang) for o in overrides if "=" in o]
