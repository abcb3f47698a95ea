"""Reading a table's CSV file into text cells, nothing more (workbooks: :mod:`.workbook`).

CSV: UTF-8 (with or without BOM) or Windows-1252 (Italian Excel's plain "CSV"), anything else
refused by name; separated by ``,``, ``;`` or tab (or as Excel's ``sep=`` hint says). A number
typed in a workbook cell stays that number (:class:`NumberCell`), never re-read from text.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from allocator.errors import Problem
from allocator.i18n import _
from allocator.inputs.tables import Table

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
            _("cannot be read ({strerror})").format(strerror=error.strerror),
            expected=_("a readable file"),
        )
    if not stat.S_ISREG(mode):
        kind = _("a folder") if stat.S_ISDIR(mode) else _("a FIFO or a device")
        return Problem(
            label,
            _("is not a file but {kind}").format(kind=kind),
            expected=_("a regular file, or none"),
        )
    if not os.access(path, os.R_OK):
        return Problem(
            label,
            _("cannot be read (permission denied)"),
            expected=_("a readable file"),
        )
    return None


def decode(raw: bytes, label: str, problems: list[Problem], notices: list[str]) -> str | None:
    """A CSV's text: UTF-8 (BOM or not), else Windows-1252 (with a notice), else a problem."""
    expected = _("a file saved as 'CSV UTF-8' (or Italian Excel's plain 'CSV', Windows-1252)")
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32"),
        (b"\x00\x00\xfe\xff", "UTF-32"),
        (b"\xff\xfe", "UTF-16"),
        (b"\xfe\xff", "UTF-16"),
    ):
        if raw.startswith(bom):
            problems.append(
                Problem(label, _("is {name} text").format(name=name), expected=expected)
            )
            return None
    if raw.count(b"\x00") * 10 > len(raw):  # a stray NUL is a cell's problem, named there
        problems.append(
            Problem(
                label,
                _("holds NUL bytes: UTF-16 without a BOM, or not a text file"),
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
                _("is neither UTF-8 nor Windows-1252 (Italian Excel's 'CSV' encoding)"),
                row=raw[: error.start].count(b"\n") + 1,
                expected=expected,
            )
        )
        return None
    notices.append(
        _("{label}: read as Windows-1252 (Italian Excel's 'CSV'), not UTF-8").format(label=label)
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
                _("the separator hint is not allowed"),
                row=1,
                value=line,
                expected=_("sep=, or sep=; or sep=<tab> or sep=|"),
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
        problems.append(Problem(label, _("cannot be read") + f": {error}"))
        return None
    text = decode(raw, label, problems, notices)
    if text is None:
        return None
    first, _newline, rest = text.partition("\n")
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
                _("is not a readable CSV ({error})").format(error=error),
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
