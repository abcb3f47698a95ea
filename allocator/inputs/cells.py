"""One cell's text into its value: numbers (weighed against their column and file), the planners'
words for units, legal forms and kinds, and text free of control characters."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from allocator.i18n import _
from allocator.inputs.guide_words import fits
from allocator.inputs.numbers import (
    ITALIAN,
    Evidence,
    NotANumber,
    Reading,
    convention_words,
    number_text,
    read_number,
    resolve,
)
from allocator.inputs.sources import MAX_CELL_CHARS, NumberCell, TableSource
from allocator.inputs.tables import Column, ColumnType
from allocator.inputs.vocabulary import accepted, ambiguity, canonical, vocabulary_of

NUMERIC = (ColumnType.NUMBER, ColumnType.SHARE)
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.\-]+")
EXCEL_ERRORS = frozenset(
    {
        *("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"),
        *("#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"),
        *("#N/D", "#RIF!", "#VALORE!", "#NOME?", "#NULLO!", "#ESPANDI!"),  # Italian Excel's
    }
)
"""The error values of Excel (as files store them, and as Italian Excel shows and exports them):
a formula that failed, never a value."""
_LIBREOFFICE_ERROR = re.compile(r"Err:\d{3}")
_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


@dataclass(frozen=True)
class CellProblem:
    """Why a cell cannot be read: ``message`` and ``expected``, in words."""

    message: str
    expected: str | None = None


class NumberColumns:
    """Every numeric cell of a table read once, then each value chosen by the one rule of
    :func:`~.numbers.resolve`: ``1.200`` is 1200 or 1,2 as the file's other numbers (or its ``;``
    separator) settle it, and refused naming both readings where nothing does."""

    def __init__(self, source: TableSource, positions: dict[str, int]) -> None:
        self.source = source
        self.readings: dict[tuple[int, str], Reading | NotANumber] = {}
        self.chosen: list[str] = []
        """Cells whose two readings both lie in range, read by the file's convention, as the
        notice quotes them."""
        columns = {c.name: c for c in source.table.columns if c.type in NUMERIC}
        shown: dict[str, str] = {}
        if source.italian:
            shown[ITALIAN] = _("the ';' separator of Italian Excel")
        for number, record in source.rows:
            for name, index in positions.items():
                if name not in columns or index >= len(record):
                    continue
                reading = self._read(record[index], columns[name])
                if reading is None:
                    continue
                self.readings[number, name] = reading
                if isinstance(reading, Reading) and reading.convention is not None:
                    where = _("row {number}, column {name}: {text}").format(
                        number=number, name=name, text=reading.text
                    )
                    shown.setdefault(reading.convention, where)
        self.evidence = Evidence(shown)

    @staticmethod
    def _read(cell: str, column: Column) -> Reading | NotANumber | None:
        if isinstance(cell, NumberCell):
            return Reading(cell, cell.value, cell.value)
        if not cell.strip():
            return None
        try:
            return read_number(cell.strip(), column.type is ColumnType.SHARE)
        except NotANumber as error:
            return error

    def value(self, number: int, column: Column) -> float:
        """The cell's number, or :class:`NotANumber`."""
        reading = self.readings[number, column.name]
        if isinstance(reading, NotANumber):
            raise reading
        low, high, strict = fits(self.source.table, column)

        def plausible(value: float) -> bool:
            return (
                math.isfinite(value) and (value > low if strict else value >= low) and value <= high
            )

        value = resolve(reading, plausible, self.evidence)
        if reading.ambiguous and plausible(reading.italian) and plausible(reading.english):
            self.chosen.append(
                _("row {number}, column {name}: {text} read as {value}").format(
                    number=number, name=column.name, text=reading.text, value=number_text(value)
                )
            )
        return value

    def notice(self) -> str | None:
        """What the cells with two readings were read as, and why, or None."""
        if not self.chosen:
            return None
        settled = self.evidence.settled
        assert settled is not None  # both readings in range: only the file's convention chooses
        why = _("as the rest of the file ({settled}: {shown})").format(
            settled=convention_words(settled), shown=self.evidence.shown[settled]
        )
        more = len(self.chosen) - 1
        others = _(" (and {more} more)").format(more=more) if more else ""
        return f"{self.source.label}: {self.chosen[0]}{others}: {why}"


def word_value(column: Column, text: str) -> str | CellProblem:
    """An ENUM cell's value: the contract's word for what ``text`` says, or why not."""
    enum = vocabulary_of(column.allowed)
    if enum is None:
        return text
    value = canonical(enum, text)
    if value is not None:
        return value.value
    instead = ambiguity(enum, text)
    if instead is not None:
        return CellProblem(
            _("may mean more than one form"),
            instead,
        )
    return CellProblem(
        _("is not an accepted word"),
        _("one of (or a synonym in brackets): ") + accepted(enum),
    )


def text_problem(column: Column, text: str) -> CellProblem | None:
    """What is wrong with a cell's text itself (before its column's rules), or None."""
    if text.upper() in EXCEL_ERRORS or _LIBREOFFICE_ERROR.fullmatch(text):
        return CellProblem(
            _("is a spreadsheet error ({text}): a formula that found no value, not data").format(
                text=text
            ),
            _("the value, or the formula corrected in the spreadsheet before saving"),
        )
    if len(text) > MAX_CELL_CHARS:
        return CellProblem(
            _("is {length} characters long").format(length=len(text)),
            _("at most {most} characters").format(most=MAX_CELL_CHARS),
        )
    bad = next(
        (ch for ch in text if unicodedata.category(ch) == "Cc" or ch in _BIDI),
        None,
    )
    if bad is not None:
        return CellProblem(
            _("holds a control character (U+{bad:04X})").format(bad=ord(bad)),
            _("printable text on one line (no line breaks or tabs)"),
        )
    if column.type is ColumnType.IDENTIFIER or (column.type is ColumnType.SELECTOR and text != "*"):
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        if plain != text and _IDENTIFIER.fullmatch(plain.replace(" ", "_")):
            return CellProblem(
                _("has accented letters or spaces, which identifiers do not allow"),
                _(
                    "the same without accents or spaces: {plain} (the name, with its accents, goes "
                    "in the name column)"
                ).format(plain=plain.replace(" ", "_")),
            )
    return None
