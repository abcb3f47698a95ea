"""``results.xlsx`` as planners open it: headers in their language, names beside ids, € and %
number formats, a frozen header row with filters, columns as wide as their contents.

Every text cell is written as text, never as a formula (a name starting with ``=`` stays a name);
numbers stay numbers (rounded to remove solver noise), shown whole where they count people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocator.inputs.schema import Scenario
from allocator.lang import lang_or_current
from allocator.outputs.names import KPIS_SHEET
from allocator.outputs.table_io import sheet_text
from allocator.postprocess.kpis import BY_KEY, kpi_label

EURO = '#,##0 "€"'
SHARE = "0.0%"
WHOLE = "#,##0"
FTE = "#,##0.0"
DECIMAL = "0.0000"
FORMATS = {"euro": EURO, "share": SHARE, "count": WHOLE, "fte": FTE, "decimal": DECIMAL}
"""Excel number formats by KPI format (Excel shows the separators of the reader's locale)."""

MAX_WIDTH = 50

ID_NAMES = {
    "partner_id": "partner_name",
    "area_id": "area_name",
    "intervention_id": "intervention_name",
    "funder_id": "funder_name",
    "role_id": "role_name",
}
"""An id column, and the name column added beside it when the table has none."""

HEADERS: dict[str, tuple[str, str, str]] = {
    # column: (Italian, English, number format: euro, share, count, fte, decimal, or "" for text)
    "partner_id": ("id ente", "partner id", ""),
    "partner_name": ("ente", "partner", ""),
    "area_id": ("id quartiere", "area id", ""),
    "area_name": ("quartiere", "area", ""),
    "intervention_id": ("id intervento", "intervention id", ""),
    "intervention_name": ("intervento", "intervention", ""),
    "funder_id": ("id finanziatore", "funder id", ""),
    "funder_name": ("finanziatore", "funder", ""),
    "role_id": ("id ruolo", "role id", ""),
    "role_name": ("ruolo", "role", ""),
    "item": ("voce pagata", "item paid", ""),
    "beneficiaries": ("beneficiari", "beneficiaries", "count"),
    "gross_cost": ("costo lordo", "gross cost", "euro"),
    "cofunding": ("cofinanziamento dell'ente", "partner's cofunding", "euro"),
    "funded_cost": ("a carico dei finanziatori", "paid by funders", "euro"),
    "need": ("bisogno", "need", "count"),
    "max_served": ("massimo raggiungibile", "most that can be served", "count"),
    "floor": ("soglia minima", "floor", "count"),
    "served": ("raggiunti", "served", "count"),
    "coverage": ("copertura", "coverage", "share"),
    "unmet_need": ("bisogno non coperto", "unmet need", "count"),
    "shortfall": ("mancante rispetto alla soglia", "shortfall below the floor", "count"),
    "cost": ("costo", "cost", "euro"),
    "municipio": ("municipio", "municipio", ""),
    "population": ("popolazione", "population", "count"),
    "minors": ("minori", "minors", "count"),
    "staff_fte": ("personale (FTE)", "staff (FTE)", "fte"),
    "lat": ("latitudine", "latitude", ""),
    "lon": ("longitudine", "longitude", ""),
    "reason": ("motivo", "reason", ""),
    "kind": ("tipo", "kind", ""),
    "amount": ("importo", "amount", "euro"),
    "spent": ("speso", "spent", "euro"),
    "share_used": ("quota usata", "share used", "share"),
    "fte": ("FTE", "FTE", "fte"),
    "capacity": ("capacità", "capacity", "count"),
    "used": ("usata", "used", "count"),
    "idle_places": ("posti inutilizzati", "idle places", "count"),
    "usable_places": ("posti utilizzabili", "usable places", "count"),
    "net_cost_per_place": ("costo netto per posto", "net cost per place", "euro"),
    "cost_to_use": ("costo per usarli", "cost to use them", "euro"),
    "limit": ("limite", "limit", ""),
    "limit_label": ("limite, in parole", "limit, in words", ""),
    "unit": ("unità", "unit", ""),
    "reachable_unmet": ("raggiungibili non serviti", "reachable unserved", "count"),
    "weighted_unmet": ("non coperto ponderato", "weighted unmet", "decimal"),
    "money_available": ("fondi disponibili", "money available", ""),
    "detail": ("dettaglio", "detail", ""),
    "resource_kind": ("tipo di risorsa", "resource kind", ""),
    "resource_id": ("id risorsa", "resource id", ""),
    "resource_name": ("risorsa", "resource", ""),
    "change": ("variazione", "change", ""),
    "binding": ("vincolante", "binding", ""),
    "dual_objective_per_unit": ("valore duale per unità", "dual value per unit", "decimal"),
    "dual_weighted_per_change": ("stima duale", "dual estimate", "decimal"),
    "confirmed": ("confermato", "confirmed", ""),
    "objective_gain": ("guadagno di obiettivo", "objective gain", "decimal"),
    "weighted_gain": ("guadagno ponderato", "weighted gain", "decimal"),
    "beneficiaries_gain": ("beneficiari in più", "beneficiaries gained", "count"),
    "where": ("dove", "where", ""),
    "sentence": ("in parole", "in words", ""),
    "kpi": ("indicatore", "key figure", ""),
    "value": ("valore", "value", ""),
}
"""Every column of the run's tables: header in Italian and English, and its number format."""

PREFIXES: dict[str, tuple[str, str, str]] = {
    "served_": ("raggiunti", "served", "count"),
    "coverage_": ("copertura", "coverage", "share"),
    "paid_": ("pagato", "paid", "euro"),
}
"""Per-intervention columns (``served_<id>``…): header word and format; the name follows."""

NAME_HEADERS = {"areas": "area_name", "funders": "funder_name", "excluded_partners": "partner_name"}
"""Tables whose own ``name`` column names their id."""

WORDS = {
    "it": {"public": "pubblico", "private": "privato", "staff": "personale"},
    "en": {"public": "public", "private": "private", "staff": "staff"},
}


def names_of(scenario: Scenario | None) -> dict[str, dict[str, str]]:
    """Id → name per id column, from a scenario's inputs."""
    if scenario is None:
        return {}
    return {
        "partner_id": {p.partner_id: p.name for p in scenario.partners},
        "area_id": {a.area_id: a.name for a in scenario.areas},
        "intervention_id": {i.intervention_id: i.name for i in scenario.interventions},
        "funder_id": {f.funder_id: f.name for f in scenario.funders},
        "role_id": {r.role_id: r.name for r in scenario.staff},
    }


def with_names(
    frame: pd.DataFrame, names: Mapping[str, Mapping[str, str]], table: str = ""
) -> pd.DataFrame:
    """The frame with a name column after each id column that has none."""
    frame = frame.copy()
    own = NAME_HEADERS.get(table) if "name" in frame.columns else None
    for id_column, name_column in ID_NAMES.items():
        if id_column not in frame.columns or name_column in frame.columns or name_column == own:
            continue
        known = names.get(id_column, {})
        if not known:
            continue
        where = list(frame.columns).index(id_column) + 1
        values = frame[id_column].map(lambda v, k=known: k.get(str(v), "")).astype(str)
        frame.insert(where, name_column, values)
    return frame


def header_and_format(
    column: str, table: str, lang: str, names: Mapping[str, Mapping[str, str]]
) -> tuple[str, str]:
    """A column's header in ``lang`` and its format kind ("" for text)."""
    key = NAME_HEADERS.get(table, column) if column == "name" else column
    it = lang == "it"
    if key in HEADERS:
        italian, english, kind = HEADERS[key]
        return (italian if it else english), kind
    for prefix, (italian, english, kind) in PREFIXES.items():
        if key.startswith(prefix):
            item = key[len(prefix) :]
            if item.startswith("staff:"):
                role = item.split(":", 1)[1]
                shown = f"{WORDS[lang]['staff']} {names.get('role_id', {}).get(role, role)}"
            else:
                shown = names.get("intervention_id", {}).get(item, item)
            return f"{italian if it else english}: {shown}", kind
    return column, ""


def clean(value: Any) -> Any:
    """A cell value: numbers without float noise, text as text, missing as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return sheet_text(str(value))  # a control character would make openpyxl refuse the cell


def put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> Cell:
    """Write one cell; text is forced to be text (a leading ``=`` never makes a formula)."""
    cell = sheet.cell(row=row, column=column)
    cell.value = clean(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif number_format and isinstance(cell.value, int | float):
        cell.number_format = number_format
    return cell


def add_sheet(
    book: Workbook, title: str, headers: list[str], formats: list[str], rows: list[list[Any]]
) -> Worksheet:
    """A sheet with a bold frozen header row, filters and widths fitted to the contents."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title[:31])
    for column, header in enumerate(headers, start=1):
        put(sheet, 1, column, header).font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            put(sheet, r, column, value, formats[column - 1])
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 1)}"
    for column, header in enumerate(headers, start=1):
        sample = [header, *(_shown(r[column - 1]) for r in rows[:500])]
        width = min(max(len(s) for s in sample) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 8)
    return sheet


