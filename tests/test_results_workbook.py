"""results.xlsx as planners open and print it: Italian sheet names and headers from the label
registry, a first sheet saying which plan it is, codes in words, names for ids, € and % formats,
print set-up on every sheet, text never turned into formulas; LibreOffice opens and prints it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from allocator.cli import app
from allocator.outputs.workbook import sheet_title, write_results_workbook
from allocator.postprocess.labels import VOCABULARIES
from tests.scenario_factory import small_tables, write_scenario

pytestmark = pytest.mark.cli

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
PLAN_SHEETS = {"Indicatori", "Assegnazione", "Quartieri", "Finanziatori", "Personale", "Regole"}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xlsx")
    tables = small_tables()
    # a partner whose name looks like a formula stays a name
    tables["partners"][1]["name"] = '=HYPERLINK("http://x","APS Ponte")'
    scenario = write_scenario(folder / "scenario", tables)
    out = folder / "run"
    args = ["run", str(scenario), "--out", str(out), "--quiet", "--no-history"]
    result = CliRunner().invoke(app, [*args, "--set", "budget.scale=0.8"])
    assert result.exit_code == 0, result.output
    return out


def headers(sheet: object) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]  # type: ignore[attr-defined]


def test_sheets_are_named_in_italian_settings_first(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    assert book.sheetnames[0] == "Impostazioni"
    assert set(book.sheetnames) >= PLAN_SHEETS
    assert not {"kpis", "allocation", "areas", "rules"} & set(book.sheetnames)


def test_headers_are_italian_and_names_stand_for_ids(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    allocation = book["Assegnazione"]
    assert headers(allocation)[:4] == ["ente", "quartiere", "intervento", "beneficiari"]
    rows = list(allocation.iter_rows(min_row=2, values_only=True))
    assert "Cooperativa Aurora" in {r[0] for r in rows}
    assert {r[1] for r in rows} <= {"Gratosoglio", "Quarto Oggiaro"}
    ids = {"coop_aurora", "aps_ponte", "a1", "a2", "doposcuola", "emporio", "educatore"}
    for sheet in book.worksheets:
        cells = {c.value for row in sheet.iter_rows() for c in row}
        assert not cells & ids, (sheet.title, cells & ids)  # every id here has a name
    staff = book["Personale"]
    assert headers(staff)[:2] == ["ruolo", "quartiere"]
    assert staff.cell(2, 1).value == "Educator"
    kpis = {r[0]: r[1] for r in book["Indicatori"].iter_rows(min_row=2, values_only=True)}
    assert kpis["esito"] == "ottimo" and "beneficiari raggiunti" in kpis
    assert "personale (FTE): Educator" in kpis
    funders = book["Finanziatori"]
    assert "pagato: After-school support" in headers(funders)
    assert "pagato: personale Educator" in headers(funders)
    assert {funders.cell(r, 2).value for r in (2, 3)} == {"pubblico", "privato"}
    funding = {r[1] for r in book["Finanziamenti"].iter_rows(min_row=2, values_only=True)}
    assert "After-school support" in funding and "personale Educator" in funding
    rules = book["Regole"]
    assert headers(rules)[0] == "regola" and "beneficiari raggiunti" in headers(rules)


def test_an_id_without_a_name_stays_beside_the_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"partner_id": ["p1", "p2"], "beneficiaries": [3, 4]})
    names = pd.DataFrame({"kind": ["partner"], "id": ["p1"], "name": ["APS Ponte"]})
    path = write_results_workbook(tmp_path / "r.xlsx", {}, {"allocation": frame, "names": names})
    book = load_workbook(path)
    assert "Nomi" not in book.sheetnames  # the names stand in the other sheets
    rows = list(book["Assegnazione"].iter_rows(values_only=True))
    assert rows == [("id ente", "ente", "beneficiari"), ("p1", "APS Ponte", 3), ("p2", None, 4)]


def test_codes_are_in_words_and_no_raw_value_is_shown(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    limits = book["Limiti"]
    column = {h: i for i, h in enumerate(headers(limits))}
    rows = list(limits.iter_rows(min_row=2, values_only=True))
    assert {r[column["unità"]] for r in rows} <= {"minori", "famiglie"}
    limit_words = {pair[0] for pair in VOCABULARIES["limit"].values()}
    assert {r[column["limite"]] for r in rows} <= limit_words
    assert {r[column["fondi disponibili"]] for r in rows} <= {"sì", "no"}
    codes = {"minors", "households", "partner_capacity", "optimal", "True", "False", "nan"}
    codes |= {"need_met", "money", "public", "private", "None"}
    for sheet in book.worksheets:
        texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.data_type == "s"}
        assert not texts & codes, (sheet.title, texts & codes)
        assert not any(re.fullmatch(r"-?\d+\.\d{3,}", t) for t in texts), sheet.title


def test_euro_share_and_count_formats_on_every_number(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    allocation = book["Assegnazione"]
    column = {h: i + 1 for i, h in enumerate(headers(allocation))}
    assert "€" in allocation.cell(2, column["costo lordo"]).number_format
    assert allocation.cell(2, column["beneficiari"]).number_format == "#,##0"
    areas = book["Quartieri"]
    column = {h: i + 1 for i, h in enumerate(headers(areas))}
    assert areas.cell(2, column["copertura"]).number_format == "0.0%"
    assert "€" in areas.cell(2, column["costo"]).number_format
    formats = {r[0].value: r[1].number_format for r in book["Indicatori"].iter_rows(min_row=2)}
    assert formats["copertura ponderata"] == "0.0%"
    assert "€" in formats["risorse disponibili"]
    rules = book["Regole"]
    column = {h: i + 1 for i, h in enumerate(headers(rules))}
    assert rules.cell(2, column["beneficiari raggiunti"]).number_format == "#,##0"
    for sheet in book.worksheets:
        numbers = [c for row in sheet.iter_rows(min_row=2) for c in row if c.data_type == "n"]
        general = [c.coordinate for c in numbers if c.value is not None and not c.is_date]
        general = [x for x in general if sheet[x].number_format == "General"]
        assert sheet.title == "Impostazioni" or not general, (sheet.title, general)


def test_every_sheet_prints_landscape_fitted_to_width_with_its_header(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.print_area, sheet.title
        widths = [d.width for d in sheet.column_dimensions.values()]
        assert widths and all(6 <= w <= 30 for w in widths), (sheet.title, widths)


def test_settings_sheet_says_which_plan_it_is(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    rows = {r[0]: r[1] for r in book["Impostazioni"].iter_rows(min_row=2, values_only=True)}
    assert rows["Scenario"] == "Small test scenario"
    assert rows["Nome del piano"] == "non indicato"
    assert rows["Esito del calcolo"] == "ottimo"
    # the change as the run worded it
    assert rows["Scala degli importi dei finanziatori"] == "80% di quelli dello scenario"
    assert rows["Data"].year >= 2024  # a date cell, shown as "3 dicembre 2026, 14:26"
    run = json.loads((run_folder / "run.json").read_text())
    hashes = {str(k): v for k, v in rows.items() if k and str(k).endswith(".csv")}
    assert hashes and hashes == {k: v for k, v in run["inputs"].items() if k.endswith(".csv")}


def test_settings_sheet_names_areas_and_partners_and_the_plan(tmp_path: Path) -> None:
    frame = pd.DataFrame({"area_id": ["a1", "a2"], "name": ["San Siro", "Gratosoglio"]})
    run = {
        "label": "prova riunione - senza San Siro",
        "note": "per il tavolo del 3 dicembre",
        "created": "2026-12-03T13:26:54+00:00",
        "scenario": "Milano",
        "solver": {"status": "feasible"},
        "overrides": [
            'room.exclude_areas=["a1"]',
            'policy.equity_measure="min"',
            "funders.comune.amount=8e5",
        ],
    }
    funders = pd.DataFrame({"funder_id": ["comune"], "name": ["Comune di Milano"]})
    tables = {"areas": frame, "funders": funders}
    path = write_results_workbook(tmp_path / "r.xlsx", {}, tables, run=run)
    sheet = load_workbook(path)["Impostazioni"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Nome del piano"] == "prova riunione - senza San Siro"
    assert rows["Nota"] == "per il tavolo del 3 dicembre"
    assert rows["Data"].hour == 14  # Milan's time (CET) of 13:26 UTC
    assert rows["Esito del calcolo"] == "ammissibile (non provato ottimo)"
    assert rows["quartieri esclusi"] == "San Siro"  # no words from the run: the registry's
    assert rows["misura dell'equità"] == "quartiere meno coperto"
    assert rows["importo di Comune di Milano"] == 800000
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row}
    assert "€" in cells[800000].number_format


def test_english_workbook_keeps_english_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"area_id": ["a1"], "name": ["Gratosoglio"], "coverage": [0.5]})
    path = write_results_workbook(
        tmp_path / "r.xlsx", {"status": "optimal"}, {"areas": frame}, lang="en"
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Settings", "Key figures", "Areas"]
    assert headers(book["Areas"]) == ["area", "coverage"]
    assert book["Key figures"].cell(2, 2).value == "optimal"


def test_sheet_names_are_short_and_unique() -> None:
    taken: set[str] = set()
    long = "a_table_name_well_beyond_thirty_one_characters"
    names = [sheet_title(t, "it", taken) for t in ("areas", long, long, "areas")]
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 4
    assert names[0] == "Quartieri" and names[3] == "Quartieri (2)"


def test_text_is_never_a_formula(run_folder: Path) -> None:
    book = load_workbook(run_folder / "results.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    names = {r[0] for r in book["Assegnazione"].iter_rows(min_row=2, values_only=True)}
    assert '=HYPERLINK("http://x","APS Ponte")' in names


def test_libreoffice_prints_the_workbook(run_folder: Path, tmp_path: Path) -> None:
    if LIBREOFFICE is None:
        pytest.skip("LibreOffice is not installed: `make libreoffice` as root installs it")
    done = subprocess.run(
        [LIBREOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(run_folder / "results.xlsx")],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "results.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    sheets = len(load_workbook(run_folder / "results.xlsx").sheetnames)
    assert sheets <= pages <= sheets + 3  # each small sheet fits one page wide and tall
