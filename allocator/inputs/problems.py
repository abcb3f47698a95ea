"""Problems in plain words: what a column expects, what a validation error means, near misses."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from allocator.errors import Problem
from allocator.i18n import N_, _
from allocator.inputs.numbers import number_text
from allocator.inputs.tables import Column, ColumnType

IDENTIFIER_RULE = N_("letters, digits, '_', '-' or '.' only (no spaces or accents)")


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return _(" (did you mean '{close}'?)").format(close=close[0]) if close else ""


def among(column: str, where: str, known: set[str], wildcard: bool) -> str:
    listed = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    none = _("none given")
    star = _(", or * for any") if wildcard else ""
    return _("a value of {column} in {where} ({listed}){star}").format(
        column=column, where=where, listed=listed or none, star=star
    )


def identifier_rule() -> str:
    return _(IDENTIFIER_RULE)


def share_text() -> str:
    return _("a share between 0 and 1 (0.25 or 25%)")


def expected_text(column: Column) -> str:
    """What a column accepts, in words."""
    if column.type is ColumnType.IDENTIFIER:
        return _("an identifier: ") + identifier_rule()
    if column.type is ColumnType.SELECTOR:
        extra = _(" or staff:<role_id>")
        extra = extra if column.name == "intervention_id" else ""
        return _("an identifier{extra}, or *").format(extra=extra)
    if column.type is ColumnType.SHARE:
        return share_text()
    if column.type is ColumnType.ENUM:
        return _("one of: ") + ", ".join(column.allowed)
    if column.type is ColumnType.NUMBER:
        return _("a number")
    return _("some text")


WHOLE = N_("a whole number")
NUMBER = N_("a number")
LIST = N_("a list in brackets, such as [[0.5, 1.0], [1.0, 0.3]]")
TABLE = N_("a [section] or an inline table {{ key = value }}")  # braces escaped for .format
PLAIN_ERRORS: dict[str, tuple[str, str | None]] = {
    "missing": (N_("is missing"), None),
    "finite_number": (N_("is not a finite number"), N_("a finite number")),
    "float_parsing": (N_("is not a number"), NUMBER),
    "float_type": (N_("is not a number"), NUMBER),
    "int_parsing": (N_("is not a number"), WHOLE),
    "int_type": (N_("is not a number"), WHOLE),
    "int_from_float": (N_("is not a number"), WHOLE),
    "string_type": (N_("is not text"), N_("text in quotes")),
    "bool_parsing": (N_("is not true or false"), N_("true / false")),
    "bool_type": (N_("is not true or false"), N_("true / false")),
    "list_type": (N_("is not a list"), LIST),
    "tuple_type": (N_("is not a list"), LIST),
    "model_type": (N_("is not a table of keys"), TABLE),
    "dict_type": (N_("is not a table of keys"), TABLE),
    "model_attributes_type": (N_("is not a table of keys"), TABLE),
}
"""pydantic error kinds whose message and expected value need nothing of the cell (msgids)."""


def _bound_error(
    kind: str, ctx: dict[str, Any], column: Column | None
) -> tuple[str, str | None] | None:
    """(message, expected) for a value outside its bounds, or None for another kind."""
    share = column.type is ColumnType.SHARE if column is not None else ctx.get("le") == 1
    if share and kind in ("greater_than_equal", "less_than_equal"):
        return _("is not a share between 0 and 1"), share_text()
    bound = {k: number_text(float(v)) for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")}
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return _("is negative"), _("a number of 0 or more")
        return _("is too small"), _("at least ") + bound["ge"]
    if kind == "greater_than":
        return _("is too small"), _("more than ") + bound["gt"]
    if kind == "less_than_equal":
        return _("is too large"), _("at most ") + bound["le"]
    if kind == "less_than":
        return _("is too large"), _("less than ") + bound["lt"]
    return None


def explain_error(detail: ErrorDetails, column: Column | None) -> tuple[str, str | None]:
    """(message, expected) for a pydantic error, without pydantic's jargon."""
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    bounded = _bound_error(kind, ctx, column)
    if bounded is not None:
        return bounded
    if kind in PLAIN_ERRORS:
        message, expected = PLAIN_ERRORS[kind]
        return _(message), None if expected is None else _(expected).format()
    if kind == "string_pattern_mismatch":
        return _("is not a valid identifier"), (
            expected_text(column) if column is not None else identifier_rule()
        )
    if kind in ("enum", "literal_error"):
        allowed = column.allowed if column is not None else ()
        text = str(detail.get("input", ""))
        listed = ", ".join(allowed) if allowed else str(ctx.get("expected"))
        return _("is not an allowed value") + suggest(text, allowed), _("one of: ") + listed
    if kind == "string_too_short":
        return _("is blank"), (expected_text(column) if column is not None else _("some text"))
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, "), None
    return str(detail["msg"]), None


class Collector:
    """Collects the problems (and the files read) while reading one scenario and its parents."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.problems: list[Problem] = []
        self.files: list[Path] = []
        self.notices: list[str] = []
        """What was read in a way worth saying (an encoding, ignored columns), never an error."""

    def label(self, path: Path) -> str:
        """A path as problems show it: relative to the scenario folder."""
        return Path(os.path.relpath(path, self.base)).as_posix()

    def problem(self, file: str, message: str, **where: Any) -> None:
        self.problems.append(Problem(file, message, **where))
