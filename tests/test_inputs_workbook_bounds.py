"""Bounded reading of workbooks (issue 21): a sheet is read from the cells it stores, a value
beyond the last cell a table may use is refused naming sheet and cell, Excel error values are
refused with their cell, and every refusal says why."""

from __future__ import annotations

import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from allocator.errors import EXIT_INPUT, EXIT_OK, InputError
from allocator.inputs.loading import load_scenario
from allocator.inputs.workbook import MAX_SHEET_COLUMNS, MAX_SHEET_ROWS
from tests.scenario_factory import flat, invoke, small_tables, with_row, write_scenario, write_xlsx

pytestmark = pytest.mark.cli

PEAK_BYTES = 200 * 2**20
"""Far above what reading a small workbook takes; the red team measured 2.3 to 5.3 GB."""


@pytest.fixture(autouse=True)
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOCATOR_LANG", raising=False)


def xlsx_scenario(folder: Path) -> Path:
    write_scenario(folder, {name: None for name in small_tables()})
    write_xlsx(folder / "inputs.xlsx", small_tables())
    return folder


def with_cell(folder: Path, sheet: str, coordinate: str, value: object) -> Path:
    book = load_workbook(folder / "inputs.xlsx")
    book[sheet][coordinate] = value
    book.save(folder / "inputs.xlsx")
    return folder


def loaded_within_memory(folder: Path) -> tuple[object, int]:
    """The scenario (or the InputError) and the peak of Python memory while reading it."""
    tracemalloc.start()
    try:
        try:
            outcome: object = load_scenario(folder)
        except InputError as error:
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("coordinate", ["Z200000", "XFD1048576"])
def test_a_stray_space_far_away_is_read_as_blank_in_bounded_memory(
    tmp_path: Path, coordinate: str
) -> None:
    """The red team's 11 KB inputs.xlsx with a space at earmarks!Z200000 (44 s, 2.3 GB) or
    XFD1048576 (85 s, 5.3 GB, then an empty reason)."""
    folder = with_cell(xlsx_scenario(tmp_path / "s"), "earmarks", coordinate, " ")
    assert (folder / "inputs.xlsx").stat().st_size < 20_000
    scenario, peak = loaded_within_memory(folder)
    assert not isinstance(scenario, InputError), scenario
    assert len(scenario.earmarks) == 2  # type: ignore[attr-defined]
    assert peak < PEAK_BYTES
    assert invoke("validate", folder).exit_code == EXIT_OK


@pytest.mark.parametrize("coordinate", ["Z200000", "XFD1048576", "CW2"])
def test_a_value_beyond_the_last_cell_is_refused_naming_sheet_and_cell(
    tmp_path: Path, coordinate: str
) -> None:
    folder = with_cell(xlsx_scenario(tmp_path / "s"), "earmarks", coordinate, "x")
    error, peak = loaded_within_memory(folder)
    assert isinstance(error, InputError)
    assert peak < PEAK_BYTES
    (problem,) = error.problems
    assert problem.file == "inputs.xlsx (foglio earmarks)"
    assert f"la cella {coordinate} ha un valore oltre l'ultima cella" in problem.message
    assert f"{MAX_SHEET_ROWS} righe, {MAX_SHEET_COLUMNS} colonne" in problem.message
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT and coordinate in flat(result.output)


def test_the_last_cell_a_table_may_use_is_read(tmp_path: Path) -> None:
    """A note at CV100000 (column 100, row 100000) is inside the bounds: an unnamed column with a
    value, refused as such (not as out of bounds)."""
    folder = with_cell(xlsx_scenario(tmp_path / "s"), "earmarks", "CV100000", "nota")
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    assert "la colonna 100 ha valori ma nessun nome" in str(caught.value)


def test_rows_keep_their_numbers_across_a_gap(tmp_path: Path) -> None:
    folder = with_cell(xlsx_scenario(tmp_path / "s"), "funders", "D50", "tanti")
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    rows = {(p.row, p.column) for p in caught.value.problems}
    assert (50, "amount") in rows and (50, "funder_id") in rows  # blank there, required
    assert all(row == 50 for row, _ in rows)


