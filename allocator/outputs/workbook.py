"""``results.xlsx`` as planners open and print it.

A first sheet says which plan it is (:mod:`allocator.outputs.workbook_settings`), then the KPIs,
then one sheet per table of the run. Sheet names, headers and coded values in the planner's
language from the one label registry (:mod:`allocator.postprocess.labels`, KPIs from
:mod:`allocator.postprocess.kpis`); names beside ids; numbers kept as numbers with € and %
formats; every sheet printable: landscape A4, fitted to the page's width, its header row repeated
on each page and frozen on screen, page numbers at the foot.

Every text cell is written as text, never as a formula (a name starting with ``=`` stays a name);
numbers stay numbers (rounded to remove solver noise), shown whole where they count people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from allocator.inputs.schema import Scenario
from allocator.lang import lang_or_current
from allocator.outputs.table_io import sheet_text
from allocator.outputs.workbook_settings import settings_rows
from allocator.postprocess.kpis import BY_KEY, KPIS, kpi_label
from allocator.postprocess.labels import (
    code_word,
    column_format,
    column_label,
    find,
    shown_code,
)

FORMATS = {
    "euro": '#,##0 "€"',
    "share": "0.0%",
    "count": "#,##0",
    "fte": "#,##0.0",
    "decimal": "#,##0.0000",
    "seconds": "0.00",
}
"""Excel number formats by format kind (Excel shows the separators of the reader's locale)."""
NUMBER = "#,##0.##"
"""The format of a number in a column the registry does not know."""
DATES = {"it": "[$-410]d mmmm yyyy, hh:mm", "en": "d mmmm yyyy, hh:mm"}

MAX_WIDTH = 30
"""The widest a column gets; longer texts wrap."""
MIN_WIDTH = 6
SHEET_NAME = 31
"""Excel's longest sheet name."""

ID_NAMES = {
    "partner_id": "partner_name",
    "area_id": "area_name",
    "intervention_id": "intervention_name",
    "funder_id": "funder_name",
    "role_id": "role_name",
}
"""An id column, and the name column added beside it when the table has none."""

OWN_NAMES = {
    "areas": "area_id",
    "funders": "funder_id",
    "excluded_partners": "partner_id",
    "partner_names": "partner_id",
}
"""Tables whose own ``name`` column names their id."""

HIDDEN = frozenset({"limit_label"})
"""Columns not shown: ``limit_label`` repeats ``limit``, whose codes are shown in words."""


NAME_TABLES = {"names": "kind", "partner_names": ""}
"""Tables that only name ids (the bundle's ``names``: kind, id, name; the archive's partner
names): read for the names, not shown as sheets (the names stand in the other sheets)."""
NAME_KINDS = {
    "area": "area_id",
    "intervention": "intervention_id",
    "partner": "partner_id",
    "funder": "funder_id",
    "role": "role_id",
}


def _table_names(table: str, frame: pd.DataFrame) -> list[tuple[str, Any, Any]]:
    """(id column, id, name) of every name a table carries."""
    if table == "names" and {"kind", "id", "name"} <= set(frame.columns):
        return [
            (NAME_KINDS[str(k)], i, n)
            for k, i, n in zip(frame["kind"], frame["id"], frame["name"], strict=True)
            if str(k) in NAME_KINDS
        ]
    pairs = [(i, n) for i, n in ID_NAMES.items() if {i, n} <= set(frame.columns)]
    if table in OWN_NAMES and "name" in frame.columns:
        pairs.append((OWN_NAMES[table], "name"))
    return [
        (column, key, name)
        for column, name_column in pairs
        for key, name in zip(frame[column], frame[name_column], strict=True)
    ]


def names_of(
    scenario: Scenario | None, tables: Mapping[str, pd.DataFrame] | None = None
) -> dict[str, dict[str, str]]:
    """Id → name per id column: from the tables that carry names, then the scenario's inputs."""
    names: dict[str, dict[str, str]] = {id_column: {} for id_column in ID_NAMES}
    for table, frame in (tables or {}).items():
        for column, key, name in _table_names(table, frame):
            if isinstance(name, str) and name:
                names[column][str(key)] = name
    if scenario is not None:
        names["partner_id"].update({p.partner_id: p.name for p in scenario.partners})
        names["area_id"].update({a.area_id: a.name for a in scenario.areas})
        names["intervention_id"].update({i.intervention_id: i.name for i in scenario.interventions})
        names["funder_id"].update({f.funder_id: f.name for f in scenario.funders})
        names["role_id"].update({r.role_id: r.name for r in scenario.staff})
    return names


def item_name(item: Any, names: Mapping[str, Mapping[str, str]], lang: str) -> str:
    """What a funding row pays for, by name: an intervention, or ``personale <role>``; "" when
    it has no name."""
    text = str(item)
    if text.startswith("staff:"):
        role = names.get("role_id", {}).get(text.split(":", 1)[1])
        return f"{'personale' if lang == 'it' else 'staff'} {role}" if role else ""
    return names.get("intervention_id", {}).get(text, "")


def _named(frame: pd.DataFrame, id_column: str, name_column: str) -> pd.DataFrame:
    """The frame without ``id_column`` when ``name_column`` names every row (the name stands for
    the id); unchanged when a row has no name."""
    shown = frame[name_column].astype(str).str.strip()
    has_name = frame[name_column].notna() & (shown != "") & (shown != "nan")
    return frame.drop(columns=[id_column]) if bool(has_name.all()) else frame


def with_names(
    frame: pd.DataFrame, names: Mapping[str, Mapping[str, str]], table: str = "", lang: str = "it"
) -> pd.DataFrame:
    """The frame with names for ids: a name column beside each id column that has none (and
    beside ``item``), the id column left out when every row has a name."""
    frame = frame.copy()
    own = OWN_NAMES.get(table) if "name" in frame.columns else None
    for id_column, name_column in ID_NAMES.items():
        if id_column not in frame.columns:
            continue
        if id_column == own:
            frame = _named(frame, id_column, "name")
            continue
        known = names.get(id_column, {})
        if name_column not in frame.columns and known:
            where = list(frame.columns).index(id_column) + 1
            frame.insert(
                where, name_column, frame[id_column].map(lambda v, k=known: k.get(str(v), ""))
            )
        if name_column in frame.columns:
            frame = _named(frame, id_column, name_column)
    if "item" in frame.columns and "item_name" not in frame.columns:
        where = list(frame.columns).index("item") + 1
        frame.insert(where, "item_name", frame["item"].map(lambda v: item_name(v, names, lang)))
        frame = _named(frame, "item", "item_name")
    return frame


def clean(value: Any, lang: str = "it") -> Any:
    """A cell value: numbers without float noise, yes/no in words, text as text, missing empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return code_word("yes_no", value, lang)
    if isinstance(value, int | datetime):
        return value
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return sheet_text(str(value))  # a control character would make openpyxl refuse the cell


def put(
    sheet: Worksheet, row: int, column: int, value: Any, number_format: str = "", lang: str = "it"
) -> Cell:
    """Write one cell; text is forced to be text (a leading ``=`` never makes a formula)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = clean(value, lang)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif isinstance(cell.value, int | float | datetime):
        cell.number_format = number_format or NUMBER
    return cell


def _shown(value: Any) -> str:
    """Roughly how wide a value shows (numbers with separators and symbols)."""
    if isinstance(value, datetime):
        return "30 settembre 2026, 10:00"
    if isinstance(value, float):
        return f"{value:,.1f} €"
    if isinstance(value, int):
        return f"{value:,} €"
    return "" if value is None else str(value)


def fit_columns(sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
    """Each column as wide as its values, at most :data:`MAX_WIDTH` (longer texts wrap); the
    header wraps to its longest word."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate(headers, start=1):
        values = [_shown(clean(r[column - 1])) for r in rows[:500]]
        words = max((len(w) for w in header.split()), default=0)
        width = min(max([words, *(len(v) for v in values)]) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, MIN_WIDTH)
        if any(len(v) + 2 > width for v in values):
            for r in range(2, len(rows) + 2):
                sheet.cell(r, column).alignment = wrap


def print_setup(sheet: Worksheet, columns: int, rows: int) -> None:
    """Landscape A4, fitted to the page's width (as many pages down as it takes), the header row
    repeated on every page and frozen on screen, the sheet's name and page numbers printed."""
    last = get_column_letter(max(columns, 1))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.print_area = f"A1:{last}{max(rows, 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddHeader.center.text = "&A"
    sheet.oddFooter.center.text = "&P / &N"


def add_sheet(
    book: Workbook,
    title: str,
    headers: list[str],
    formats: list[str],
    rows: list[list[Any]],
    lang: str = "it",
) -> Worksheet:
    """A sheet with a bold wrapped header row, filters, fitted widths and print set-up."""
    sheet = book.create_sheet(title)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate(headers, start=1):
        cell = put(sheet, 1, column, header)
        cell.font, cell.alignment = bold, wrap
    for r, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            put(sheet, r, column, value, formats[column - 1], lang)
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    fit_columns(sheet, headers, rows)
    print_setup(sheet, len(headers), len(rows) + 1)
    return sheet


def kpi_rows(
    kpis: Mapping[str, Any], lang: str, names: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, Any, str]]:
    """(label, value, format kind) of each KPI in the registry's order, then any other;
    staff FTE one row per role, by its name; the status in words."""
    keys = [k.key for k in KPIS if k.key in kpis] + [k for k in kpis if k not in BY_KEY]
    rows = []
    for key in keys:
        value = kpis[key]
        if isinstance(value, dict):
            roles = names.get("role_id", {})
            word = column_label(key, lang)
            rows += [(f"{word}: {roles.get(r, r)}", v, "fte") for r, v in value.items()]
            continue
        if key == "status":
            value = code_word("status", value, lang)
        rows.append((kpi_label(key, lang), value, BY_KEY[key].format if key in BY_KEY else ""))
    return rows


def sheet_title(table: str, lang: str, taken: set[str]) -> str:
    """The sheet's name in ``lang`` (at most 31 characters, unlike any name in ``taken``)."""
    base = code_word("table", table, lang)[:SHEET_NAME]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def row_formats(frame: pd.DataFrame, formats: list[str]) -> list[list[str]]:
    """Each row's number formats: in a table of KPIs (a ``kpi`` or ``measure`` column) a row's
    numbers, in columns of no fixed kind, take its KPI's format."""
    key = next((c for c in ("kpi", "measure") if c in frame.columns), None)
    if key is None:
        return [formats] * len(frame)
    loose = {"", NUMBER, FORMATS["decimal"]}
    out = []
    for value in frame[key]:
        kpi = BY_KEY.get(str(value))
        own = FORMATS.get(kpi.format, "") if kpi else ""
        out.append([own if own and f in loose else f for f in formats])
    return out


def table_sheet(
    book: Workbook,
    title: str,
    table: str,
    frame: pd.DataFrame,
    lang: str,
    names: Mapping[str, Mapping[str, str]],
) -> Worksheet:
    """One table of the run as a sheet: names beside ids, codes in words, labelled headers."""
    shown = with_names(frame, names, table, lang)
    shown = shown[[c for c in shown.columns if str(c) not in HIDDEN]]
    columns = [str(c) for c in shown.columns]
    headers = [column_label(c, lang, table, names) for c in columns]
    formats = [FORMATS.get(column_format(c, table), "") for c in columns]
    per_row = row_formats(shown, formats)  # before the KPI keys are put into words
    coded = [c for c in columns if (found := find(c, table)) is not None and found.values]
    for column in coded:
        shown[column] = [shown_code(column, v, lang, table, names) for v in shown[column]]
    rows = [list(r) for r in shown.itertuples(index=False, name=None)]
    sheet = add_sheet(book, title, headers, formats, rows, lang)
    if per_row and per_row[0] is not formats:
        for r, kinds in enumerate(per_row, start=2):
            for index, number_format in enumerate(kinds, start=1):
                cell = sheet.cell(r, index)
                if number_format and isinstance(cell.value, int | float):
                    cell.number_format = number_format
    return sheet


def label_sheet(
    book: Workbook, title: str, headers: list[str], rows: list[tuple[str, Any, str]], lang: str
) -> Worksheet:
    """A sheet of (label, value) rows, each value in its own format; headings in bold."""
    sheet = add_sheet(book, title, headers, ["", ""], [[label, value] for label, value, _ in rows])
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for r, (_, _, kind) in enumerate(rows, start=2):
        cell = sheet.cell(r, 2)
        cell.alignment = wrap
        if kind == "heading":
            sheet.cell(r, 1).font = cell.font = bold
        elif kind == "date":
            cell.number_format = DATES[lang]
        elif isinstance(cell.value, int | float):
            cell.number_format = FORMATS.get(kind, "General" if kind == "general" else NUMBER)
    return sheet


def write_results_workbook(
    path: Path,
    kpis: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    scenario: Scenario | None = None,
    lang: str | None = None,
    run: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``results.xlsx``: the settings sheet (from the provenance ``run``), the KPIs, then
    one sheet per table, each named in ``lang``."""
    lang = lang_or_current(lang)
    names = names_of(scenario, tables)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    headers = [column_label("setting", lang), column_label("value", lang)]
    label_sheet(
        book, sheet_title("settings", lang, taken), headers, settings_rows(run or {}, lang, names),
        lang,
    )  # fmt: skip
    headers = [column_label("kpi", lang), column_label("value", lang)]
    label_sheet(book, sheet_title("kpis", lang, taken), headers, kpi_rows(kpis, lang, names), lang)
    for table, frame in tables.items():
        if table not in NAME_TABLES:
            table_sheet(book, sheet_title(table, lang, taken), table, frame, lang, names)
    book.save(path)
    return path
