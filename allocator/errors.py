"""Domain errors: what the edges (CLI, notebooks) turn into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_SOLVER = 0, 2, 3, 4
"""Exit codes of DESIGN.md §3: a plan; bad input or usage; infeasible; the solver failed."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it (the header is row 1),
    or None when the problem concerns the whole file or column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None

    def __str__(self) -> str:
        from allocator.i18n import _  # the language in force (Italian by default)

        where = self.file
        if self.row is not None:
            where += _(", row {row}").format(row=self.row)
        if self.column is not None:
            where += _(", column '{column}'").format(column=self.column)
        text = f"{where}: {self.message}"
        if self.value is not None and self.value != "":
            text += _(" (value: {value})").format(value=repr(self.value))
        if self.expected:
            text += _("; expected {expected}").format(expected=self.expected)
        return text


class AllocatorError(Exception):
    """Base class of the errors the allocator raises on purpose."""


class InputError(AllocatorError):
    """The scenario's inputs are wrong; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(AllocatorError):
    """A command was called wrongly (a bad option value, an output folder in the way)."""
