"""Reading a table's file (CSV or a sheet of ``inputs.xlsx``) into text cells, nothing more."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from allocator.errors import Problem
from allocator.inputs.tables import TABLES_BY_NAME, Table


@dataclass
class TableSource:
    """One table as text: where it came from, its header and its rows."""

    table: Table
    label: str
    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as a spreadsheet shows it, cells)."""
    italian: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows


def _csv_text(path: Path, label: str, problems: list[Problem]) -> str | None:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                label,
                "is not UTF-8 text (Excel's plain 'CSV' format writes another encoding)",
                row=raw[: error.start].count(b"\n") + 1,
                expected="a file saved as 'CSV UTF-8 (comma delimited)'",
            )
        )
        return None


def read_csv_table(
    table: Table, path: Path, label: str, problems: list[Problem]
) -> TableSource | None:
    text = _csv_text(path, label, problems)
    if text is None:
        return None
    first, _, rest = text.partition("\n")
    if first.lower().startswith("sep="):  # Excel's hint line, hidden by spreadsheets
        delimiter = first[4:].strip()[:1] or ","
        text = rest
    elif ";" in first and "," not in first:
        delimiter = ";"
    else:
        delimiter = ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, start=1):
        if header is None:
            header = [cell.strip().lower() for cell in record]
        elif any(cell.strip() for cell in record):
            rows.append((number, record))
    return TableSource(table, label, path, header or [], rows, italian=delimiter == ";")


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass
class Workbook:
    """The table sheets of one ``inputs.xlsx``, as text."""

    path: Path
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    """Every sheet name, as written."""

    @classmethod
    def read(cls, path: Path) -> Workbook:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            workbook = cls(path, names=list(book.sheetnames))
            for name in book.sheetnames:
                key = name.strip().lower()
                if key in TABLES_BY_NAME:
                    workbook.sheets[key] = [
                        [cell_text(value) for value in row]
                        for row in book[name].iter_rows(values_only=True)
                    ]
            return workbook
        finally:
            book.close()

    def source(self, table: Table, label: str) -> TableSource:
        lines = self.sheets[table.name]
        header = [cell.strip().lower() for cell in lines[0]] if lines else []
        rows = [
            (number, cells)
            for number, cells in enumerate(lines[1:], start=2)
            if any(cell.strip() for cell in cells)
        ]
        return TableSource(table, label, self.path, header, rows)
