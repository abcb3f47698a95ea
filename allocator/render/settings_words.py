"""The settings the room changed, in words: ``room.exclude_areas=["NIL_057"]`` → "Quartieri
esclusi: San Siro", ``budget.scale=0.8`` → "Importi dei finanziatori: 80% di quelli dello scenario".

One sentence per ``--set`` override (the page's controls are overrides too), with names for ids
and the project's number formats; a key without a sentence of its own is shown as key and value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allocator.inputs.schema import Scenario
from allocator.inputs.settings_layers import set_value
from allocator.render.formats import euro, number, share

Worder = Callable[[Any, Scenario, str], str]

EQUITY_MEASURES = {
    "worst_share": ("quartieri più scoperti", "worst-covered areas"),
    "min": ("quartiere meno coperto", "least-covered area"),
}


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
        return ("sì" if value else "no") if lang == "it" else ("yes" if value else "no")
    if isinstance(value, int | float):
        return number(float(value), lang, None)
    return str(value)


def _measure(value: Any, scenario: Scenario, lang: str) -> str:
    pair = EQUITY_MEASURES.get(str(value))
    return str(value) if pair is None else pair[0 if lang == "it" else 1]


SETTINGS: dict[str, tuple[str, str, Worder]] = {
    "budget.scale": (
        "Importi dei finanziatori",
        "Funders' amounts",
        lambda v, s, lang: (
            f"{share(float(v), lang, 0)} "
            + ("di quelli dello scenario" if lang == "it" else "of the scenario's")
        ),
    ),
    "policy.equity_weight": ("Peso dell'equità", "Weight of equity", _share),
    "policy.equity_measure": ("Misura dell'equità", "Equity measure", _measure),
    "policy.min_coverage": (
        "Copertura minima di ogni quartiere e intervento",
        "Minimum coverage of every area and intervention",
        _share,
    ),
    "policy.max_area_loss": (
        "Perdita massima di un quartiere rispetto a oggi",
        "Largest loss of an area against today",
        _share,
    ),
    "policy.max_partner_loss": (
        "Perdita massima di un ente rispetto a oggi",
        "Largest loss of a partner against today",
        _share,
    ),
    "room.exclude_areas": ("Quartieri esclusi", "Areas excluded", _listed("areas")),
    "room.protect_areas": (
        "Quartieri protetti (almeno quanto oggi)",
        "Areas protected (at least today's)",
        _listed("areas"),
    ),
    "room.exclude_partners": ("Enti esclusi", "Partners excluded", _listed("partners")),
    "room.protect_partners": (
        "Enti garantiti (almeno quanto oggi)",
        "Partners guaranteed (at least today's)",
        _listed("partners"),
    ),
    "solver.time_limit": ("Tempo massimo di calcolo (s)", "Time limit (s)", _plain),
}
"""Settings key → (Italian label, English label, how its value is worded)."""


def change_in_words(override: str, scenario: Scenario, lang: str = "it") -> str:
    """One ``key=value`` override as a planner reads it (names for ids, formatted numbers)."""
    key, _, text = override.partition("=")
    key = key.strip()
    try:
        value: Any = set_value(text)
    except ValueError:
        value = text
    parts = key.split(".")
    if parts[0] == "funders" and len(parts) == 3:
        names = {f.funder_id: f.name for f in scenario.funders}
        head = "Importo di" if lang == "it" else "Amount of"
        amount = euro(float(value), lang) if isinstance(value, int | float) else str(value)
        return f"{head} {names.get(parts[1], parts[1])}: {amount}"
    if key in SETTINGS:
        it, en, worder = SETTINGS[key]
        return f"{it if lang == 'it' else en}: {worder(value, scenario, lang)}"
    return f"{key}: {_plain(value, scenario, lang)}"


def changes_in_words(overrides: Sequence[str], scenario: Scenario, lang: str = "it") -> list[str]:
    """Every override in words, in order; empty when the plan keeps the scenario's settings."""
    return [change_in_words(o, scenario, lang) for o in overrides if "=" in o]
