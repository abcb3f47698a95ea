"""Write small scenario folders for tests: tables as lists of row dicts, settings as a dict.

``write_scenario(tmp_path / "s")`` writes a small valid scenario; pass ``tables`` to replace some
tables (``{"earmarks": [...]}``, ``{"staff": None}`` to leave one out) and ``settings`` to add keys.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from allocator.datasets.template import toml_text
from allocator.inputs.tables import TABLES_BY_NAME

Rows = list[dict[str, Any]]


def small_tables() -> dict[str, Rows]:
    """Two areas, two interventions (one needing staff), three partners, two funders."""
    return {
        "areas": [
            {"area_id": "a1", "name": "Gratosoglio", "population": 20000, "minors": 3500},
            {
                "area_id": "a2",
                "name": "Quarto Oggiaro",
                "population": 30000,
                "minors": 5000,
                "households_with_minors": 3000,
                "municipio": "8",
            },
        ],
        "interventions": [
            {
                "intervention_id": "doposcuola",
                "name": "After-school support",
                "unit": "minors",
                "unit_cost": 1200,
                "max_coverage": 0.8,
                "staff_role": "educatore",
                "beneficiaries_per_fte": 40,
            },
            {
                "intervention_id": "emporio",
                "name": "Solidarity grocery",
                "unit": "households",
                "unit_cost": 900,
            },
        ],
        "needs": [
            {"area_id": "a1", "intervention_id": "doposcuola", "need": 300, "priority": 1.5},
            {"area_id": "a1", "intervention_id": "emporio", "need": 200},
            {"area_id": "a2", "intervention_id": "doposcuola", "need": 400},
            {"area_id": "a2", "intervention_id": "emporio", "need": 250},
        ],
        "partners": [
            {
                "partner_id": "coop_aurora",
                "name": "Cooperativa Aurora",
                "legal_form": "cooperativa_sociale",
                "years_experience": 12,
            },
            {
                "partner_id": "aps_ponte",
                "name": "APS Ponte",
                "legal_form": "aps",
                "years_experience": 5,
            },
            {"partner_id": "srl_x", "name": "X srl", "legal_form": "altro", "years_experience": 20},
        ],
        "capacities": [
            {
                "partner_id": "coop_aurora",
                "area_id": "a1",
                "intervention_id": "doposcuola",
                "capacity": 150,
            },
            {
                "partner_id": "coop_aurora",
                "area_id": "a2",
                "intervention_id": "doposcuola",
                "capacity": 200,
                "unit_cost": 1100,
                "cofunding_per_beneficiary": 100,
            },
            {
                "partner_id": "aps_ponte",
                "area_id": "a1",
                "intervention_id": "emporio",
                "capacity": 180,
            },
            {
                "partner_id": "aps_ponte",
                "area_id": "a2",
                "intervention_id": "emporio",
                "capacity": 220,
            },
            {"partner_id": "srl_x", "area_id": "a2", "intervention_id": "emporio", "capacity": 100},
        ],
        "funders": [
            {"funder_id": "comune", "name": "Comune di Milano", "kind": "public", "amount": 500000},
            {
                "funder_id": "cariplo",
                "name": "Fondazione Cariplo",
                "kind": "private",
                "amount": 300000,
            },
        ],
        "earmarks": [
            {
                "funder_id": "cariplo",
                "intervention_id": "doposcuola",
                "area_id": "*",
                "max_amount": 200000,
            },
            {"funder_id": "cariplo", "intervention_id": "staff:educatore", "area_id": "a1"},
        ],
        "staff": [
            {"role_id": "educatore", "name": "Educator", "available_fte": 8, "cost_per_fte": 40000},
        ],
        "baseline": [
            {
                "partner_id": "coop_aurora",
                "area_id": "a1",
                "intervention_id": "doposcuola",
                "beneficiaries": 90,
            },
        ],
    }


def small_settings() -> dict[str, Any]:
    return {"name": "Small test scenario", "description": "two areas"}


def write_csv(
    path: Path,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """Rows as CSV; columns are the union of the rows' keys in first-seen order unless given."""
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def write_xlsx(path: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """Tables as sheets of one workbook, cells keeping their Python types."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        if not columns and name in TABLES_BY_NAME:
            columns = list(TABLES_BY_NAME[name].column_names)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    book.save(path)
    return path


def write_scenario(
    folder: Path,
    tables: Mapping[str, Rows | None] | None = None,
    settings: Mapping[str, Any] | None = None,
    *,
    base: bool = True,
    xlsx: bool = False,
) -> Path:
    """A scenario folder: the small tables updated with ``tables`` (None drops one), as CSV or
    ``inputs.xlsx``, and ``scenario.toml`` from the small settings updated with ``settings``.

    ``base=False`` starts from no tables and no settings (for child scenarios).
    """
    folder.mkdir(parents=True, exist_ok=True)
    merged: dict[str, Rows | None] = dict(small_tables() if base else {})
    merged.update(tables or {})
    present = {name: rows for name, rows in merged.items() if rows is not None}
    if xlsx:
        write_xlsx(folder / "inputs.xlsx", present)
    else:
        for name, rows in present.items():
            columns = None if rows else TABLES_BY_NAME[name].column_names
            write_csv(folder / f"{name}.csv", rows, columns)
    toml = {**(small_settings() if base else {}), **(settings or {})}
    (folder / "scenario.toml").write_text(toml_text(toml), encoding="utf-8")
    return folder


def with_row(table: str, index: int, **cells: Any) -> dict[str, Rows]:
    """The small tables' ``table`` with row ``index`` changed."""
    rows = small_tables()[table]
    rows[index] = {**rows[index], **cells}
    return {table: rows}


def invoke(*args: Any) -> Any:
    """The command line on ``args`` (paths and numbers as text), as a user types it."""
    from typer.testing import CliRunner

    from allocator.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Output with its line wrapping undone."""
    return " ".join(text.split())
