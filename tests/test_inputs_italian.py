"""Inputs as planners type them (issue 11): Italian numbers, words, encodings, extra columns, the
messages in Italian by default; through the command line where a planner meets them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from allocator.errors import EXIT_INPUT, EXIT_OK, InputError
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import FunderKind, LegalForm, Unit
from tests.scenario_factory import (
    flat,
    invoke,
    small_tables,
    with_row,
    write_csv,
    write_scenario,
    write_xlsx,
)

pytestmark = pytest.mark.cli


@pytest.fixture(autouse=True)
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOCATOR_LANG", raising=False)


# --- the silent misreading of issue 11 -----------------------------------------------------------


def test_a_comma_csv_holding_600_000_alone_is_refused_naming_both_readings(tmp_path: Path) -> None:
    """The Cariplo amount "600.000" in a comma CSV whose other amounts settle nothing may be
    600000 or 600: refused, naming the cell and both readings, never read as either."""
    folder = write_scenario(tmp_path / "s", with_row("funders", 1, amount="600.000"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    assert "funders.csv, riga 3, colonna 'amount': è ambiguo" in text
    assert "600000" in text and "600 (" in text


def test_600_000_is_thousands_where_the_file_writes_italian_numbers(tmp_path: Path) -> None:
    """Another amount of the same file written "1.500.000" (only Italian) settles it: 600000,
    with a notice quoting the cell that settled it."""
    rows = small_tables()["funders"]
    rows[0]["amount"] = "1.500.000"
    rows[1]["amount"] = "600.000"
    folder = write_scenario(tmp_path / "s", {"funders": rows})
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert "riga 2, colonna amount: 1.500.000" in flat(result.output)
    assert load_scenario(folder).funders[1].amount == 600_000
    out = tmp_path / "out"
    assert invoke("run", folder, "--out", out, "--quiet").exit_code == EXIT_OK
    assert "600000" in (out / "funders.csv").read_text()


def test_1_200_is_read_as_its_file_writes_decimals_with_a_notice(tmp_path: Path) -> None:
    """interventions.csv writes max_coverage 0.8 ('.' for decimals): "1.200" there is 1,2, read
    consistently with the file and said in a notice (never 1200 against the file's own way)."""
    folder = write_scenario(tmp_path / "s", with_row("interventions", 1, unit_cost="1.200"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    text = flat(result.output)
    assert "interventions.csv: riga 3, colonna unit_cost: 1.200 letto come 1,2" in text
    assert "riga 2, colonna max_coverage: 0.8" in text
    assert load_scenario(folder).interventions[1].unit_cost == pytest.approx(1.2)


def test_a_cell_in_a_file_writing_both_ways_is_refused_naming_both_readings(
    tmp_path: Path,
) -> None:
    """needs.csv writes "2.5" and "1,5": "1.500" may be 1500 or 1,5 and the file says both."""
    rows = small_tables()["needs"]
    rows[0]["priority"] = "2.5"
    rows[1]["priority"] = "1.500"
    rows[2]["need"] = "1,5"
    folder = write_scenario(tmp_path / "s", {"needs": rows})
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "needs.csv, riga 3, colonna 'priority'" in text
    assert "ambiguo" in text and "1500" in text and "1,5" in text
    assert "nei due modi" in text and "2.5" in text


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1.234,50", 1234.5),
        ("€ 400.000,00", 400_000),
        ("400.000,00 €", 400_000),
        ("EUR 1.000.000", 1_000_000),
        ("4.000.000", 4_000_000),
        ("1 200 000", 1_200_000),
        ("600000", 600_000),
        ("1,234,567.00", 1_234_567),
    ],
)
def test_amounts_as_italians_type_them(tmp_path: Path, cell: str, value: float) -> None:
    folder = write_scenario(tmp_path / "s", with_row("funders", 0, amount=cell))
    assert load_scenario(folder).funders[0].amount == pytest.approx(value)


def test_percent_is_a_share_and_only_a_share(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("interventions", 0, max_coverage="80%"))
    assert load_scenario(folder).interventions[0].max_coverage == pytest.approx(0.8)
    folder = write_scenario(tmp_path / "t", with_row("interventions", 0, unit_cost="80%"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    assert "percentuale" in flat(result.output)


def test_semicolon_export_with_italian_numbers(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    rows = small_tables()["funders"]
    rows[0]["amount"] = "€ 1.500.000,00"
    rows[1]["amount"] = "600.000"
    write_csv(folder / "funders.csv", rows, delimiter=";")
    scenario = load_scenario(folder)
    assert [f.amount for f in scenario.funders] == [1_500_000, 600_000]


def test_xlsx_text_cells_are_read_as_italian_numbers_and_number_cells_as_numbers(
    tmp_path: Path,
) -> None:
    tables = small_tables()
    tables["funders"][0]["amount"] = "€ 400.000,00"  # a text cell
    tables["funders"][1]["amount"] = 600.5  # a number cell: never re-read as text
    tables["areas"][0]["lat"] = 45.478  # a number cell with three decimals stays 45.478
    tables["interventions"][0]["max_coverage"] = "80%"
    folder = tmp_path / "x"
    write_scenario(folder, {name: [] for name in tables}, base=False)
    for path in folder.glob("*.csv"):
        path.unlink()
    write_xlsx(folder / "inputs.xlsx", tables)
    (folder / "scenario.toml").write_text('name = "xlsx"\n', encoding="utf-8")
    scenario = load_scenario(folder)
    assert [f.amount for f in scenario.funders] == [400_000, 600.5]
    assert scenario.areas[0].lat == 45.478
    assert scenario.interventions[0].max_coverage == pytest.approx(0.8)


# --- words ---------------------------------------------------------------------------------------


SYNONYMS = [
    *[
        ("interventions", 1, "unit", word, Unit.HOUSEHOLDS)
        for word in ("famiglie", "Famiglia", "household", "nuclei", "Nuclei familiari")
    ],
    *[
        ("interventions", 1, "unit", word, Unit.MINORS)
        for word in ("bambini", "child", "children", "minori", "MINORS")
    ],
    *[("interventions", 1, "unit", word, Unit.PEOPLE) for word in ("person", "persone", "People")],
    ("partners", 1, "legal_form", "APS", LegalForm.APS),
    ("partners", 1, "legal_form", "A.P.S.", LegalForm.APS),
    ("partners", 1, "legal_form", "Associazione di promozione sociale", LegalForm.APS),
    ("partners", 1, "legal_form", "ODV", LegalForm.ODV),
    ("partners", 1, "legal_form", "Organizzazione di volontariato", LegalForm.ODV),
    ("partners", 1, "legal_form", "Cooperativa sociale", LegalForm.COOPERATIVA_SOCIALE),
    ("partners", 1, "legal_form", "coop. sociale", LegalForm.COOPERATIVA_SOCIALE),
    ("partners", 1, "legal_form", "cooperativa_sociale", LegalForm.COOPERATIVA_SOCIALE),
    ("partners", 1, "legal_form", "Impresa sociale", LegalForm.IMPRESA_SOCIALE),
    ("partners", 1, "legal_form", "Ente religioso", LegalForm.ENTE_RELIGIOSO),
    ("partners", 1, "legal_form", "Fondazione", LegalForm.FONDAZIONE),
    ("partners", 1, "legal_form", "Consorzio", LegalForm.CONSORZIO),
    ("partners", 1, "legal_form", "Altro", LegalForm.ALTRO),
    *[
        ("funders", 0, "kind", word, FunderKind.PUBLIC)
        for word in ("pubblico", "Pubblica", "PUBLIC")
    ],
    *[
        ("funders", 0, "kind", word, FunderKind.PRIVATE)
        for word in ("privato", "Privata", "private")
    ],
]


@pytest.mark.parametrize(("table", "index", "column", "word", "value"), SYNONYMS)
def test_each_synonym_is_accepted(
    tmp_path: Path, table: str, index: int, column: str, word: str, value: Any
) -> None:
    folder = write_scenario(tmp_path / "s", with_row(table, index, **{column: word}))
    assert invoke("validate", folder).exit_code == EXIT_OK
    assert getattr(getattr(load_scenario(folder), table)[index], column) is value


def test_unknown_words_are_refused_listing_the_accepted_ones(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("funders", 0, kind="comunale"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "funders.csv, riga 2, colonna 'kind'" in text
    assert "public (pubblico" in text and "private (privato" in text


def test_associazione_is_refused_with_the_forms_it_may_mean(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 0, legal_form="Associazione"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "APS" in text and "ODV" in text and "fondazione" not in text.lower()


# --- files ---------------------------------------------------------------------------------------


def test_windows_1252_csv_is_read_through_the_cli(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    rows = small_tables()["areas"]
    rows[0]["name"] = "Città Studi – Lambrate"
    rows[1]["population"] = "€ 30.000,00"  # also the euro sign, 0x80 in Windows-1252
    write_csv(folder / "areas.csv", rows, encoding="cp1252")
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert "Windows-1252" in result.output
    assert load_scenario(folder).areas[0].name == "Città Studi – Lambrate"


def test_an_extra_column_is_kept_and_ignored_with_a_notice(tmp_path: Path) -> None:
    rows = small_tables()["partners"]
    for row in rows:
        row["note"] = "da richiamare"
    folder = write_scenario(tmp_path / "s", {"partners": rows})
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert "'note'" in result.output and "ignorata" in result.output
    assert "note" in (folder / "partners.csv").read_text()  # inputs never modified


def test_a_misspelt_optional_column_is_still_an_error(tmp_path: Path) -> None:
    """Ignoring "max_coverge" would silently give every row the default: refused."""
    rows = small_tables()["interventions"]
    for row in rows:
        row["max_coverge"] = row.pop("max_coverage", 0.5)
    folder = write_scenario(tmp_path / "s", {"interventions": rows})
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    assert any(p.column == "max_coverge" for p in caught.value.problems)


def test_accented_ids_are_refused_with_the_id_to_write(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", with_row("areas", 0, area_id="città_studi"))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "areas.csv, riga 2, colonna 'area_id'" in text and "citta_studi" in text


# --- languages -----------------------------------------------------------------------------------


def test_messages_are_italian_by_default_and_english_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_scenario(tmp_path / "s", with_row("areas", 0, population="tanti"))
    italian = flat(invoke("validate", folder).output)
    assert "areas.csv, riga 2, colonna 'population': non è un numero" in italian
    monkeypatch.setenv("ALLOCATOR_LANG", "en")
    english = flat(invoke("validate", folder).output)
    assert "areas.csv, row 2, column 'population': is not a number" in english


def test_exclusion_reasons_are_italian_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 1, years_experience=1))
    reasons = dict(load_scenario(folder).excluded_partners())
    assert reasons["aps_ponte"] == "1 anno di esperienza, sotto il minimo di 2"
    monkeypatch.setenv("ALLOCATOR_LANG", "en")
    reasons = dict(load_scenario(folder).excluded_partners())
    assert reasons["aps_ponte"] == "1 year of experience, below the minimum of 2"


def test_eligible_legal_forms_take_the_planners_words(tmp_path: Path) -> None:
    settings = {"policy": {"eligible_legal_forms": ["APS", "Cooperativa sociale"]}}
    folder = write_scenario(tmp_path / "s", settings=settings)
    policy = load_scenario(folder).settings.policy
    assert policy.eligible_legal_forms == (LegalForm.APS, LegalForm.COOPERATIVA_SOCIALE)
