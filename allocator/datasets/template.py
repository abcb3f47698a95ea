"""Empty input tables and a commented ``scenario.toml``, for planners starting a scenario."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from allocator.errors import UsageError
from allocator.inputs.locate import SCENARIO_FILE, WORKBOOK_FILE
from allocator.inputs.schema import Settings
from allocator.inputs.tables import SETTINGS, TABLES, Column, Setting

COLUMNS_FILE = "README.md"
COLUMNS_SHEET = "columns"
"""The sheet of ``inputs.xlsx`` describing every column (ignored when loading)."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def write_template(directory: Path) -> list[Path]:
    """Write empty tables (CSV and ``inputs.xlsx``), ``scenario.toml`` and a column guide.

    Fill either the CSV files or the workbook's sheets: an empty one of the two is ignored.
    Raises :class:`UsageError` rather than overwrite a file; returns the files written.
    """
    directory = Path(directory)
    targets = [directory / t.file_name for t in TABLES]
    targets += [directory / WORKBOOK_FILE, directory / SCENARIO_FILE, directory / COLUMNS_FILE]
    existing = [p for p in targets if p.exists()]
    if existing:
        raise UsageError(
            f"{directory} already holds {', '.join(p.name for p in existing)}: "
            "choose an empty folder, or move those files away"
        )
    directory.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        with (directory / table.file_name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(table.column_names)
    _write_workbook(directory / WORKBOOK_FILE)
    (directory / SCENARIO_FILE).write_text(settings_template(), encoding="utf-8")
    (directory / COLUMNS_FILE).write_text(columns_guide(), encoding="utf-8")
    return targets


def _default_text(column: Column) -> str:
    if column.required:
        return "(required)"
    return "blank" if column.default is None else f"{column.default:g}"


def _type_text(column: Column) -> str:
    if column.allowed:
        return f"{column.type.value}: {', '.join(column.allowed)}"
    return column.type.value


def columns_guide() -> str:
    """Markdown describing every table and column."""
    lines = [
        "# Scenario inputs",
        "",
        "A scenario is this folder: `scenario.toml` plus the tables below, either as CSV "
        "files (UTF-8, comma separated, header row) or as sheets of `inputs.xlsx`. Fill one or "
        "the other: an empty one is ignored.",
        "",
        "Identifiers hold letters, digits, `_`, `-`, `.` only. Money is euros per year; numbers "
        "use a dot for decimals and no thousands separators (a `;`-separated Italian Excel "
        "export, with `,` for decimals, is read too). An optional column may be left out, or "
        "blank in some rows: blank means its default.",
        "",
    ]
    for table in TABLES:
        lines += [
            f"## {table.file_name} ({'required' if table.required else 'optional'})",
            "",
            table.description,
            "",
            "| column | type | default | description | example |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {c.name} | {_type_text(c)} | {_default_text(c)} | {c.description} | {c.example} |"
            for c in table.columns
        ]
        lines.append("")
    return "\n".join(lines)


def _write_workbook(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        for cell in sheet[1]:
            cell.font = bold
    guide = book.create_sheet(COLUMNS_SHEET)
    guide.append(["table", "column", "type", "default", "description", "example"])
    for cell in guide[1]:
        cell.font = bold
    for table in TABLES:
        for column in table.columns:
            guide.append(
                [
                    table.name,
                    column.name,
                    _type_text(column),
                    _default_text(column),
                    column.description,
                    column.example,
                ]
            )
    book.save(path)


# --- scenario.toml -------------------------------------------------------------------------------


def _default(key: str) -> Any:
    """The schema default of a dotted settings key (None when it has none)."""
    node: Any = Settings
    for part in key.split("."):
        if isinstance(node, type) and issubclass(node, BaseModel):
            info = node.model_fields.get(part)
            if info is None or info.is_required():
                return None
            node = info.get_default(call_default_factory=True)
        elif isinstance(node, BaseModel):
            node = getattr(node, part)
        else:
            return None
    return node


def settings_template() -> str:
    """A commented ``scenario.toml`` holding every key at its default."""
    sections: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        section, _, _ = setting.key.rpartition(".")
        sections.setdefault(section.split(".")[0], []).append(setting)
    lines = [
        "# A scenario: these settings plus the tables of this folder (see README.md).",
        '# extends = "../milano"   # inherit a scenario\'s tables and settings; '
        "a table or key here replaces its own",
        "",
    ]
    for section, settings in sections.items():
        if section:
            lines += ["", f"[{section}]" if section != "funders" else "# [funders.<funder_id>]"]
        for setting in settings:
            leaf = setting.key.rpartition(".")[2]
            lines.append(f"# {setting.description}")
            value = '"New scenario"' if setting.key == "name" else None
            default = _default(setting.key)
            if value is None and default is not None:
                value = toml_value(default)
            if value is not None:
                lines.append(f"{leaf} = {value}")
            else:
                lines.append(f"# {leaf} = {setting.example}")
    return "\n".join(lines) + "\n"


def toml_value(value: object) -> str:
    """A value in TOML syntax (strings, numbers, booleans, enums, lists, inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return toml_value(value.value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(f"no TOML form for {value!r}")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_text(data: Mapping[str, Any], _prefix: str = "") -> str:
    """A TOML document for nested dicts: plain keys first, then one ``[table]`` per dict."""
    lines = [
        f"{_toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)
    ]
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{_prefix}{_toml_key(key)}"
            lines += ["", f"[{name}]", toml_text(value, name + ".").rstrip("\n")]
    return "\n".join(lines).strip("\n") + "\n"
