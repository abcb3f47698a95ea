"""results.xlsx as planners open it: Italian headers, names beside ids, € and % formats, a frozen
header with filters, text never turned into formulas; LibreOffice opens it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from allocator.cli import app
from tests.scenario_factory import small_tables, write_scenario

pytestmark = pytest.mark.cli

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xlsx")
    tables = small_tables()
    # a partner whose name looks like a formula stays a name
    tables["partners"][1]["name"] = '=HYPERLINK("http://x","APS Ponte")'
    scenario = write_scenario(folder / "scenario", tables)
    out = folder / "run"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def headers(sheet: object) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]  # type: ignore[attr-defined]


def test_headers_are_italian_with_names_beside_ids(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    assert {"kpis", "allocation", "areas", "funders", "staff", "excluded_partners"} <= set(
        book.sheetnames
    )
    allocation = book["allocation"]
    assert headers(allocation)[:7] == [
        "id ente", "ente", "id quartiere", "quartiere", "id intervento", "intervento",
        "beneficiari",
    ]  # fmt: skip
    rows = {r[0]: r for r in allocation.iter_rows(min_row=2, values_only=True)}
    assert rows["coop_aurora"][1] == "Cooperativa Aurora"
    assert {r[3] for r in rows.values()} <= {"Gratosoglio", "Quarto Oggiaro"}
    staff = book["staff"]
    assert headers(staff)[:2] == ["id ruolo", "ruolo"]
    assert staff.cell(2, 2).value == "Educator"
    kpis = {r[0]: r[1] for r in book["kpis"].iter_rows(min_row=2, values_only=True)}
    assert kpis["esito"] == "ottimo" and "beneficiari raggiunti" in kpis
    assert "personale FTE: Educator" in kpis
    funders = book["funders"]
    assert "pagato: After-school support" in headers(funders)
    assert "pagato: personale Educator" in headers(funders)
    assert {funders.cell(r, 3).value for r in (2, 3)} == {"pubblico", "privato"}


def test_euro_and_share_formats_frozen_header_and_filters(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
    allocation = book["allocation"]
    column = {h: i + 1 for i, h in enumerate(headers(allocation))}
    assert "€" in allocation.cell(2, column["costo lordo"]).number_format
    assert allocation.cell(2, column["beneficiari"]).number_format == "#,##0"
    areas = book["areas"]
    column = {h: i + 1 for i, h in enumerate(headers(areas))}
    assert areas.cell(2, column["copertura"]).number_format == "0.0%"
    assert "€" in areas.cell(2, column["costo"]).number_format
    kpis = book["kpis"]
    formats = {r[0].value: r[1].number_format for r in kpis.iter_rows(min_row=2)}
    assert formats["copertura ponderata"] == "0.0%"
    assert "€" in formats["risorse disponibili"]
    assert all(d.width and d.width >= 8 for d in allocation.column_dimensions.values())


def test_text_is_never_a_formula(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = {r[1] for r in book["allocation"].iter_rows(min_row=2, values_only=True)}
    assert '=HYPERLINK("http://x","APS Ponte")' in names


def test_libreoffice_converts_the_workbook(run_folder: Path, tmp_path: Path) -> None:
    if LIBREOFFICE is None:
        pytest.skip("LibreOffice is not installed: `make libreoffice` as root installs it")
    done = subprocess.run(
        [LIBREOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(run_folder / "results.xlsx")],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "results.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
