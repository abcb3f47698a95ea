"""From files to a validated :class:`~.schema.Scenario`, listing every problem at once.

A scenario is a folder with ``scenario.toml`` and the tables of :mod:`.tables`, as CSV
files or as sheets of ``inputs.xlsx``. ``extends`` in ``scenario.toml`` inherits a parent
scenario's tables and settings; ``--set key=value`` overrides change settings for one run.

Every cell is read as text and converted here, so that each problem names the file, the row as a
spreadsheet shows it (header = row 1), the column, the value and what was expected. A CSV separated
by ``;`` is an Italian Excel export: its numbers are read with ``,`` for decimals and ``.`` for
thousands, and a number written otherwise there is a problem, never a guess.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from allocator.errors import InputError, Problem
from allocator.inputs.locks import lock_problems
from allocator.inputs.schema import (
    STAFF_PREFIX,
    WILDCARD,
    Capacity,
    Intervention,
    Scenario,
    Settings,
)
from allocator.inputs.tables import SETTINGS, TABLES, TABLES_BY_NAME, Column, ColumnType, Table

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "milano"
"""The bundled Milan scenario, loaded when no scenario is given."""

SCENARIO_FILE = "scenario.toml"
WORKBOOK_FILE = "inputs.xlsx"
SET_OPTION = "--set"
"""How problems in ``overrides`` name their origin."""

IDENTIFIER_RULE = "letters, digits, '_', '-' or '.' only (no spaces or accents)"


def load_scenario(path: str | Path | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """Read, check and return the scenario at ``path`` (folder or ``scenario.toml``).

    ``None`` loads :data:`DEFAULT_SCENARIO`. ``overrides`` are ``key=value`` strings with dotted
    keys (``policy.equity_weight=0.3``), values in TOML syntax. Raises :class:`InputError` listing
    every problem found; the input files are only read.
    """
    root = _scenario_file(path)
    loader = _Loader(root.parent)
    scenario = loader.load(root, overrides)
    if loader.problems or scenario is None:
        raise InputError(loader.problems)
    return scenario


def _scenario_file(path: str | Path | None) -> Path:
    """The root ``scenario.toml`` for the ``path`` argument, or an InputError."""
    target = DEFAULT_SCENARIO if path is None else Path(path)
    target = target.resolve()
    if target.is_dir():
        toml = target / SCENARIO_FILE
        if toml.is_file():
            return toml
        what = "the bundled default scenario" if path is None else "the scenario folder"
        raise InputError(
            [
                Problem(
                    str(target),
                    f"{what} has no {SCENARIO_FILE}",
                    expected=f"a folder holding {SCENARIO_FILE} and the input tables",
                )
            ]
        )
    if target.is_file() and target.suffix == ".toml":
        return target
    if target.is_file() and target.name == WORKBOOK_FILE:
        return _scenario_file(target.parent)
    message = (
        "the bundled default scenario is missing"
        if path is None
        else "no such scenario folder or file"
    )
    raise InputError([Problem(str(target), message, expected=f"a folder holding {SCENARIO_FILE}")])


# --- numbers ------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ITALIAN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:[eE][+-]?\d+)?")
_NON_FINITE = {"nan", "inf", "infinity"}


class _NotANumber(Exception):
    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def parse_number(text: str, italian: bool = False) -> float:
    """The number in a cell; ``italian``: ``,`` marks decimals and ``.`` thousands.

    Raises ``ValueError`` (with a plain-English message) on anything else, never guessing.
    """
    try:
        return _parse_number(text, italian)
    except _NotANumber as error:
        raise ValueError(f"{error.message}; expected {error.expected}") from None


def _parse_number(text: str, italian: bool) -> float:
    if italian:
        if _ITALIAN_NUMBER.fullmatch(text):
            return float(text.replace(".", "").replace(",", "."))
    elif _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    if text.lower().lstrip("+-") in _NON_FINITE:
        raise _NotANumber("is not a finite number", "a finite number")
    if italian and _PLAIN_NUMBER.fullmatch(text):
        raise _NotANumber(
            "uses '.' for decimals, but in this ';'-separated file (an Italian Excel export) "
            "',' marks decimals and '.' thousands",
            "a number such as 0,5 or 1.234,5",
        )
    if not italian and _ITALIAN_NUMBER.fullmatch(text):
        raise _NotANumber(
            "has a decimal comma",
            "a number with '.' for decimals and no thousands separators, such as 1234.5",
        )
    if text.endswith("%"):
        raise _NotANumber("is a percentage", "a plain number (a share: 0.25 for 25%)")
    raise _NotANumber(
        "is not a number",
        "a number such as 1234.5 (no currency signs or thousands separators)",
    )


# --- reading files into text cells ---------------------------------------------------------------


@dataclass
class _Source:
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


def _read_csv(table: Table, path: Path, label: str, problems: list[Problem]) -> _Source | None:
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
    return _Source(table, label, path, header or [], rows, italian=delimiter == ";")


def _cell_text(value: object) -> str:
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
class _Workbook:
    """The table sheets of one ``inputs.xlsx``, as text."""

    path: Path
    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    """Every sheet name, as written."""

    @classmethod
    def read(cls, path: Path) -> _Workbook:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            workbook = cls(path, names=list(book.sheetnames))
            for name in book.sheetnames:
                key = name.strip().lower()
                if key in TABLES_BY_NAME:
                    workbook.sheets[key] = [
                        [_cell_text(value) for value in row]
                        for row in book[name].iter_rows(values_only=True)
                    ]
            return workbook
        finally:
            book.close()

    def source(self, table: Table, label: str) -> _Source:
        lines = self.sheets[table.name]
        header = [cell.strip().lower() for cell in lines[0]] if lines else []
        rows = [
            (number, cells)
            for number, cells in enumerate(lines[1:], start=2)
            if any(cell.strip() for cell in cells)
        ]
        return _Source(table, label, self.path, header, rows)


# --- checking one table ------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    model: BaseModel | None
    bad: set[str]
    """Columns already reported as wrong on this row (not checked again)."""


@dataclass
class _Checked:
    """One table after its own checks: every row's cells, and its model when valid."""

    source: _Source
    rows: list[_Row]
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


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_header(source: _Source, problems: list[Problem]) -> tuple[dict[str, int], bool]:
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
                    "unknown column" + _suggest(name, table.column_names),
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


