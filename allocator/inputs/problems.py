"""Problems in plain words: what a column expects, what a validation error means, near misses."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

from allocator.errors import Problem
from allocator.inputs.numbers import number_text
from allocator.inputs.tables import Column, ColumnType
from allocator.lang import words

IDENTIFIER_RULE = "letters, digits, '_', '-' or '.' only (no spaces or accents)"


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return words(f" (forse '{close[0]}'?)", f" (did you mean '{close[0]}'?)") if close else ""


def among(column: str, where: str, known: set[str], wildcard: bool) -> str:
    listed = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    none = words("nessuno", "none given")
    star = words(", o * per tutti", ", or * for any") if wildcard else ""
    return words(
        f"un valore di {column} in {where} ({listed or none}){star}",
        f"a value of {column} in {where} ({listed or none}){star}",
    )


def identifier_rule() -> str:
    return words(
        "lettere, cifre, '_', '-' o '.' soltanto (niente spazi né accenti)", IDENTIFIER_RULE
    )


def share_text() -> str:
    return words("una quota tra 0 e 1 (0,25 o 25%)", "a share between 0 and 1 (0.25 or 25%)")


def expected_text(column: Column) -> str:
    """What a column accepts, in words."""
    if column.type is ColumnType.IDENTIFIER:
        return words("un identificativo: ", "an identifier: ") + identifier_rule()
    if column.type is ColumnType.SELECTOR:
        extra = words(" o staff:<role_id>", " or staff:<role_id>")
        extra = extra if column.name == "intervention_id" else ""
        return words(f"un identificativo{extra}, o * per tutti", f"an identifier{extra}, or *")
    if column.type is ColumnType.SHARE:
        return share_text()
    if column.type is ColumnType.ENUM:
        return words("una di: ", "one of: ") + ", ".join(column.allowed)
    if column.type is ColumnType.NUMBER:
        return words("un numero", "a number")
    return words("del testo", "some text")


def explain_error(detail: ErrorDetails, column: Column | None) -> tuple[str, str | None]:
    """(message, expected) for a pydantic error, without pydantic's jargon."""
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    share = column.type is ColumnType.SHARE if column is not None else ctx.get("le") == 1
    if share and kind in ("greater_than_equal", "less_than_equal"):
        return words("non è una quota tra 0 e 1", "is not a share between 0 and 1"), share_text()
    bound = {k: number_text(float(v)) for k, v in ctx.items() if k in ("ge", "gt", "le", "lt")}
    small, large = (
        words("è troppo piccolo", "is too small"),
        words("è troppo grande", "is too large"),
    )
    if kind == "greater_than_equal":
        if ctx.get("ge") == 0:
            return words("è negativo", "is negative"), words("0 o più", "a number of 0 or more")
        return small, words("almeno ", "at least ") + bound["ge"]
    if kind == "greater_than":
        return small, words("più di ", "more than ") + bound["gt"]
    if kind == "less_than_equal":
        return large, words("al massimo ", "at most ") + bound["le"]
    if kind == "less_than":
        return large, words("meno di ", "less than ") + bound["lt"]
    if kind == "string_pattern_mismatch":
        return words("non è un identificativo valido", "is not a valid identifier"), (
            expected_text(column) if column is not None else identifier_rule()
        )
    if kind in ("enum", "literal_error"):
        allowed = column.allowed if column is not None else ()
        text = str(detail.get("input", ""))
        listed = ", ".join(allowed) if allowed else str(ctx.get("expected"))
        return words("non è un valore ammesso", "is not an allowed value") + suggest(
            text, allowed
        ), words("una di: ", "one of: ") + listed
    if kind == "string_too_short":
        return words("è vuoto", "is blank"), (
            expected_text(column) if column is not None else words("del testo", "some text")
        )
    if kind == "missing":
        return words("manca", "is missing"), None
    if kind == "finite_number":
        return words("non è un numero finito", "is not a finite number"), words(
            "un numero finito", "a finite number"
        )
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        whole = "float" not in kind
        return words("non è un numero", "is not a number"), (
            words("un numero intero", "a whole number") if whole else words("un numero", "a number")
        )
    if kind in ("string_type",):
        return words("non è testo", "is not text"), words("testo tra virgolette", "text in quotes")
    if kind in ("bool_parsing", "bool_type"):
        return words("non è true o false", "is not true or false"), "true / false"
    if kind in ("list_type", "tuple_type"):
        return words("non è una lista", "is not a list"), words(
            "una lista tra parentesi quadre, come [[0.5, 1.0], [1.0, 0.3]]",
            "a list in brackets, such as [[0.5, 1.0], [1.0, 0.3]]",
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return words("non è una tabella di chiavi", "is not a table of keys"), words(
            "una [sezione] o una tabella in linea { chiave = valore }",
            "a [section] or an inline table { key = value }",
        )
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
