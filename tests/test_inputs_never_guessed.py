"""Numbers never guessed (issue 21): each reproduction of the red team, refused or read right.

The one rule (docs/DESIGN.md §5): a number with two readings takes its file's convention when the
file's other numbers (or its ``;`` separator) show exactly one, else the one reading in the
column's range, else it is refused naming file, row, column and both readings. A row with more
fields than the header is refused naming the row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.errors import EXIT_INPUT, EXIT_OK, InputError
from allocator.inputs.loading import load_scenario
from tests.scenario_factory import (
    flat,
    invoke,
    small_tables,
    write_csv,
    write_scenario,
    write_xlsx,
)

pytestmark = pytest.mark.cli

ENGLISH_THOUSANDS = ["168,000", "128,000", "554,000", "218,000"]


@pytest.fixture(autouse=True)
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOCATOR_LANG", raising=False)


def funders_with(amounts: list[str]) -> list[dict[str, object]]:
    """Funders with these amounts, the first two the small scenario's (its earmarks name them)."""
    ids = ["comune", "cariplo", *(f"f{i}" for i in range(2, len(amounts)))]
    kinds = ["public", "private"]
    return [
        {"funder_id": fid, "name": f"Funder {fid}", "kind": kinds[i % 2], "amount": amount}
        for i, (fid, amount) in enumerate(zip(ids, amounts, strict=True))
    ]


def test_english_thousands_alone_are_refused_never_read_as_168(tmp_path: Path) -> None:
    """The red team's funders.csv: "168,000" … quoted in a comma CSV were read as 168 € each
    (a budget of 1.068 €, exit 0). Nothing in the file settles ',': each is refused."""
    folder = write_scenario(tmp_path / "s", {"funders": funders_with(ENGLISH_THOUSANDS)})
    assert '"168,000"' in (folder / "funders.csv").read_text()
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    for row, amount in enumerate(ENGLISH_THOUSANDS, start=2):
        assert f"funders.csv, riga {row}, colonna 'amount': è ambiguo" in text
        thousands, decimals = amount.replace(",", ""), amount.split(",")[0]
        assert f"{thousands} (',' separa le migliaia)" in text
        assert f"{decimals} (',' per i decimali)" in text
    assert invoke("run", folder, "--out", tmp_path / "out", "--quiet").exit_code == EXIT_INPUT
    assert not (tmp_path / "out").exists()


def test_english_thousands_are_read_as_thousands_where_the_file_writes_english(
    tmp_path: Path,
) -> None:
    """One more amount written "1,000,000.50" (only English) settles the file: 168000 …"""
    amounts = [*ENGLISH_THOUSANDS, "1,000,000.50"]
    folder = write_scenario(tmp_path / "s", {"funders": funders_with(amounts)})
    scenario = load_scenario(folder)
    assert [f.amount for f in scenario.funders] == [168_000, 128_000, 554_000, 218_000, 1e6 + 0.5]
    assert any("letto come 168000" in notice for notice in scenario.notices)


def test_a_value_of_1_250_in_a_file_writing_dot_decimals_is_1_25(tmp_path: Path) -> None:
    """The red team: `value` "1.250" in an interventions.csv writing 0.8 was read as 1250."""
    rows = small_tables()["interventions"]
    rows[0]["value"] = "1.250"
    folder = write_scenario(tmp_path / "s", {"interventions": rows})
    assert "0.8" in (folder / "interventions.csv").read_text()
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert "riga 2, colonna value: 1.250 letto come 1,25" in flat(result.output)
    assert load_scenario(folder).interventions[0].value == pytest.approx(1.25)


def test_1_250_in_a_semicolon_export_is_1250(tmp_path: Path) -> None:
    """A ';' file is Italian Excel's: its separator settles '.' as thousands."""
    folder = write_scenario(tmp_path / "s")
    rows = small_tables()["needs"]
    rows[0]["need"] = "1.250"
    rows[0]["priority"] = "1"
    write_csv(folder / "needs.csv", rows, delimiter=";")
    scenario = load_scenario(folder)
    assert scenario.needs[0].need == 1250
    assert any("separatore ';'" in notice for notice in scenario.notices)


def test_a_row_with_more_fields_than_the_header_is_refused_naming_the_row(
    tmp_path: Path,
) -> None:
    """`A001,K02,37,5,` (Italian 37,5 unquoted, priority blank) became need 37, priority 5."""
    folder = write_scenario(tmp_path / "s")
    lines = (folder / "needs.csv").read_text().splitlines()
    assert lines[0] == "area_id,intervention_id,need,priority"
    lines[2] = "a1,emporio,37,5,"
    (folder / "needs.csv").write_text("\n".join(lines) + "\n")
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    assert "needs.csv, riga 3: la riga ha 5 campi e l'intestazione 4 colonne" in text
    assert "a1,emporio,37,5," in text and "tra virgolette" in text


def test_a_quoted_italian_decimal_in_a_comma_csv_is_read(tmp_path: Path) -> None:
    """The same need quoted, "37,5": one field, one reading."""
    folder = write_scenario(tmp_path / "s")
    lines = (folder / "needs.csv").read_text().splitlines()
    lines[2] = 'a1,emporio,"37,5",'
    (folder / "needs.csv").write_text("\n".join(lines) + "\n")
    assert load_scenario(folder).needs[1].need == 37.5


def test_an_ambiguous_text_cell_of_a_workbook_is_refused(tmp_path: Path) -> None:
    """A text cell "1.200" in a sheet whose other numbers are number cells: nothing settles it."""
    tables = small_tables()
    tables["interventions"][1]["unit_cost"] = "1.200"
    folder = write_scenario(tmp_path / "x", {n: None for n in tables})
    write_xlsx(folder / "inputs.xlsx", tables)
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    (problem,) = caught.value.problems
    assert problem.file == "inputs.xlsx (foglio interventions)" and problem.row == 3
    assert problem.column == "unit_cost" and "1200" in problem.message


@pytest.mark.parametrize("value", ["600.000", "1,250"])
def test_a_set_value_with_two_readings_is_refused(tmp_path: Path, value: str) -> None:
    """TOML reads --set funders.cariplo.amount=600.000 as 600: refused, both readings named."""
    folder = write_scenario(tmp_path / "s")
    result = invoke("validate", folder, "--set", f"funders.cariplo.amount={value}")
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    assert "--set, colonna 'funders.cariplo.amount': è ambiguo" in text


def test_a_set_value_as_programs_write_it_keeps_its_reading(tmp_path: Path) -> None:
    """1.125 (as Python writes 1.125, the page's stored overrides) is read as TOML reads it."""
    folder = write_scenario(tmp_path / "s")
    assert load_scenario(folder, ["budget.scale=1.125"]).settings.budget.scale == 1.125