def _check_table(source: _Source, problems: list[Problem]) -> _Checked:
    """Header, cells and each row alone (cross-row checks come later)."""
    table = source.table
    positions, complete = _check_header(source, problems)
    width = len(source.header)
    numeric = {c.name for c in table.columns if c.type in (ColumnType.NUMBER, ColumnType.SHARE)}
    columns = {c.name: c for c in table.columns}
    rows: list[_Row] = []
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
                            expected=_expected(columns[name]),
                        )
                    )
            elif name in numeric:
                try:
                    data[name] = _parse_number(text, source.italian)
                except _NotANumber as error:
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
        rows.append(_Row(number, cells, model, spoilt))
    return _Checked(source, rows, complete)


def _expected(column: Column) -> str:
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


def _row_problem(
    source: _Source, number: int, cells: dict[str, str], detail: ErrorDetails, spoilt: set[str]
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
    message, expected = _explain(detail, column)
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


def _explain(detail: ErrorDetails, column: Column | None) -> tuple[str, str | None]:
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
            _expected(column) if column is not None else IDENTIFIER_RULE
        )
    if kind in ("enum", "literal_error"):
        allowed = column.allowed if column is not None else ()
        text = str(detail.get("input", ""))
        expected = f"one of: {', '.join(allowed)}" if allowed else str(ctx.get("expected"))
        return "is not an allowed value" + _suggest(text, allowed), expected
    if kind == "string_too_short":
        return "is blank", _expected(column) if column is not None else "some text"
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


