"""Checking one table alone: its header, each cell and each row, into problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from allocator.errors import Problem
from allocator.i18n import _
from allocator.inputs.cells import NUMERIC, CellProblem, NumberColumns, text_problem, word_value
from allocator.inputs.guide_words import column_description
from allocator.inputs.numbers import NotANumber
from allocator.inputs.problems import expected_text, explain_error, suggest
from allocator.inputs.sources import TableSource
from allocator.inputs.tables import Column, ColumnType


@dataclass
class CheckedRow:
    number: int
    cells: dict[str, str]
    model: BaseModel | None
    bad: set[str]
    """Columns already reported as wrong on this row (not checked again)."""


@dataclass
class CheckedTable:
    """One table after its own checks: every row's cells, and its model when valid."""

    source: TableSource
    rows: list[CheckedRow]
    complete: bool
    """The header has every required column."""

    @property
    def label(self) -> str:
        return self.source.label

    def ids(self) -> set[str]:
        """The values of the (single) key column."""
        column = self.source.table.key[0]
        return {row.cells[column] for row in self.rows if row.cells.get(column)}

    def models(self) -> list[Any]:
        return [row.model for row in self.rows if row.model is not None]


def _check_header(
    source: TableSource, problems: list[Problem], notices: list[str]
) -> tuple[dict[str, int], bool]:
    """Column positions by name, and whether every required column is there."""
    table = source.table
    positions: dict[str, int] = {}
    names = ", ".join(table.column_names)
    if not any(source.header):
        problems.append(
            Problem(
                source.label,
                _("has no header row"),
                row=1,
                expected=_("the column names: {names}").format(names=names),
            )
        )
        return positions, False
    if not set(source.header) & set(table.column_names):  # not this table: quote nothing of it
        problems.append(
            Problem(
                source.label,
                _("does not look like table {name}: no header cell is one of its columns").format(
                    name=table.name
                ),
                row=1,
                expected=_("the columns: {names}").format(names=names),
            )
        )
        return positions, False
    extra: list[str] = []
    for index, name in enumerate(source.header):
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in source.rows):
                problems.append(
                    Problem(
                        source.label,
                        _("column {position} has values but no name in the header").format(
                            position=index + 1
                        ),
                        row=1,
                        expected=_("one of the columns: {names}").format(names=names),
                    )
                )
        elif name in positions:
            problems.append(
                Problem(
                    source.label,
                    _("column appears twice in the header"),
                    row=1,
                    column=name,
                )
            )
        elif name in table.column_names:
            positions[name] = index
        else:
            extra.append(name)
    missing = [c for c in table.column_names if c not in positions]
    for name in extra:
        close = difflib.get_close_matches(name, missing, n=1, cutoff=0.8)
        if close:  # a misspelt column would silently take its default
            problems.append(
                Problem(
                    source.label,
                    _("unknown column") + suggest(name, close),
                    row=1,
                    column=name,
                    expected=_("columns among: {names}").format(names=names),
                )
            )
        else:
            notices.append(
                _(
                    "{label}: column '{name}' is not one the model reads: kept in the file, ignored"
                ).format(label=source.label, name=name)
            )
    complete = True
    for column in table.columns:
        if column.required and column.name not in positions:
            complete = False
            problems.append(
                Problem(
                    source.label,
                    _("required column is missing"),
                    column=column.name,
                    expected=_("a column '{name}': ").format(name=column.name)
                    + column_description(table, column),
                )
            )
    return positions, complete


