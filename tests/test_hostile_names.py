"""Names that attack the outputs (issue 15): formulas, names pandas would read as missing values,
dollar signs matplotlib would read as maths, HTML. Every command writes them literally and
harmlessly, and ``report`` reads them back from a run folder as the names they are."""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_OK
from allocator.outputs.escaping import FORMULA_STARTS, NUMBER
from tests.scenario_factory import small_tables, write_scenario

pytestmark = pytest.mark.cli

HYPERLINK = '=HYPERLINK("http://evil.example","clic")'
NAMES = {
    "area_a1": "NA",
    "area_a2": "Area $_$ – Costo 5$ e 10$",
    "funder": "None",
    "partner": HYPERLINK,
    "partner_2": "@SUM(1+1)",
    "intervention": "<script>alert(1)</script>",
}


def hostile_tables() -> dict[str, Any]:
    tables = small_tables()
    tables["areas"][0]["name"] = NAMES["area_a1"]
    tables["areas"][1]["name"] = NAMES["area_a2"]
    for table in ("areas", "needs", "capacities", "baseline"):
        for row in tables[table]:
            if row.get("area_id") == "a1":
                row["area_id"] = "null"
    tables["earmarks"][1]["area_id"] = "null"
    tables["funders"][0]["name"] = NAMES["funder"]
    tables["partners"][0]["name"] = NAMES["partner"]
    tables["partners"][1]["name"] = NAMES["partner_2"]
    tables["interventions"][1]["name"] = NAMES["intervention"]
    return tables


def invoke(*args: object) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def formula_cells(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                found += [
                    (path.name, cell)
                    for cell in row
                    if cell.startswith(FORMULA_STARTS) and NUMBER.fullmatch(cell) is None
                ]
    return found


def test_a_run_writes_hostile_names_harmlessly_and_report_reads_them_back(
    tmp_path: Path,
) -> None:
    scenario = write_scenario(tmp_path / "s", tables=hostile_tables())
    out = tmp_path / "run"
    assert invoke("run", scenario, "--out", out, "--quiet").exit_code == EXIT_OK
    assert formula_cells(out) == []
    for workbook in out.glob("*.xlsx"):
        book = load_workbook(workbook)
        formulas = [
            (sheet.title, c.coordinate)
            for sheet in book
            for row in sheet.iter_rows()
            for c in row
            if c.data_type == "f"
        ]
        assert formulas == []
    texts = [
        c.value for row in load_workbook(out / "results.xlsx")["Quartieri"].iter_rows() for c in row
    ]
    assert NAMES["area_a1"] in texts  # the name "NA" as text (its id "null" is in areas.csv)

    report = tmp_path / "report.html"
    done = invoke("report", out, "--out", report)
    assert done.exit_code == EXIT_OK, done.output
    page = report.read_text(encoding="utf-8")
    for name in ("NA", "None", "Area $_$", "Costo 5$ e 10$", NAMES["intervention"]):
        assert html.escape(name) in page, name
    assert "<script>alert(1)</script>" not in page


def test_compare_summary_shows_names_as_text(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s", tables=hostile_tables())
    other = write_scenario(
        tmp_path / "t",
        tables=hostile_tables(),
        settings={"name": "<b>bold</b> | [link](http://e)", "budget": {"scale": 0.5}},
    )
    out = tmp_path / "cmp"
    done = invoke("compare", scenario, other, "--out", out)
    assert done.exit_code == EXIT_OK, done.output
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "<b>" not in summary and "<script>" not in summary
    assert "](http" not in summary.replace(r"\](http", "")  # no live link
    assert r"\<b\>bold\</b\> \| \[link\](http://e)" in summary
    assert formula_cells(out) == []
