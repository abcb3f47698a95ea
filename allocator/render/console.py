"""Tables for the terminal, in the planner's language: KPI and column labels from the registries
(:mod:`allocator.postprocess.kpis`, :mod:`allocator.postprocess.labels`), numbers
from :mod:`allocator.render.formats`, cells wrapped (never cut) so a table fits 80 columns.

Every command that prints a table of results (compare, sweep, frontier, batch, the explanation of
``run --explain``) builds it here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from rich.console import Group
from rich.table import Table

from allocator.lang import lang_or_current
from allocator.postprocess import labels
from allocator.postprocess.kpis import BY_KEY, KpiFormat, kpi_label
from allocator.postprocess.labels import status_word
from allocator.render.formats import MISSING, formatted, kpi_delta, kpi_value, number

DECIMAL_COLUMNS = {"marginal_objective_per_100k": 4}
"""Non-KPI columns written with a fixed number of decimals."""


def column_label(column: str, lang: str) -> str:
    """The header of ``column``: the KPI registry's label, else the label registry's, else
    itself (the tables printed here are mostly of KPIs)."""
    if column in BY_KEY:
        return kpi_label(column, lang)
    return labels.column_label(column, lang)


def yes_no(value: bool, lang: str) -> str:
    return labels.code_word("yes_no", bool(value), lang)


def cell(column: str, value: Any, lang: str) -> str:
    """One cell: KPIs as the registry says, statuses and booleans in words, other numbers
    with the language's separators (up to two decimals, none for whole numbers)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if column == "status":
        return status_word(value, lang)
    if isinstance(value, bool):
        return yes_no(value, lang)
    if column in BY_KEY:
        return kpi_value(column, value, lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = DECIMAL_COLUMNS.get(column)
        return number(float(value), lang, decimals)
    if hasattr(value, "item"):  # numpy scalars
        return cell(column, value.item(), lang)
    return str(value)


def new_table(
    title: str | None, headers: Sequence[tuple[str, bool]], widths: Sequence[int | None] = ()
) -> Table:
    """An empty table: (header, numeric) pairs, and the least width of each column (its widest
    number, so numbers never break). Text wraps and folds, never an ellipsis."""
    table = Table(title=title, title_justify="left", expand=False)
    for index, (header, numeric) in enumerate(headers):
        table.add_column(
            header,
            justify="right" if numeric else "left",
            overflow="fold",
            min_width=widths[index] if index < len(widths) else None,
        )
    return table


KEY_WIDTH = 26
"""The widest the first (label) column gets before its text wraps."""
KEY_SOFT = 20
"""The first column is given up to this width (its texts wrap less) before the others."""


def _needed(header: str, cells: Sequence[str], numeric: bool) -> int:
    """The width a column needs: its widest number (numbers never break), or its longest word."""
    words = [w for text in (header, *cells) for w in text.split()] or [""]
    widest = max(len(c) for c in cells) if cells and numeric else 0
    return max(widest, max(len(w) for w in words), 1) + 3  # padding and border


def fitted(
    title: str | None,
    headers: Sequence[tuple[str, bool]],
    rows: Sequence[Sequence[str]],
    width: int = 80,
) -> Group:
    """The table in as many blocks of columns as it takes to fit ``width``, each block repeating
    the first column: wrapped, never cut."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]
    longest = max((len(c) for c in columns[0]), default=0)
    key = min(
        max(_needed(headers[0][0], columns[0], False), min(longest, KEY_SOFT) + 3), KEY_WIDTH + 3
    )
    blocks: list[list[int]] = [[]]
    used = key + 1
    for index in range(1, len(headers)):
        need = _needed(headers[index][0], columns[index], headers[index][1])
        if blocks[-1] and used + need > width - 2:
            blocks.append([])
            used = key + 1
        blocks[-1].append(index)
        used += need
    tables = []
    for number_, block in enumerate(blocks):
        chosen = [0, *block]
        least = [
            max((len(c) for c in columns[i]), default=0) if headers[i][1] else None for i in chosen
        ]
        least[0] = _needed(headers[0][0], columns[0], False) - 3  # its longest word stays whole
        table = new_table(title if number_ == 0 else None, [headers[i] for i in chosen], least)
        table.columns[0].max_width = KEY_WIDTH
        for row in rows:
            table.add_row(*(row[i] for i in chosen))
        tables.append(table)
    return Group(*tables)


def frame_table(
    title: str | None,
    frame: pd.DataFrame,
    columns: Sequence[str],
    lang: str | None = None,
    labels: Mapping[str, str] | None = None,
    width: int = 80,
    formats: Mapping[str, KpiFormat] | None = None,
) -> Group:
    """Some columns of ``frame`` (those present) as a table in ``lang``; ``labels`` and
    ``formats`` name and format columns the KPI registry does not know."""
    lang = lang_or_current(lang)
    shown = [c for c in columns if c in frame.columns]
    headers = [
        ((labels or {}).get(c) or column_label(c, lang), _numeric(frame[c], c)) for c in shown
    ]
    kinds = formats or {}
    rows = [
        [
            formatted(v, kinds[c], lang) if c in kinds and v is not None else cell(c, v, lang)
            for c, v in zip(shown, row, strict=True)
        ]
        for row in frame[shown].itertuples(index=False, name=None)
    ]
    return fitted(title, headers, rows, width)


def _numeric(series: pd.Series, column: str) -> bool:
    return column != "status" and (
        pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    )


def kpi_key_label(key: str, lang: str, role_names: Mapping[str, str] | None = None) -> str:
    """A KPI row's label; ``staff_fte.<role>`` as the role's name."""
    if key.startswith("staff_fte."):
        role = key.split(".", 1)[1]
        name = (role_names or {}).get(role, role)
        return f"{labels.column_label('staff_fte', lang)}: {name}"
    return column_label(key, lang)


def kpi_value_cell(key: str, value: Any, lang: str) -> str:
    if key.startswith("staff_fte."):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        return number(float(value), lang, None)
    return cell(key, value, lang)


def kpi_comparison_table(
    title: str | None,
    kpis: pd.DataFrame,
    labels: Sequence[str],
    deltas: Sequence[str] = (),
    lang: str | None = None,
    role_names: Mapping[str, str] | None = None,
    skip: Sequence[str] = ("solve_seconds",),
    width: int = 80,
) -> Group:
    """KPIs side by side: one row per KPI (column ``kpi``), one column per plan, then Δ columns."""
    lang = lang_or_current(lang)
    headers = [(column_label("kpi", lang), False), *((label, True) for label in labels)]
    headers += [(f"Δ {label}", True) for label in deltas]
    rows = []
    for record in kpis.to_dict("records"):
        key = str(record["kpi"])
        if key in skip:
            continue
        values = [kpi_value_cell(key, record.get(label), lang) for label in labels]
        changes = [kpi_delta(key, record.get(f"Δ {label}"), lang) for label in deltas]
        rows.append([kpi_key_label(key, lang, role_names), *values, *changes])
    return fitted(title, headers, rows, width)
