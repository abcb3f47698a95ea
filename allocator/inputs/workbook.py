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
from allocator.i18n import _
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
        _(
            "cell {cell} holds a value beyond the last cell a table may use ({last}: "
            "{MAX_SHEET_ROWS} rows, {MAX_SHEET_COLUMNS} columns)"
        ).format(
            cell=cell, last=last, MAX_SHEET_ROWS=MAX_SHEET_ROWS, MAX_SHEET_COLUMNS=MAX_SHEET_COLUMNS
        ),
        row=row,
        value=value[:200],
        expected=_(
            "the table from cell A1, with nothing beyond {last}: clear cell {cell} "
            "(Ctrl+End in Excel goes to the last cell used)"
        ).format(last=last, cell=cell),
    )


def _too_many(where: str, row: int) -> Problem:
    return Problem(
        where,
        _(
            "reading the sheet takes more than {MAX_SHEET_CELLS} cells (blank formatted "
            "ones included): read up to row {row}, then stopped"
        ).format(MAX_SHEET_CELLS=MAX_SHEET_CELLS, row=row),
        expected=_(
            "a table of at most {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns; "
            "delete the unused rows and columns (not only their content)"
        ).format(MAX_SHEET_ROWS=MAX_SHEET_ROWS, MAX_SHEET_COLUMNS=MAX_SHEET_COLUMNS),
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
                _("two sheets for table {key}: '{first}' and '{name}'").format(
                    key=key, first=first, name=name
                )
                + (_(" (hidden: '{sheet}')").format(sheet=hidden[0]) if hidden else ""),
                expected=_("one sheet per table"),
            )
        )
        self.sheets.pop(key, None)

    def _read_table(self, sheet: Any, key: str, marks: SheetMarks) -> None:
        name = sheet.title
        if sheet.sheet_state != "visible":
            self.notices.append(
                _("{label}: sheet '{name}' is hidden, but it is read").format(
                    label=self.label, name=name
                )
            )
        where = _("{label} (sheet {name})").format(label=self.label, name=name)
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
        _("cells merged across rows ({ref}): the rows after the first would be blank").format(
            ref=ref
        ),
        expected=_("cells not merged, the value repeated on every row"),
    )


def _unsaved(where: str, coordinate: str, row: int, formula: str) -> Problem:
    """A formula stored without its result (openpyxl writes none; Excel computes on opening)."""
    return Problem(
        where,
        _("cell {coordinate} holds a formula with no stored result").format(coordinate=coordinate),
        row=row,
        value=formula,
        expected=_(
            "the file saved by Excel or LibreOffice (which store results), "
            "or the value instead of the formula"
        ),
    )
