"""Problems in plain words: what a column expects, what a validation error means, near misses."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from allocator.errors import Problem
from allocator.inputs.tables import Column, ColumnType

IDENTIFIER_RULE = "letters, digits, '_', '-' or '.' only (no spaces or accents)"


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def among(column: str, where: str, known: set[str], wildcard: bool) -> str:
    listed = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    star = ", or * for any" if wildcard else ""
    return f"a value of {column} in {where} ({listed or 'none given'}){star}"


def expected_text(column: Column) -> str:
    """What a column accepts, in words."""
    if column.type is ColumnType.IDENTIFIER:
        return f"an identifier: {IDENTIFIER_RULE}"
    if column.type is ColumnType.SELECTOR:
        extra = " or staff:<role_id>" if column.name == "intervention_id" else ""
        return f"an identifier{extra}, or * for any"
    if column.type is ColumnType.SHARE:
        return "a share between 0 and 1 (0.25 for 25%)"
    if column.type is ColumnType.ENUM:
        return f"one of: {', '.join(column.allowed)}"
    if column.type is ColumnType.NUMBER:
        return "a number"
    return "some text"


def explain_error(detail: ErrorDetails, column: Column | None) -> tuple[str, str | None]:
    """(message, expected) for a pydantic error, without pydantic's jargon."""
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    share = column.type is ColumnType.SHARE if column is not None else ctx.get("le") == 1
    if share and kind in ("greater_than_equal", "less_than_equal"):
        return "is not a share between 0 and 1", "a share between 0 and 1 (0.25 for 25%)"
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return "is negative", "a number of 0 or more"
        return "is too small", f"at least {ctx.get('ge')}"
    if kind == "greater_than":
        return "is too small", f"more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return "is too large", f"at most {ctx.get('le')}"
    if kind == "less_than":
        return "is too large", f"less than {ctx.get('lt')}"
    if kind == "string_pattern_mismatch":
        return "is not a valid identifier", (
            expected_text(column) if column is not None else IDENTIFIER_RULE
        )
    if kind in ("enum", "literal_error"):
        allowed = column.allowed if column is not None else ()
        text = str(detail.get("input", ""))
        expected = f"one of: {', '.join(allowed)}" if allowed else str(ctx.get("expected"))
        return "is not an allowed value" + suggest(text, allowed), expected
    if kind == "string_too_short":
        return "is blank", expected_text(column) if column is not None else "some text"
    if kind == "missing":
        return "is missing", None
    if kind == "finite_number":
        return "is not a finite number", "a finite number"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return "is not a number", "a number" if "float" in kind else "a whole number"
    if kind in ("string_type",):
        return "is not text", "text in quotes"
    if kind in ("bool_parsing", "bool_type"):
        return "is not true or false", "true or false"
    if kind in ("list_type", "tuple_type"):
        return "is not a list", "a list in brackets, such as [[0.5, 1.0], [1.0, 0.3]]"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "is not a table of keys", "a [section] or an inline table { key = value }"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, "), None
    return str(detail["msg"]), None


class Collector:
    """Collects the problems (and the files read) while reading one scenario and its parents."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.problems: list[Problem] = []
        self.files: list[Path] = []

    def label(self, path: Path) -> str:
        """A path as problems show it: relative to the scenario folder."""
        return Path(os.path.relpath(path, self.base)).as_posix()

    def problem(self, file: str, message: str, **where: Any) -> None:
        self.problems.append(Problem(file, message, **where))
