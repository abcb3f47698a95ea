"""Checking one table alone: its header, each cell and each row, into problems."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from allocator.errors import Problem
from allocator.inputs.numbers import NotANumber, read_number
from allocator.inputs.problems import expected_text, explain_error, suggest
from allocator.inputs.sources import TableSource
from allocator.inputs.tables import ColumnType


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


def _check_header(source: TableSource, problems: list[Problem]) -> tuple[dict[str, int], bool]:
    """Column positions by name, and whether every required column is there."""
    table = source.table
    positions: dict[str, int] = {}
    if not any(source.header):
        problems.append(
            Problem(
                source.label,
                "has no header row",
                row=1,
                expected=f"the column names: {', '.join(table.column_names)}",
            )
        )
        return positions, False
    for index, name in enumerate(source.header):
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in source.rows):
                problems.append(
                    Problem(
                        source.label,
                        f"column {index + 1} has values but no name in the header",
                        row=1,
                        expected=f"one of the columns: {', '.join(table.column_names)}",
                    )
                )
        elif name in positions:
            problems.append(
                Problem(source.label, "column appears twice in the header", row=1, column=name)
            )
        elif name not in table.column_names:
            problems.append(
                Problem(
                    source.label,
                    "unknown column" + suggest(name, table.column_names),
                    row=1,
                    column=name,
                    expected=f"columns among: {', '.join(table.column_names)}",
                )
            )
        else:
            positions[name] = index
    complete = True
    for column in table.columns:
        if column.required and column.name not in positions:
            complete = False
            problems.append(
                Problem(
                    source.label,
                    "required column is missing",
                    column=column.name,
                    expected=f"a column '{column.name}': {column.description}",
                )
            )
    return positions, complete


def check_table(source: TableSource, problems: list[Problem]) -> CheckedTable:
    """Header, cells and each row alone (cross-row checks come later)."""
    table = source.table
    positions, complete = _check_header(source, problems)
    width = len(source.header)
    numeric = {c.name for c in table.columns if c.type in (ColumnType.NUMBER, ColumnType.SHARE)}
    columns = {c.name: c for c in table.columns}
    rows: list[CheckedRow] = []
    for number, record in source.rows:
        cells = {
            name: (record[index].strip() if index < len(record) else "")
            for name, index in positions.items()
        }
        if any(cell.strip() for cell in record[width:]):
            problems.append(
                Problem(
                    source.label,
                    f"the row has more cells than the header's {width} columns",
                    row=number,
                )
            )
        data: dict[str, object] = {}
        spoilt: set[str] = set()
        for name, text in cells.items():
            if not text:
                if columns[name].required:
                    spoilt.add(name)
                    problems.append(
                        Problem(
                            source.label,
                            "is blank in a required column",
                            row=number,
                            column=name,
                            expected=expected_text(columns[name]),
                        )
                    )
            elif name in numeric:
                try:
                    data[name] = read_number(text, source.italian)
                except NotANumber as error:
                    spoilt.add(name)
                    problems.append(
                        Problem(
                            source.label,
                            error.message,
                            row=number,
                            column=name,
                            value=text,
                            expected=error.expected,
                        )
                    )
            else:
                data[name] = text
        model = None
        if complete:
            try:
                model = table.model.model_validate(data)
            except ValidationError as error:
                for detail in error.errors():
                    problem = _row_problem(source, number, cells, detail, spoilt)
                    if problem is not None:
                        problems.append(problem)
                        spoilt.add(problem.column or "")
        rows.append(CheckedRow(number, cells, model, spoilt))
    return CheckedTable(source, rows, complete)


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
