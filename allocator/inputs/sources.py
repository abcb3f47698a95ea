"""Reading a table's file (CSV or a sheet of ``inputs.xlsx``) into text cells, nothing more.

CSV: UTF-8 (with or without BOM) or Windows-1252 (Italian Excel's plain "CSV"), anything else
refused by name; separated by ``,``, ``;`` or tab (or as Excel's ``sep=`` hint says). Workbooks
are read faithfully or refused: a formula's stored result is read, a formula without one, a cell
merged across data rows and two sheets for one table (a hidden one shadowing a visible one) are
refused with the cell or sheet named. A number typed in a workbook cell stays that number
(:class:`NumberCell`), never re-read from text.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from allocator.errors import Problem
from allocator.inputs.tables import TABLES_BY_NAME, Table
from allocator.lang import words

MAX_CELL_CHARS = 10_000
"""The longest cell read (a name, a note); longer ones are refused with the cell named."""
csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # long cells are refused by us, named

SEPARATORS = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}


class NumberCell(str):
    """A workbook cell holding a number: its text, and the number itself in ``value``."""

    value: float

    def __new__(cls, value: float) -> NumberCell:
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        cell = super().__new__(cls, text)
        cell.value = float(value)
        return cell


@dataclass
class TableSource:
    """One table as text: where it came from, its header and its rows."""

    table: Table
    label: str
    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as a spreadsheet shows it, cells)."""
    separator: str = ""
    """A CSV's separator (``,``, ``;``, tab); empty for a workbook's sheet."""
    notices: list[str] = field(default_factory=list)

    @property
    def italian(self) -> bool:
        """A ``;``-separated CSV: Italian Excel's export, ``,`` for decimals."""
        return self.separator == ";"

    @property
    def empty(self) -> bool:
        return not self.rows


def file_problem(path: Path, label: str) -> Problem | None:
    """Why ``path`` (which exists, maybe as a broken link) cannot be read as a file, or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return Problem(
            label,
            words(f"non si può leggere ({error.strerror})", f"cannot be read ({error.strerror})"),
            expected=words("un file leggibile", "a readable file"),
        )
    if not stat.S_ISREG(mode):
        kind = (
            words("una cartella", "a folder")
            if stat.S_ISDIR(mode)
            else words("una FIFO o un dispositivo", "a FIFO or a device")
        )
        return Problem(
            label,
            words(f"non è un file ma {kind}", f"is not a file but {kind}"),
            expected=words("un file normale, o nessuno", "a regular file, or none"),
        )
    if not os.access(path, os.R_OK):
        return Problem(
            label,
            words("non si può leggere (permesso negato)", "cannot be read (permission denied)"),
            expected=words("un file leggibile", "a readable file"),
        )
    return None


def decode(raw: bytes, label: str, problems: list[Problem], notices: list[str]) -> str | None:
    """A CSV's text: UTF-8 (BOM or not), else Windows-1252 (with a notice), else a problem."""
    expected = words(
        "un file salvato come 'CSV UTF-8' (o il 'CSV' di Excel in italiano, Windows-1252)",
        "a file saved as 'CSV UTF-8' (or Italian Excel's plain 'CSV', Windows-1252)",
    )
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            problems.append(
                Problem(label, words(f"è testo {name}", f"is {name} text"), expected=expected)
            )
            return None
    if raw.count(b"\x00") * 10 > len(raw):  # a stray NUL is a cell's problem, named there
        problems.append(
            Problem(
                label,
                words(
                    "contiene byte NUL: è UTF-16 senza BOM, o non è un file di testo",
                    "holds NUL bytes: UTF-16 without a BOM, or not a text file",
                ),
                row=raw[: raw.index(b"\x00")].count(b"\n") + 1,
                expected=expected,
            )
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                label,
                words(
                    "non è né UTF-8 né Windows-1252 (la codifica del 'CSV' di Excel in italiano)",
                    "is neither UTF-8 nor Windows-1252 (Italian Excel's 'CSV' encoding)",
                ),
                row=raw[: error.start].count(b"\n") + 1,
                expected=expected,
            )
        )
        return None
    notices.append(
        words(
            f"{label}: letto come Windows-1252 (il 'CSV' di Excel in italiano), non UTF-8",
            f"{label}: read as Windows-1252 (Italian Excel's 'CSV'), not UTF-8",
        )
    )
    return text


def _delimiter(first: str, label: str, problems: list[Problem]) -> tuple[str | None, bool]:
    """The separator of a CSV whose first line is ``first``; whether that line is a hint."""
    line = first.rstrip("\r\n")
    if line.lower().startswith("sep="):  # Excel's hint line, hidden by spreadsheets
        hint = line[4:]
        if hint in SEPARATORS:
            return hint, True
        problems.append(
            Problem(
                label,
                words("il separatore indicato non è ammesso", "the separator hint is not allowed"),
                row=1,
                value=line,
                expected=words(
                    "sep=, oppure sep=; oppure sep=<tab> oppure sep=|",
                    "sep=, or sep=; or sep=<tab> or sep=|",
                ),
            )
        )
        return None, True
    found = [s for s in ",;\t" if s in line]
    return (found[0] if len(found) == 1 else ","), False


