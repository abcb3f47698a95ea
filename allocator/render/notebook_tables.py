"""Tables for the notebooks, as a planner reads them: headers in the planner's language, names in
place of ids, numbers as :mod:`allocator.render.formats` writes them (``20.431``, ``49,9%``,
``9.313.729 €``), statuses and yes/no in words, ``–`` where a value is missing.

The headers come from the one label registry (:mod:`allocator.postprocess.labels`, the KPIs'
own in :mod:`allocator.postprocess.kpis`); a column it does not name needs a label from the
caller, so no internal key reaches a notebook as a header. Every cell is text: what the
notebook shows is what the planner reads, never a float pandas writes its own way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.lang import lang_or_current
from allocator.outputs.workbook import ID_NAMES, names_of
from allocator.postprocess.kpis import BY_KEY, KpiFormat
from allocator.postprocess.labels import code_word, column_format, column_label, find
from allocator.render.bundle import PlanBundle
from allocator.render.console import cell, kpi_key_label, kpi_value_cell
from allocator.render.formats import MISSING, formatted, kpi_delta

Names = Scenario | PlanBundle | None
"""Where the names of the ids come from: a scenario, or a bundle's scenario."""


def _names(source: Names) -> dict[str, dict[str, str]]:
    scenario = source.scenario if isinstance(source, PlanBundle) else source
    return names_of(scenario)


def _header_and_kind(
    column: str,
    table: str,
    lang: str,
    names: Mapping[str, Mapping[str, str]],
    labels: Mapping[str, str],
    formats: Mapping[str, KpiFormat],
) -> tuple[str, KpiFormat | None]:
    """The column's header and number format (None for text): the caller's, else the label
    registry's (an id column shown by names takes its name column's header); a ValueError when
    neither names the column."""
    key = ID_NAMES[column] if names.get(column) else column
    shown = column_format(key, table)
    kind = formats.get(column) or (None if shown == "text" else cast(KpiFormat, shown))
    if column in labels:
        return labels[column], kind
    header = column_label(key, lang, table, names)
    if header == key and find(key, table) is None and key not in BY_KEY:
        raise ValueError(f"column {column!r} has no header: give it one in labels")
    return header, kind


def _text(column: str, value: Any, kind: KpiFormat | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return MISSING
    if isinstance(value, str) and column == "kind":
        return code_word("funder_kind", value, lang)
    if kind is not None and not isinstance(value, bool) and column != "status":
        return formatted(value, kind, lang)
    return cell(column, value, lang)


def planner_table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    names: Names = None,
    *,
    table: str = "",
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, KpiFormat] | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """``columns`` of ``frame``, in that order, as text a planner reads: an id column
    (``partner_id``, ``area_id``, ``intervention_id``, ``funder_id``, ``role_id``) shows the
    names of ``names`` (a scenario or a bundle); ``table`` is the plan's table the frame is (its
    ``name`` column is the area's in ``areas``); ``labels`` and ``formats`` name and format the
    columns no registry knows."""
    lang = lang_or_current(lang)
    known = _names(names)
    shown: dict[str, list[str]] = {}
    for column in columns:
        values = frame[column]
        if known.get(column):
            values = values.map(lambda v, k=known[column]: k.get(str(v), v))
        header, kind = _header_and_kind(column, table, lang, known, labels or {}, formats or {})
        shown[header] = [_text(column, v, kind, lang) for v in values]
    return _frame(shown, len(frame))


def _frame(columns: Mapping[str, list[str]], rows: int) -> pd.DataFrame:
    """Text columns under a blank index (row numbers mean nothing to a planner)."""
    return pd.DataFrame(dict(columns), index=[""] * rows)


def _kpi_rows(kpis: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The KPIs as (key, value), ``staff_fte`` spread over ``staff_fte.<role>``."""
    rows: list[tuple[str, Any]] = []
    for key, value in kpis.items():
        if isinstance(value, Mapping):
            rows += [(f"{key}.{inner}", v) for inner, v in value.items()]
        else:
            rows.append((key, value))
    return rows


def kpi_table(
    kpis: Mapping[str, Any],
    names: Names = None,
    *,
    skip: Sequence[str] = ("solve_seconds",),
    lang: str | None = None,
) -> pd.DataFrame:
    """A plan's key figures (``plan.kpis``) in two columns, indicator and value, each written as
    the KPI registry says; the status in words; staff by the role's name."""
    lang = lang_or_current(lang)
    roles = _names(names).get("role_id", {})
    rows = [(k, v) for k, v in _kpi_rows(kpis) if k not in skip]
    return _frame(
        {
            column_label("kpi", lang): [kpi_key_label(k, lang, roles) for k, _ in rows],
            column_label("value", lang): [kpi_value_cell(k, v, lang) for k, v in rows],
        },
        len(rows),
    )


def kpi_columns(
    frame: pd.DataFrame,
    values: Mapping[str, str],
    names: Names = None,
    *,
    changes: Mapping[str, str] | None = None,
    key: str = "kpi",
    skip: Sequence[str] = ("solve_seconds",),
    lang: str | None = None,
) -> pd.DataFrame:
    """A frame with one KPI per row (its key in column ``key``: ``compare``'s KPIs, the price of
    the negotiation) as text: ``values`` are columns of values, ``changes`` columns of
    differences (signed, shares in points), each mapped to its header."""
    lang = lang_or_current(lang)
    roles = _names(names).get("role_id", {})
    records = [r for r in frame.to_dict("records") if str(r[key]) not in skip]
    shown = {column_label("kpi", lang): [kpi_key_label(str(r[key]), lang, roles) for r in records]}
    for column, header in values.items():
        shown[header] = [kpi_value_cell(str(r[key]), r.get(column), lang) for r in records]
    for column, header in (changes or {}).items():
        shown[header] = [kpi_delta(str(r[key]), r.get(column), lang) for r in records]
    return _frame(shown, len(records))


def rule_lines(bundle: PlanBundle) -> list[str]:
    """What the rules of thumb do with the same money, in the bundle's language, as ``run``
    prints it."""
    from allocator.render.gains import rule_sentences
    from allocator.studies.frontier import equity_key

    budget = float(bundle.plan.kpis["budget_total"])
    return rule_sentences(bundle.rules, equity_key(bundle.scenario), budget, bundle.why.lang)
