"""A sheet's real extent and what openpyxl's read-only mode does not tell, from the sheet's XML in
one streaming pass over the cells it stores (never the rectangle it declares): the last row and
column holding a value within the bounds a table may use, the first non-blank value beyond them,
the merged ranges, and the formulas stored without a result.

An ``.xlsx`` is a zip: ``_rels/.rels`` names the workbook part, the workbook part lists the sheets
by name and relationship id, and the workbook's relationships give each sheet's part and the
shared strings. Each element is dropped once seen, so memory stays flat.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, iterparse

MAX_SHEET_ROWS = 100_000
"""The last row a table sheet may use (Excel allows 1.048.576)."""
MAX_SHEET_COLUMNS = 100
"""The last column a table sheet may use (column CV; Excel allows 16.384)."""
MAX_SHEET_CELLS = 2_000_000
"""The cells a sheet may store (blank formatted ones included) before reading it stops."""
MAX_FAR_STRINGS = 10_000
"""Text cells beyond the bounds whose shared string is looked up (blank ones are ignored)."""

OFFICE_DOCUMENT = "/officeDocument"
SHARED_STRINGS = "/sharedStrings"
_COORDINATE = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class SheetMarks:
    """What one sheet's XML says beyond its values."""

    rows: int = 0
    columns: int = 0
    """The last row and column holding a value within the bounds: the extent to read."""
    beyond: tuple[str, int, str] | None = None
    """The first non-blank value beyond the bounds: coordinate, row, text."""
    stopped_at: int | None = None
    """The row where the scan stopped, the sheet storing more than :data:`MAX_SHEET_CELLS`."""
    merged: list[str] = field(default_factory=list)
    unsaved: list[tuple[str, int, str]] = field(default_factory=list)
    """Formulas without a stored result: coordinate, row, formula."""


@dataclass(frozen=True)
class Parts:
    """Where a workbook's sheets and shared strings are in its zip."""

    sheets: dict[str, str]
    shared_strings: str | None


def _local(tag: str) -> str:
    """An XML name without its namespace (transitional and strict OOXML alike)."""
    return tag.rpartition("}")[2]


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _elements(archive: zipfile.ZipFile, part: str, name: str) -> Iterator[Element]:
    with archive.open(part) as source:
        for _, element in iterparse(source):
            if _local(element.tag) == name:
                yield element


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of ``part``, targets resolved against it."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for element in _elements(archive, rels, "Relationship"):
        target = element.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[element.get("Id", "")] = (element.get("Type", ""), posixpath.normpath(resolved))
    return found


def workbook_parts(archive: zipfile.ZipFile) -> Parts:
    """Sheet name → its part (``xl/worksheets/sheet1.xml``), and the shared strings' part."""
    main = [t for kind, t in _relationships(archive, "").values() if kind.endswith(OFFICE_DOCUMENT)]
    if not main:
        return Parts({}, None)
    targets = _relationships(archive, main[0])
    strings = [t for kind, t in targets.values() if kind.endswith(SHARED_STRINGS)]
    sheets = {}
    for sheet in _elements(archive, main[0], "sheet"):
        rel = targets.get(_attribute(sheet, "id") or "")
        if rel is not None:
            sheets[sheet.get("name", "")] = rel[1]
    return Parts(sheets, strings[0] if strings else None)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _Scan:
    """One pass over a sheet's cells."""

    def __init__(self) -> None:
        self.marks = SheetMarks()
        self.seen = 0
        self.far_strings: list[tuple[str, int, int]] = []
        """Shared-string cells beyond the bounds: coordinate, row, string index."""
        self.row = 0
        self.column = 0

    def cell(self, cell: Element) -> bool:
        """Take one cell; False once the scan must stop."""
        self.seen += 1
        if self.seen > MAX_SHEET_CELLS:
            self.marks.stopped_at = self.row
            return False
        coordinate = cell.get("r") or ""
        found = _COORDINATE.fullmatch(coordinate)
        self.column = _column_number(found.group(1)) if found else self.column + 1
        row = int(found.group(2)) if found else self.row
        children = {_local(child.tag): child for child in cell}
        stored, inline = children.get("v"), children.get("is")
        text = "".join(inline.itertext()) if inline is not None else None
        if stored is not None and stored.text:
            text = stored.text
        formula = children.get("f")
        if formula is not None and text is None:
            self.marks.unsaved.append((coordinate, row, "=" + (formula.text or "")))
        if text is None:
            return True
        if row <= MAX_SHEET_ROWS and self.column <= MAX_SHEET_COLUMNS:
            self.marks.rows = max(self.marks.rows, row)
            self.marks.columns = max(self.marks.columns, self.column)
            return True
        return self._far(coordinate, row, text, cell.get("t") == "s")

    def _far(self, coordinate: str, row: int, text: str, shared: bool) -> bool:
        """A value beyond the bounds: a non-blank one stops the scan; a shared string is kept to
        be looked up; False once the scan must stop."""
        if shared and text.isdigit():
            self.far_strings.append((coordinate, row, int(text)))
            if len(self.far_strings) <= MAX_FAR_STRINGS:
                return True
            self.marks.stopped_at = row
            return False
        if text.strip():
            self.marks.beyond = (coordinate, row, text)
            return False
        return True

    def row_start(self, row: Element) -> None:
        self.seen += 1
        number = row.get("r")
        self.row = int(number) if number and number.isdigit() else self.row + 1
        self.column = 0


def sheet_marks(archive: zipfile.ZipFile, part: str, strings: str | None) -> SheetMarks:
    """The extent, the first value beyond the bounds, merged ranges and unsaved formulas of the
    sheet at ``part`` (``strings``: the shared strings' part)."""
    scan = _Scan()
    with archive.open(part) as source:
        for event, element in iterparse(source, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    scan.row_start(element)
                continue
            if name == "c":
                if not scan.cell(element):
                    break
                element.clear()
            elif name == "row":
                element.clear()
            elif name == "mergeCell":
                scan.marks.merged.append(element.get("ref", ""))
    if scan.marks.beyond is None and scan.far_strings and strings is not None:
        scan.marks.beyond = _first_not_blank(archive, strings, scan.far_strings)
    return scan.marks


def _first_not_blank(
    archive: zipfile.ZipFile, strings: str, cells: list[tuple[str, int, int]]
) -> tuple[str, int, str] | None:
    """The first of ``cells`` (shared-string cells) whose string is not blank."""
    wanted = {index for _, _, index in cells}
    texts: dict[int, str] = {}
    for index, item in enumerate(_elements(archive, strings, "si")):
        if index in wanted:
            texts[index] = "".join(
                "".join(child.itertext()) for child in item if _local(child.tag) in ("t", "r")
            )
        item.clear()
    for coordinate, row, index in cells:
        text = texts.get(index, "")
        if text.strip():
            return coordinate, row, text
    return None