def read_csv_table(
    table: Table, path: Path, label: str, problems: list[Problem]
) -> TableSource | None:
    """The text cells of one CSV table, or None (and problems) when it cannot be read."""
    unreadable = file_problem(path, label)
    if unreadable is not None:
        problems.append(unreadable)
        return None
    notices: list[str] = []
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(
            Problem(label, words("non si può leggere", "cannot be read") + f": {error}")
        )
        return None
    text = decode(raw, label, problems, notices)
    if text is None:
        return None
    first, _, rest = text.partition("\n")
    delimiter, hinted = _delimiter(first, label, problems)
    if delimiter is None:
        return None
    records = csv.reader(io.StringIO(rest if hinted else text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    offset = 1 if hinted else 0
    try:
        for number, record in enumerate(records, start=1 + offset):
            if header is None:
                header = [cell.strip().lower() for cell in record]
            elif any(cell.strip() for cell in record):
                rows.append((number, record))
    except csv.Error as error:
        problems.append(
            Problem(
                label,
                words(f"non è un CSV leggibile ({error})", f"is not a readable CSV ({error})"),
                row=records.line_num + offset,
            )
        )
        return None
    return TableSource(table, label, path, header or [], rows, separator=delimiter, notices=notices)


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold (numbers as :class:`NumberCell`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        return NumberCell(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass
class Workbook:
    """The table sheets of one ``inputs.xlsx``, as text, and what keeps them from being read."""

    path: Path
    label: str
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    """Every sheet name, as written."""
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path, label: str) -> Workbook:
        from openpyxl import load_workbook

        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
        workbook = cls(path, label, names=list(values.sheetnames))
        taken: dict[str, str] = {}
        for name in values.sheetnames:
            key = name.strip().lower()
            if key not in TABLES_BY_NAME:
                continue
            sheet, typed = values[name], formulas[name]
            if key in taken:
                hidden = [n for n in (taken[key], name) if values[n].sheet_state != "visible"]
                workbook.problems.append(
                    Problem(
                        label,
                        words(
                            f"due fogli per la tabella {key}: '{taken[key]}' e '{name}'"
                            + (f" (nascosto: '{hidden[0]}')" if hidden else ""),
                            f"two sheets for table {key}: '{taken[key]}' and '{name}'"
                            + (f" (hidden: '{hidden[0]}')" if hidden else ""),
                        ),
                        expected=words("un foglio per tabella", "one sheet per table"),
                    )
                )
                workbook.sheets.pop(key, None)
                continue
            taken[key] = name
            if sheet.sheet_state != "visible":
                workbook.notices.append(
                    words(
                        f"{label}: il foglio '{name}' è nascosto, ma è letto",
                        f"{label}: sheet '{name}' is hidden, but it is read",
                    )
                )
            where = f"{label} ({words('foglio', 'sheet')} {name})"
            workbook._check_cells(sheet, typed, where)
            workbook.sheets[key] = [
                [cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
            ]
        return workbook

    def _check_cells(self, sheet: Any, typed: Any, where: str) -> None:
        """Formulas without a stored result and cells merged across data rows, named."""
        for merged in sheet.merged_cells.ranges:
            if merged.max_row > merged.min_row and merged.max_row >= 2:
                self.problems.append(
                    Problem(
                        where,
                        words(
                            f"celle unite su più righe ({merged.coord}): le righe dopo la prima "
                            "resterebbero vuote",
                            f"cells merged across rows ({merged.coord}): the rows after the "
                            "first would be blank",
                        ),
                        expected=words(
                            "celle non unite, il valore ripetuto in ogni riga",
                            "cells not merged, the value repeated on every row",
                        ),
                    )
                )
        for row in typed.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                stored = sheet.cell(row=cell.row, column=cell.column).value
                if stored is None:
                    self.problems.append(
                        Problem(
                            where,
                            words(
                                f"la cella {cell.coordinate} ha una formula senza risultato "
                                "salvato",
                                f"cell {cell.coordinate} holds a formula with no stored result",
                            ),
                            row=cell.row,
                            value=str(cell.value),
                            expected=words(
                                "il file salvato da Excel o LibreOffice (che salvano i risultati), "
                                "o il valore al posto della formula",
                                "the file saved by Excel or LibreOffice (which store results), "
                                "or the value instead of the formula",
                            ),
                        )
                    )

    def source(self, table: Table, label: str) -> TableSource:
        lines = self.sheets[table.name]
        header = [cell.strip().lower() for cell in lines[0]] if lines else []
        rows = [
            (number, cells)
            for number, cells in enumerate(lines[1:], start=2)
            if any(cell.strip() for cell in cells)
        ]
        return TableSource(table, label, self.path, header, rows)