def check_table(
    source: TableSource, problems: list[Problem], notices: list[str] | None = None
) -> CheckedTable:
    """Header, cells and each row alone (cross-row checks come later)."""
    table = source.table
    positions, complete = _check_header(source, problems, [] if notices is None else notices)
    width = len(source.header)
    numbers = NumberColumns(source, positions)
    columns = {c.name: c for c in table.columns}
    rows: list[CheckedRow] = []
    for number, record in source.rows:
        cells = {
            name: (record[index].strip() if index < len(record) else "")
            for name, index in positions.items()
        }
        if len(record) > width:
            problems.append(_too_many_fields(source, number, record, width))
        data: dict[str, object] = {}
        spoilt: set[str] = set()
        for name, text in cells.items():
            column = columns[name]
            if not text and not column.required:
                continue
            value, problem = (
                _cell_value(source, number, column, text, numbers)
                if text
                else (None, _blank(source, number, column))
            )
            if problem is not None:
                spoilt.add(name)
                problems.append(problem)
            else:
                data[name] = value
        model = _row_model(source, number, cells, data, spoilt, problems) if complete else None
        rows.append(CheckedRow(number, cells, model, spoilt))
    notice = numbers.notice()
    if notice is not None and notices is not None:
        notices.append(notice)
    return CheckedTable(source, rows, complete)


def _blank(source: TableSource, number: int, column: Column) -> Problem:
    return Problem(
        source.label,
        _("is blank in a required column"),
        row=number,
        column=column.name,
        expected=expected_text(column),
    )


def _cell_value(
    source: TableSource, number: int, column: Column, text: str, numbers: NumberColumns
) -> tuple[object, Problem | None]:
    """A filled cell's value (a number, a word of the vocabulary, the text), or its problem."""
    cell_problem = text_problem(column, text)
    value: object = text
    if cell_problem is None and column.type in NUMERIC:
        try:
            value = numbers.value(number, column)
        except NotANumber as error:
            cell_problem = CellProblem(error.message, error.expected)
    elif cell_problem is None and column.type is ColumnType.ENUM:
        word = word_value(column, text)
        cell_problem, value = (word, text) if isinstance(word, CellProblem) else (None, word)
    if cell_problem is None:
        return value, None
    shown = text if len(text) <= 200 else text[:200] + "…"
    problem = Problem(
        source.label,
        cell_problem.message,
        row=number,
        column=column.name,
        value=shown,
        expected=cell_problem.expected,
    )
    return value, problem


def _row_model(
    source: TableSource,
    number: int,
    cells: dict[str, str],
    data: dict[str, object],
    spoilt: set[str],
    problems: list[Problem],
) -> Any:
    """The row's model, or None with its problems added (cells already spoilt not repeated)."""
    try:
        return source.table.model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            problem = _row_problem(source, number, cells, detail, spoilt)
            if problem is not None:
                problems.append(problem)
                spoilt.add(problem.column or "")
    return None


def _too_many_fields(source: TableSource, number: int, record: list[str], width: int) -> Problem:
    """A row longer than the header: its cells cannot be matched to columns (``A001,K02,37,5,``
    would read need 37 and priority 5), so the row is refused, never read."""
    return Problem(
        source.label,
        _(
            "the row has {fields} fields and the header {width} columns: which value goes "
            "in which column is unknown"
        ).format(fields=len(record), width=width),
        row=number,
        value=_joined(record, source),
        expected=_(
            "{width} fields, as the columns; a number with a comma (37,5) goes in quotes "
            "in a comma-separated CSV (or the file saved with the ';' separator)"
        ).format(width=width),
    )


def _joined(record: list[str], source: TableSource) -> str:
    text = (source.separator or ",").join(record)
    return text if len(text) <= 200 else text[:200] + "…"


def _row_problem(
    source: TableSource, number: int, cells: dict[str, str], detail: ErrorDetails, spoilt: set[str]
) -> Problem | None:
    """A pydantic error on one row in plain words; None if its cell was already reported."""
    table = source.table
    if detail["loc"]:
        name = str(detail["loc"][0])
    else:  # a rule across columns (minors ≤ population): name the first column it mentions
        if spoilt:
            return None
        name = _first_mentioned(str(detail["msg"]), table.column_names)
    if name in spoilt:
        return None
    column = table.column(name) if name in table.column_names else None
    message, expected = explain_error(detail, column)
    return Problem(
        source.label,
        message,
        row=number,
        column=name or None,
        value=cells.get(name, ""),
        expected=expected,
    )


def _first_mentioned(message: str, names: Sequence[str]) -> str:
    found = [(m.start(), n) for n in names if (m := re.search(rf"\b{re.escape(n)}\b", message))]
    return min(found)[1] if found else ""