def as_shared_string(path: Path, sheet_index: int, coordinate: str, text: str) -> None:
    """Store the text cell at ``coordinate`` as Excel does, in the shared strings (openpyxl
    writes inline strings)."""
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.namelist()}
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    xml, count = re.subn(
        rf'<c r="{coordinate}"[^>]*>.*?</c>',
        f'<c r="{coordinate}" t="s"><v>0</v></c>',
        parts[name].decode(),
    )
    assert count == 1
    parts[name] = xml.encode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{main}" count="1" uniqueCount="1">'
        f'<si><t xml:space="preserve">{text}</t></si></sst>'
    ).encode()
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    rels = "xl/_rels/workbook.xml.rels"
    relationship = f'<Relationship Id="rIdS" Type="{kind}" Target="sharedStrings.xml"/>'
    parts[rels] = parts[rels].replace(
        b"</Relationships>", (relationship + "</Relationships>").encode()
    )
    content = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{content}"/></Types>'.encode(),
    )
    with zipfile.ZipFile(path, "w") as target:
        for item, data in parts.items():
            target.writestr(item, data)


@pytest.mark.parametrize(("text", "refused"), [(" ", False), ("nota", True)])
def test_a_far_shared_string_is_looked_up(tmp_path: Path, text: str, refused: bool) -> None:
    """As Excel saves it, the far cell holds an index into the shared strings: a blank string
    there is read as blank, a note is refused."""
    folder = with_cell(xlsx_scenario(tmp_path / "s"), "earmarks", "Z200000", "placeholder")
    as_shared_string(folder / "inputs.xlsx", 7, "Z200000", text)
    assert (
        load_workbook(folder / "inputs.xlsx", read_only=True)["earmarks"]["Z200000"].value == text
    )
    if refused:
        with pytest.raises(InputError) as caught:
            load_scenario(folder)
        (problem,) = caught.value.problems
        assert "Z200000" in problem.message and problem.value == text
    else:
        assert len(load_scenario(folder).earmarks) == 2


def cached_result(path: Path, sheet_index: int, coordinate: str, value: str) -> None:
    """Give the formula at ``coordinate`` the stored result an Excel error leaves (t="e")."""
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as source:
        parts = {item: source.read(item) for item in source.namelist()}
    xml = parts[name].decode()
    xml, count = re.subn(
        rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/>',
        rf'<c r="{coordinate}" t="e"><f>\2</f><v>{value}</v>',
        xml,
    )
    assert count == 1, xml[-500:]
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for item, content in parts.items():
            target.writestr(item, content)


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?"])
def test_a_formula_cached_as_an_excel_error_is_refused_never_a_name(
    tmp_path: Path, error: str
) -> None:
    """The red team: an area name given by a formula whose stored result is #N/A was accepted."""
    folder = xlsx_scenario(tmp_path / "s")
    with_cell(folder, "areas", "B2", "=VLOOKUP(A2,Elenco!A:B,2,FALSE)")
    cached_result(folder / "inputs.xlsx", 1, "B2", error)
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    (problem,) = caught.value.problems
    assert problem.file == "inputs.xlsx (foglio areas)"
    assert (problem.row, problem.column, problem.value) == (2, "name", error)
    assert "errore del foglio di calcolo" in problem.message


@pytest.mark.parametrize("error", ["#N/A", "#N/D", "#RIF!", "Err:502"])
def test_an_exported_error_value_in_a_csv_is_refused(tmp_path: Path, error: str) -> None:
    folder = write_scenario(tmp_path / "s", with_row("partners", 1, name=error))
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "partners.csv, riga 3, colonna 'name': è un errore del foglio di calcolo" in text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a zip", "File is not a zip file"),
        (None, "manca una parte interna del file"),
    ],
)
def test_a_broken_workbook_is_refused_with_a_reason(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    folder = xlsx_scenario(tmp_path / "s")
    if content is None:
        with zipfile.ZipFile(folder / "inputs.xlsx", "w") as archive:
            archive.writestr("hello.txt", "a zip, but no workbook inside")
    else:
        (folder / "inputs.xlsx").write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    message = caught.value.problems[0].message
    assert reason in message and "()" not in message


def test_a_sheet_storing_too_many_cells_is_refused_naming_where_reading_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap on stored cells (2,000,000), lowered so that a small sheet passes it."""
    from allocator.inputs import sheet_marks

    monkeypatch.setattr(sheet_marks, "MAX_SHEET_CELLS", 12)
    folder = xlsx_scenario(tmp_path / "s")
    with pytest.raises(InputError) as caught:
        load_scenario(folder)
    text = str(caught.value)
    assert "inputs.xlsx (foglio areas)" in text and "poi fermato" in text
    assert "letto fino alla riga 3" in text