# --- settings ------------------------------------------------------------------------------------


@dataclass
class _Layer:
    """One ``scenario.toml`` of the chain of ``extends``."""

    toml: Path
    label: str
    data: dict[str, Any]

    @property
    def folder(self) -> Path:
        return self.toml.parent


SETTING_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS)


def _valid_keys(prefix: str) -> str:
    """The settings keys under ``prefix`` (all of them if none), for messages."""
    keys = [k for k in SETTING_KEYS if prefix and k.startswith(prefix + ".")]
    return ", ".join(keys or SETTING_KEYS)


def _unknown_key(parts: Sequence[str]) -> str | None:
    """The first part of a dotted settings key that names no setting, as a dotted prefix."""
    model: type[BaseModel] = Settings
    index = 0
    while index < len(parts):
        part = parts[index]
        fields = model.model_fields
        if part not in fields:
            return ".".join(parts[: index + 1])
        annotation = fields[part].annotation
        if index == len(parts) - 1:
            return None
        if get_origin(annotation) is dict:  # funders.<funder_id>.<key>
            value_model = get_args(annotation)[1]
            if index + 2 >= len(parts):
                return None
            model, index = value_model, index + 2
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model, index = annotation, index + 1
            continue
        return ".".join(parts[: index + 2])
    return None