def _shown(value: Any) -> str:
    """Roughly how wide a value shows (numbers with separators and symbols)."""
    value = clean(value)
    if isinstance(value, float):
        return f"{value:,.1f} €"
    if isinstance(value, int):
        return f"{value:,} €"
    return "" if value is None else str(value)


def kpi_rows(
    kpis: Mapping[str, Any], lang: str, names: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, Any, str]]:
    """(label, value, number format) of each KPI; staff FTE one row per role, by its name."""
    rows = []
    statuses = {"optimal": "ottimo", "feasible": "ammissibile", "infeasible": "impossibile"}
    for key, value in kpis.items():
        if isinstance(value, dict):
            roles = names.get("role_id", {})
            word = "personale FTE" if lang == "it" else "staff FTE"
            rows += [(f"{word}: {roles.get(r, r)}", v, FTE) for r, v in value.items()]
            continue
        if key == "status" and lang == "it":
            value = statuses.get(str(value), value)
        kpi = BY_KEY.get(key)
        kind = FORMATS.get(kpi.format, "") if kpi else ""
        if kpi and kpi.format == "seconds":
            kind = "0.00"
        rows.append((kpi_label(key, lang) if kpi else key, value, kind))
    return rows


def write_results_workbook(
    path: Path,
    kpis: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    scenario: Scenario | None = None,
    lang: str | None = None,
) -> Path:
    """Write ``results.xlsx``: a ``kpis`` sheet, then one sheet per table (named as its CSV)."""
    lang = lang_or_current(lang)
    names = names_of(scenario)
    book = Workbook()
    book.remove(book.active)
    rows = kpi_rows(kpis, lang, names)
    add_sheet(
        book,
        KPIS_SHEET,
        [HEADERS["kpi"][0 if lang == "it" else 1], HEADERS["value"][0 if lang == "it" else 1]],
        ["", ""],
        [[label, value] for label, value, _ in rows],
    )
    sheet = book[KPIS_SHEET]
    for r, (_, _, number_format) in enumerate(rows, start=2):
        if number_format and isinstance(sheet.cell(r, 2).value, int | float):
            sheet.cell(r, 2).number_format = number_format
    for name, frame in tables.items():
        shown = with_names(frame, names, name)
        if "kind" in shown.columns:
            shown["kind"] = shown["kind"].map(lambda k: WORDS[lang].get(str(k), k))
        described = [header_and_format(str(c), name, lang, names) for c in shown.columns]
        add_sheet(
            book,
            name,
            [h for h, _ in described],
            [FORMATS.get(kind, "") for _, kind in described],
            [list(r) for r in shown.itertuples(index=False, name=None)],
        )
    book.save(path)
    return path
