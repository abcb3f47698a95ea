"""Numbers as planners read them: ``10.000`` and ``45,2%`` in Italian, ``10,000`` and ``45.2%``
in English. The one place numbers are turned into words for the terminal, reports and pages:
:func:`number`, :func:`share`, :func:`euro` and :func:`date` are Babel's locale formatting
(:mod:`allocator.i18n`, at the package's root so that every folder may write a number in a
sentence); the KPI-aware formats are built on them here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from allocator.i18n import date, euro, number, share
from allocator.postprocess.kpis import BY_KEY, KpiFormat, kpi_format
from allocator.postprocess.labels import status_word

__all__ = [
    "MISSING",
    "date",
    "euro",
    "formatted",
    "kpi_delta",
    "kpi_value",
    "moment",
    "number",
    "share",
    "whole_people",
]

MISSING = "–"


def formatted(value: Any, kind: KpiFormat, lang: str | None = None) -> str:
    """``value`` written as ``kind`` (a KPI format); ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if kind == "text":
        return str(value)
    v = float(value)
    if kind == "share":
        return share(v, lang)
    if kind == "euro":
        return euro(v, lang)
    if kind == "decimal":
        return number(v, lang, 4)
    if kind == "fte":
        return number(v, lang, 1)
    if kind == "seconds":
        return f"{number(v, lang, 2)} s"
    return number(v, lang)


def whole_people(values: Sequence[float]) -> list[int]:
    """People as whole numbers that add up: each value rounded down, then the units still missing
    to reach the rounded total go to the largest remainders (ties to the first)."""
    cleaned = [max(float(v), 0.0) if math.isfinite(float(v)) else 0.0 for v in values]
    floors = [math.floor(v + 1e-9) for v in cleaned]
    missing = round(sum(cleaned)) - sum(floors)
    order = sorted(range(len(cleaned)), key=lambda i: (-(cleaned[i] - floors[i]), i))
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return floors


def kpi_delta(key: str, value: Any, lang: str | None = None) -> str:
    """A difference of KPI ``key`` (or ``staff_fte.<role>``): signed, shares in percentage
    points, ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if not isinstance(value, int | float):
        return str(value)
    v = 0.0 if abs(float(value)) < 1e-9 else float(value)
    kind = BY_KEY[key].format if key in BY_KEY else None
    if kind == "share":
        text = f"{number(100 * v, lang, 1)} pp"
    elif kind in ("euro", "fte", "decimal", "seconds", "count"):
        text = formatted(v, kind, lang)
    else:
        text = number(v, lang, None)
    return f"+{text}" if v > 0 else text


def kpi_value(key: str, value: Any, lang: str | None = None) -> str:
    """The value of KPI ``key`` written as the registry says (the status in words)."""
    if key == "status" and isinstance(value, str):
        return status_word(value, lang)
    return formatted(value, kpi_format(key), lang)


def moment(iso: str, lang: str | None = None) -> str:
    """An ISO timestamp (``run.json``'s ``created``) as a planner reads it, in the machine's local
    time: ``4 dic 2026, 18:54``; the text itself when it is not a timestamp."""
    from datetime import datetime

    try:
        when = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso) if iso else MISSING
    return date(when.astimezone() if when.tzinfo is not None else when, lang)