def _key_of(loc: Sequence[int | str]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, merging tables key by key."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax, else the bare text."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text.strip()


# --- the whole scenario ------------------------------------------------------------------------


class _Loader:
    """Collects problems while reading one scenario and its parents."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.problems: list[Problem] = []
        self.files: list[Path] = []

    def label(self, path: Path) -> str:
        """A path as problems show it: relative to the scenario folder."""
        return Path(os.path.relpath(path, self.base)).as_posix()

    def problem(self, file: str, message: str, **where: Any) -> None:
        self.problems.append(Problem(file, message, **where))

    def load(self, root: Path, overrides: Sequence[str]) -> Scenario | None:
        layers = self._layers(root)
        if not layers:
            return None
        settings_data, origins = self._settings_data(layers, overrides)
        settings = self._settings(settings_data, origins)
        checked = self._tables(layers)
        self._cross_checks(checked)
        overridden = settings_data.get("funders")
        if isinstance(overridden, dict):
            self._funder_overrides(list(overridden), checked, origins)
        if self.problems or settings is None:
            return None
        tables: dict[str, Any] = {name: tuple(c.models()) for name, c in checked.items()}
        scenario = Scenario.model_validate(
            {
                "settings": settings,
                **tables,
                "source_files": tuple(str(path) for path in dict.fromkeys(self.files)),
            }
        )
        if "locks" in checked:  # minima against capacity: needs the whole scenario
            locks = checked["locks"]
            self.problems += lock_problems(scenario, locks.label, [r.number for r in locks.rows])
        return None if self.problems else scenario

    # settings

    def _read_toml(self, path: Path) -> dict[str, Any] | None:
        label = self.label(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            self.problem(label, "is not UTF-8 text", expected="a file saved as UTF-8")
            return None
        except tomllib.TOMLDecodeError as error:
            self.problem(label, f"is not valid TOML: {error}")
            return None
        self.files.append(path)
        return data

    def _layers(self, root: Path) -> list[_Layer]:
        """The chain of ``extends``, the scenario first."""
        layers: list[_Layer] = []
        toml: Path | None = root
        while toml is not None:
            data = self._read_toml(toml)
            if data is None:
                return []
            layer = _Layer(toml, self.label(toml), data)
            layers.append(layer)
            parent = data.pop("extends", None)
            toml = None if parent is None else self._parent(layer, parent, layers)
        return layers

    def _parent(self, layer: _Layer, parent: object, chain: list[_Layer]) -> Path | None:
        if not isinstance(parent, str) or not parent.strip():
            self.problem(
                layer.label,
                "'extends' is not a folder",
                column="extends",
                value=parent,
                expected='the parent scenario folder in quotes, such as "../milano"',
            )
            return None
        target = (layer.folder / parent).resolve()
        if target.is_dir():
            target = target / SCENARIO_FILE
        if not target.is_file():
            self.problem(
                layer.label,
                f"the scenario it extends has no {SCENARIO_FILE}",
                column="extends",
                value=parent,
                expected=f"a folder, relative to {self.label(layer.folder) or '.'}, holding "
                f"{SCENARIO_FILE}",
            )
            return None
        if any(target == other.toml for other in chain):
            cycle = " → ".join([*(other.label for other in chain), self.label(target)])
            self.problem(
                layer.label,
                f"'extends' goes round in a cycle: {cycle}",
                column="extends",
                value=parent,
                expected="a chain of parents that ends",
            )
            return None
        return target

    def _settings_data(
        self, layers: list[_Layer], overrides: Sequence[str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The settings merged from the oldest parent down, then ``overrides``; each key's file."""
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
        scenario = layers[0]
        for layer in reversed(layers):
            data = layer.data
            if layer is not scenario:
                data = {k: v for k, v in data.items() if k not in ("name", "description")}
            merged = _merge(merged, data)
            origins.update(dict.fromkeys(_flatten(data), layer.label))
        if "name" not in scenario.data:
            self.problem(
                scenario.label,
                "the scenario has no name",
                column="name",
                expected='name = "..." at the top (a scenario does not inherit its name)',
            )
        for override in overrides:
            key, equals, text = override.partition("=")
            key = key.strip()
            if not equals or not key:
                self.problem(
                    SET_OPTION,
                    "is not key=value",
                    value=override,
                    expected="such as budget.scale=0.9",
                )
                continue
            parts = key.split(".")
            unknown = _unknown_key(parts)
            if unknown is not None:
                self.problem(
                    SET_OPTION,
                    f"unknown key '{unknown}'" + _suggest(unknown, SETTING_KEYS),
                    column=key,
                    value=text,
                    expected=f"a key among: {_valid_keys(unknown.rpartition('.')[0])}",
                )
                continue
            value = _set_value(text)
            for prefix in range(1, len(parts)):  # replacing a table, or a leaf with a table
                if not isinstance(_dig(merged, parts[:prefix]), dict):
                    _put(merged, parts[:prefix], {})
            _put(merged, parts, value)
            for existing in [k for k in origins if k == key or k.startswith(key + ".")]:
                del origins[existing]
            origins[key] = SET_OPTION
        return merged, origins

    def _settings(self, data: dict[str, Any], origins: dict[str, str]) -> Settings | None:
        try:
            return Settings.model_validate(data)
        except ValidationError as error:
            for detail in error.errors():
                key = _key_of(detail["loc"])
                origin = _origin(key, origins)
                if detail["type"] == "extra_forbidden":
                    parent = _key_of(detail["loc"][:-1])
                    if detail["loc"][:1] == ("funders",):
                        parent = "funders.<funder_id>"
                    self.problem(
                        origin,
                        f"unknown key '{key}'" + _suggest(key, SETTING_KEYS),
                        column=key,
                        expected=f"a key among: {_valid_keys(parent)}",
                    )
                elif detail["type"] == "missing" and key == "name":
                    continue  # reported with the scenario's file
                else:
                    message, expected = _explain(detail, None)
                    value = detail.get("input")
                    self.problem(
                        origin,
                        message,
                        column=key,
                        value=value if not isinstance(value, dict) else None,
                        expected=expected,
                    )
            return None

    # tables

    def _tables(self, layers: list[_Layer]) -> dict[str, _Checked]:
        """Each table from the nearest scenario of the chain that has it, checked alone."""
        workbooks: dict[Path, _Workbook | None] = {}
        checked: dict[str, _Checked] = {}
        for layer in layers:
            self._stray_files(layer)
        for table in TABLES:
            found, source = False, None
            for layer in layers:
                found, source = self._find_table(table, layer, workbooks)
                if found:
                    break
            if not found and table.required:
                self.problem(
                    table.file_name,
                    "required table is missing",
                    expected=f"{table.file_name} or a sheet '{table.name}' in {WORKBOOK_FILE} "
                    f"({table.description})",
                )
            if source is None:  # missing, or unreadable and reported
                continue
            self.files.append(source.path)
            result = _check_table(source, self.problems)
            if table.required and source.empty:
                self.problem(source.label, "has no rows", expected=table.description)
            checked[table.name] = result
        return checked

    def _workbook(self, layer: _Layer, cache: dict[Path, _Workbook | None]) -> _Workbook | None:
        path = layer.folder / WORKBOOK_FILE
        if path not in cache:
            workbook = None
            if path.is_file():
                try:
                    workbook = _Workbook.read(path)
                except Exception as error:  # openpyxl raises many kinds on a broken file
                    self.problem(
                        self.label(path),
                        f"cannot be read as an Excel workbook ({error})",
                        expected="an .xlsx file saved by Excel or LibreOffice",
                    )
            cache[path] = workbook
        return cache[path]

    def _find_table(
        self, table: Table, layer: _Layer, cache: dict[Path, _Workbook | None]
    ) -> tuple[bool, _Source | None]:
        """Whether ``layer`` has ``table``, and its text (None if unreadable)."""
        csv_path = layer.folder / table.file_name
        workbook = self._workbook(layer, cache)
        in_workbook = workbook is not None and table.name in workbook.sheets
        if not csv_path.is_file() and not in_workbook:
            return False, None
        from_csv = (
            _read_csv(table, csv_path, self.label(csv_path), self.problems)
            if csv_path.is_file()
            else None
        )
        from_sheet = None
        if workbook is not None and in_workbook:
            label = f"{self.label(workbook.path)} (sheet {table.name})"
            from_sheet = workbook.source(table, label)
        if from_csv is not None and from_sheet is not None:
            if not from_csv.empty and not from_sheet.empty:
                self.problem(
                    from_csv.label,
                    f"the table is given twice, here and in {from_sheet.label}",
                    expected="one of them only (an empty one is ignored)",
                )
                return True, None
            return True, from_sheet if from_csv.empty and not from_sheet.empty else from_csv
        return True, from_csv or from_sheet

    def _stray_files(self, layer: _Layer) -> None:
        """A CSV whose name is close to a table's is a misspelt table, not a stray file."""
        names = [t.name for t in TABLES]
        for path in sorted(layer.folder.glob("*.csv")):
            stem = path.stem.lower()
            if stem not in names and (close := difflib.get_close_matches(stem, names, 1, 0.8)):
                self.problem(
                    self.label(path),
                    "is not a table of the scenario",
                    expected=f"{close[0]}.csv (the tables are: "
                    f"{', '.join(t.file_name for t in TABLES)})",
                )

    # checks across rows and tables

    def _cross_checks(self, checked: dict[str, _Checked]) -> None:
        for result in checked.values():
            if result.complete:
                self._duplicates(result)
        for result in checked.values():
            if result.complete:
                self._references(result, checked)
        self._cofunding(checked)

    def _funder_overrides(
        self, funder_ids: list[str], checked: dict[str, _Checked], origins: dict[str, str]
    ) -> None:
        """``[funders.<funder_id>]`` must name a funder of funders.csv."""
        funders = checked.get("funders")
        if funders is not None and funders.complete:
            ids = funders.ids()
            for funder_id in funder_ids:
                if funder_id not in ids:
                    key = f"funders.{funder_id}"
                    self.problem(
                        _origin(key, origins),
                        f"no funder '{funder_id}' in {funders.label}" + _suggest(funder_id, ids),
                        column=key,
                        expected=f"a funder_id among: {', '.join(sorted(ids))}",
                    )

    def _duplicates(self, result: _Checked) -> None:
        key = result.source.table.key
        first: dict[tuple[str, ...], int] = {}
        for row in result.rows:
            values = tuple(row.cells[c] for c in key)
            if not all(values) or row.bad.intersection(key):
                continue
            if values in first:
                self.problem(
                    result.label,
                    f"duplicate row: the same {' and '.join(key)} as row {first[values]}",
                    row=row.number,
                    column=", ".join(key),
                    value=values[0] if len(values) == 1 else ", ".join(values),
                    expected=f"one row per {', '.join(key)}",
                )
            else:
                first[values] = row.number

    def _references(self, result: _Checked, checked: dict[str, _Checked]) -> None:
        table = result.source.table
        for reference in table.references:
            target_table = TABLES_BY_NAME[reference.table]
            target = checked.get(reference.table)
            if target is None and target_table.required:
                continue  # its absence is reported already
            if target is not None and not target.complete:
                continue
            known = target.ids() if target is not None else set()
            where = target.label if target is not None else target_table.file_name
            staff = checked.get("staff")
            roles = staff.ids() if staff is not None and staff.complete else set()
            for row in result.rows:
                value = row.cells.get(reference.column, "")
                if reference.column in row.bad:
                    continue
                if not value or (reference.wildcard and value == WILDCARD):
                    continue
                if reference.staff_items and value.startswith(STAFF_PREFIX):
                    role = value.removeprefix(STAFF_PREFIX)
                    if staff is not None and not staff.complete:
                        continue
                    if role not in roles:
                        self.problem(
                            result.label,
                            f"no staff role '{role}' in staff.csv" + _suggest(role, roles),
                            row=row.number,
                            column=reference.column,
                            value=value,
                            expected=f"staff:<role_id> with a role_id of staff.csv "
                            f"({', '.join(sorted(roles)) or 'none given'})",
                        )
                elif value not in known:
                    self.problem(
                        result.label,
                        f"no {target_table.key[0]} '{value}' in {where}" + _suggest(value, known),
                        row=row.number,
                        column=reference.column,
                        value=value,
                        expected=_among(target_table.key[0], where, known, reference.wildcard),
                    )

    def _cofunding(self, checked: dict[str, _Checked]) -> None:
        capacities, interventions = checked.get("capacities"), checked.get("interventions")
        if capacities is None or interventions is None:
            return
        cost: dict[str, float] = {}
        for model in interventions.models():
            assert isinstance(model, Intervention)
            cost[model.intervention_id] = model.unit_cost
        for row in capacities.rows:
            capacity = row.model
            if not isinstance(capacity, Capacity):
                continue
            unit_cost = capacity.unit_cost
            if unit_cost is None:
                unit_cost = cost.get(capacity.intervention_id)
            if unit_cost is not None and capacity.cofunding_per_beneficiary > unit_cost:
                self.problem(
                    capacities.label,
                    f"cofunding per beneficiary is more than the unit cost ({unit_cost:g})",
                    row=row.number,
                    column="cofunding_per_beneficiary",
                    value=row.cells["cofunding_per_beneficiary"],
                    expected=f"at most the unit cost, {unit_cost:g}",
                )


def _among(column: str, where: str, known: set[str], wildcard: bool) -> str:
    listed = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    star = ", or * for any" if wildcard else ""
    return f"a value of {column} in {where} ({listed or 'none given'}){star}"


def _origin(key: str, origins: Mapping[str, str]) -> str:
    """The file (or ``--set``) that gave a dotted key, or a key above it."""
    probe = key
    while probe:
        if probe in origins:
            return origins[probe]
        probe = re.sub(r"(\[\d+\]|\.?[^.\[]+)$", "", probe)
    for dotted, origin in origins.items():
        if dotted.startswith(key + "."):
            return origin
    return SCENARIO_FILE


def _dig(data: Mapping[str, Any], parts: Sequence[str]) -> Any:
    for part in parts:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def _put(data: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = value
