"""The explanation as ``allocator run`` prints it: a few sentences, or with ``--explain`` the
tables too (marginal values, limits, where to strengthen, idle capacity), in the planner's
language, numbers as the formatter writes them (0,5 FTE stays 0,5), names in full, wrapped
to the terminal and never cut."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Group
from rich.text import Text

from allocator.render.console import fitted
from allocator.render.explanations import Explanation
from allocator.render.formats import MISSING, euro, number

RESOURCE_WORDS = {
    "it": {
        "partner_capacity": "posti presso",
        "staff_available": "personale",
        "funder_amount": "fondi di",
        "earmark_cap": "vincolo di destinazione di",
    },
    "en": {
        "partner_capacity": "places at",
        "staff_available": "staff",
        "funder_amount": "funds of",
        "earmark_cap": "earmark of",
    },
}
UNIT_WORDS = {"it": {"places": "posti"}, "en": {}}
HEADERS = {
    "it": {
        "title": "Perché questo piano",
        "marginal": "Valori marginali (confermati risolvendo di nuovo)",
        "resource": "risorsa",
        "change": "in più",
        "beneficiaries": "beneficiari in più",
        "gain": "guadagno ponderato",
        "limits": "Limiti",
        "strengthen": "Dove rafforzare",
        "area": "quartiere",
        "intervention": "intervento",
        "unmet": "non coperti raggiungibili",
        "limit": "limite",
        "idle": "Capacità inutilizzata",
        "partner": "ente",
        "places": "posti",
        "not_confirmed": "non confermato",
    },
    "en": {
        "title": "Why this plan",
        "marginal": "Marginal values (confirmed by re-solving)",
        "resource": "resource",
        "change": "more",
        "beneficiaries": "beneficiaries gained",
        "gain": "weighted gain",
        "limits": "Limits",
        "strengthen": "Where to strengthen",
        "area": "area",
        "intervention": "intervention",
        "unmet": "reachable unserved",
        "limit": "limit",
        "idle": "Idle capacity",
        "partner": "partner",
        "places": "places",
        "not_confirmed": "not confirmed",
    },
}


def change_text(change: float, unit: str, lang: str) -> str:
    """A finite change as a planner reads it: ``10.000 €``, ``0,5 FTE``, ``10 posti``."""
    if unit == "€":
        return euro(change, lang)
    return f"{number(change, lang, None)} {UNIT_WORDS[lang].get(unit, unit)}"


def _value(row: Any, column: str, default: Any = None) -> Any:
    return getattr(row, column, default)


def explanation_view(
    explanation: Explanation, long: bool = False, rows: int = 10, width: int = 80
) -> Group:
    """The explanation: a few lines, or (long) the tables too."""
    lang = explanation.lang
    h = HEADERS[lang]
    lines = explanation.sentences if long else explanation.short()
    parts: list[Any] = [Text(h["title"], style="bold")]
    parts += [Text(f"  - {line}") for line in lines]
    if not long or explanation.conflicts:
        return Group(*parts)
    marginal = explanation.marginal_values
    if len(marginal):
        table_rows = []
        for r in marginal.head(rows).itertuples(index=False):
            kind = str(_value(r, "resource_kind", ""))
            name = _value(r, "resource_name") or _value(r, "resource_id", "")
            confirmed = bool(_value(r, "confirmed", False))
            gained = _value(r, "beneficiaries_gain")
            weighted = _value(r, "weighted_gain")
            table_rows.append(
                [
                    f"{RESOURCE_WORDS[lang].get(kind, kind)} {name}",
                    change_text(float(_value(r, "change", 0.0)), str(_value(r, "unit", "")), lang),
                    number(float(gained), lang) if confirmed and gained is not None else MISSING,
                    number(float(weighted), lang, 1)
                    if confirmed and weighted is not None
                    else h["not_confirmed"],
                ]
            )
        headers = [(h["resource"], False), (h["change"], True)]
        headers += [(h["beneficiaries"], True), (h["gain"], True)]
        parts.append(fitted(h["marginal"], headers, table_rows, width))
    for title, frame in (
        (h["limits"], explanation.limits),
        (h["strengthen"], explanation.strengthen),
    ):
        if not len(frame):
            continue
        top = frame[frame["limit"] != "need_met"].sort_values(
            "reachable_unmet", ascending=False, kind="stable"
        )
        headers = [(h["area"], False), (h["intervention"], False)]
        headers += [(h["unmet"], True), (h["limit"], False)]
        table_rows = [
            [
                str(r.area_name),
                str(r.intervention_name),
                number(float(r.reachable_unmet), lang),
                str(r.limit_label),
            ]
            for r in top.head(rows).itertuples(index=False)
        ]
        parts.append(fitted(title, headers, table_rows, width))
    idle = explanation.idle_capacity
    if len(idle):
        areas, interventions = _names(explanation.limits)
        headers = [(h["partner"], False), (h["area"], False), (h["intervention"], False)]
        headers.append((h["places"], True))
        table_rows = [
            [
                str(r.partner_name),
                areas.get(str(r.area_id), str(r.area_id)),
                interventions.get(str(r.intervention_id), str(r.intervention_id)),
                number(float(r.usable_places), lang),
            ]
            for r in idle.head(rows).itertuples(index=False)
        ]
        parts.append(fitted(h["idle"], headers, table_rows, width))
    return Group(*parts)


def _names(limits: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """Area and intervention names from the limits table (which names every pair)."""
    if not len(limits):
        return {}, {}
    areas = dict(zip(limits["area_id"].astype(str), limits["area_name"], strict=True))
    interventions = dict(
        zip(limits["intervention_id"].astype(str), limits["intervention_name"], strict=True)
    )
    return areas, interventions
