"""Reading the table sheets of ``inputs.xlsx`` into text cells, with time and memory bounded.

A sheet is read in openpyxl's read-only mode, row by row from A1, whatever extent it declares: a
stray space at ``XFD1048576`` once made the whole rectangle up to it (minutes, gigabytes). Here a
row costs what it stores (a gap row costs one), counted against :data:`MAX_SHEET_CELLS`; a blank
cell (a space, a formatted empty cell) is ignored wherever it is; a value beyond
:data:`MAX_SHEET_ROWS` rows or :data:`MAX_SHEET_COLUMNS` columns is refused naming the sheet and
the cell, and reading stops there. Merged ranges and formulas stored without a result come from
the sheet's XML (:mod:`.sheet_marks`): a cell merged across data rows and a formula without a
result are refused with the cell named; two sheets for one table (a hidden one shadowing a visible
one) are refused. A number typed in a cell stays that number (:class:`~.sources.NumberCell`); an
Excel error value (``#N/A``) stays its text, refused with its cell by the checks of every cell.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from allocator.errors import Problem
from allocator.inputs.sheet_marks import (
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    SheetMarks,
    sheet_marks,
    workbook_parts,
)
from allocator.inputs.sources import TableSource, cell_text
from allocator.inputs.tables import TABLES_BY_NAME, Table
from allocator.lang import words

Cells = dict[int, dict[int, Any]]
"""Row number → column number → value, of the stored non-blank cells."""


def read_sheet(sheet: Any, marks: SheetMarks) -> Cells:
    """The non-blank cells of a read-only ``sheet`` within the extent its XML showed, so that
    openpyxl never makes up the rows and columns up to a stray cell beyond it."""
    cells: Cells = {}
    if not marks.rows or not marks.columns:
        return cells
    rows = sheet.iter_rows(
        min_row=1, max_row=marks.rows, min_col=1, max_col=marks.columns, values_only=True
    )
    for number, row in enumerate(rows, start=1):
        values = {c: value for c, value in enumerate(row, start=1) if not _blank(value)}
        if values:
            cells[number] = values
    return cells


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _beyond(where: str, cell: str, row: int, value: str) -> Problem:
    last = f"{get_column_letter(MAX_SHEET_COLUMNS)}{MAX_SHEET_ROWS}"
    return Problem(
        where,
        words(
            f"la cella {cell} ha un valore oltre l'ultima cella ammessa per una tabella "
            f"({last}: {MAX_SHEET_ROWS} righe, {MAX_SHEET_COLUMNS} colonne)",
            f"cell {cell} holds a value beyond the last cell a table may use "
            f"({last}: {MAX_SHEET_ROWS} rows, {MAX_SHEET_COLUMNS} columns)",
        ),
        row=row,
        value=value[:200],
        expected=words(
            f"la tabella dalla cella A1, senza nulla oltre {last}: cancella il contenuto di "
            f"{cell} (Ctrl+Fine in Excel porta all'ultima cella usata)",
            f"the table from cell A1, with nothing beyond {last}: clear cell {cell} "
            "(Ctrl+End in Excel goes to the last cell used)",
        ),
    )


def _too_many(where: str, row: int) -> Problem:
    return Problem(
        where,
        words(
            f"leggere il foglio richiede più di {MAX_SHEET_CELLS} celle (anche vuote ma "
            f"formattate): letto fino alla riga {row}, poi fermato",
            f"reading the sheet takes more than {MAX_SHEET_CELLS} cells (blank formatted "
            f"ones included): read up to row {row}, then stopped",
        ),
        expected=words(
            f"una tabella di al massimo {MAX_SHEET_ROWS} righe e {MAX_SHEET_COLUMNS} colonne; "
            "elimina le righe e le colonne inutilizzate (non solo il loro contenuto)",
            f"a table of at most {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns; "
            "delete the unused rows and columns (not only their content)",
        ),
    )


@dataclass
class Workbook:
    """The table sheets of one ``inputs.xlsx``, as text, and what keeps them from being read."""

    path: Path
    label: str
    sheets: dict[str, tuple[list[str], list[tuple[int, list[str]]]]] = field(default_factory=dict)
    """Table name → (header, [(row number, cells)]), each row as wide as the widest."""
    names: list[str] = field(default_factory=list)
    """Every sheet name, as written."""
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, label: str) -> Workbook:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            with zipfile.ZipFile(path) as archive:
                workbook = cls(path, label, names=list(book.sheetnames))
                parts = workbook_parts(archive)
                taken: dict[str, str] = {}
                for name in book.sheetnames:
                    key = name.strip().lower()
                    if key not in TABLES_BY_NAME:
                        continue
                    if key in taken:
                        workbook._twice(book, key, taken[key], name)
                        continue
                    taken[key] = name
                    part = parts.sheets.get(name)
                    if part is None:  # a chart sheet named like a table: nothing to read
                        continue
                    marks = sheet_marks(archive, part, parts.shared_strings)
                    workbook._read_table(book[name], key, marks)
        finally:
            book.close()
        return workbook

    def _twice(self, book: Any, key: str, first: str, name: str) -> None:
        hidden = [n for n in (first, name) if book[n].sheet_state != "visible"]
        self.problems.append(
            Problem(
                self.label,
                words(
                    f"due fogli per la tabella {key}: '{first}' e '{name}'"
                    + (f" (nascosto: '{hidden[0]}')" if hidden else ""),
                    f"two sheets for table {key}: '{first}' and '{name}'"
                    + (f" (hidden: '{hidden[0]}')" if hidden else ""),
                ),
                expected=words("un foglio per tabella", "one sheet per table"),
            )
        )
        self.sheets.pop(key, None)

    def _read_table(self, sheet: Any, key: str, marks: SheetMarks) -> None:
        name = sheet.title
        if sheet.sheet_state != "visible":
            self.notices.append(
                words(
                    f"{self.label}: il foglio '{name}' è nascosto, ma è letto",
                    f"{self.label}: sheet '{name}' is hidden, but it is read",
                )
            )
        where = f"{self.label} ({words('foglio', 'sheet')} {name})"
        if marks.stopped_at is not None or marks.beyond is not None:
            refusal = (
                _beyond(where, *marks.beyond)
                if marks.beyond is not None
                else _too_many(where, marks.stopped_at or 0)
            )
            self.problems.append(refusal)
            return
        values = read_sheet(sheet, marks)
        self.problems += [_merged(where, ref) for ref in marks.merged if _across_rows(ref)]
        self.problems += [_unsaved(where, *formula) for formula in marks.unsaved]
        self.sheets[key] = _lines(values)

    def source(self, table: Table, label: str) -> TableSource:
        header, rows = self.sheets[table.name]
        return TableSource(table, label, self.path, header, rows)


def _lines(cells: Cells) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, data rows) as text, each as wide as the widest row: the first stored row is the
    header, the others keep the numbers a spreadsheet shows."""
    if not cells:
        return [], []
    width = max(max(row) for row in cells.values())
    numbered = sorted(cells.items())

    def texts(row: dict[int, Any]) -> list[str]:
        return [cell_text(row.get(column)) for column in range(1, width + 1)]

    (_, first), rest = numbered[0], numbered[1:]
    header = [cell.strip().lower() for cell in texts(first)]
    return header, [(number, texts(row)) for number, row in rest]


def _across_rows(ref: str) -> bool:
    """A merged range spanning data rows (a title merged across row 1 alone is harmless)."""
    merged = CellRange(ref)
    return merged.max_row > merged.min_row and merged.max_row >= 2


def _merged(where: str, ref: str) -> Problem:
    return Problem(
        where,
        words(
            f"celle unite su più righe ({ref}): le righe dopo la prima resterebbero vuote",
            f"cells merged across rows ({ref}): the rows after the first would be blank",
        ),
        expected=words(
            "celle non unite, il valore ripetuto in ogni riga",
            "cells not merged, the value repeated on every row",
        ),
    )


def _unsaved(where: str, coordinate: str, row: int, formula: str) -> Problem:
    """A formula stored without its result (openpyxl writes none; Excel computes on opening)."""
    return Problem(
        where,
        words(
            f"la cella {coordinate} ha una formula senza risultato salvato",
            f"cell {coordinate} holds a formula with no stored result",
        ),
        row=row,
        value=formula,
        expected=words(
            "il file salvato da Excel o LibreOffice (che salvano i risultati), "
            "o il valore al posto della formula",
            "the file saved by Excel or LibreOffice (which store results), "
            "or the value instead of the formula",
        ),
    )
