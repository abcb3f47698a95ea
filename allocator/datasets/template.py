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

from allocator.datasets.template_workbook import default_text, type_text, write_workbook
from allocator.errors import UsageError
from allocator.i18n import _
from allocator.inputs.guide_words import column_description, range_text, table_description
from allocator.inputs.locate import SCENARIO_FILE, WORKBOOK_FILE
from allocator.inputs.schema import Settings
from allocator.inputs.settings_spec import SETTINGS, Setting
from allocator.inputs.tables import TABLES

COLUMNS_FILE = "README.md"

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
    write_workbook(directory / WORKBOOK_FILE)
    (directory / SCENARIO_FILE).write_text(settings_template(), encoding="utf-8")
    (directory / COLUMNS_FILE).write_text(columns_guide(), encoding="utf-8")
    return targets


def columns_guide() -> str:
    """Markdown describing every table and column, with the range each number accepts."""
    lines = [_("# Scenario inputs"), ""]
    lines += [
        _(
            "A scenario is this folder: `scenario.toml` plus the tables below, as CSV files "
            "(header row; comma or semicolon separated; UTF-8 or Italian Excel's plain 'CSV') or "
            "as sheets of `inputs.xlsx`, which has drop-down lists and an instructions sheet. "
            "Fill one or the other: empty ones are ignored."
        ),
        "",
        _(
            "Identifiers hold letters without accents, digits, `_`, `-`, `.` only. Money is "
            "euros per year. Numbers may be typed the Italian way (`1.234,50`, `600.000`, "
            "`€ 400.000`; `80%` for a share) or with a decimal point (`1234.5`); a number that "
            "may mean two things (`1.500` where the column writes `2.5`) is refused, naming the "
            "cell. Units, legal forms and kinds accept Italian and English synonyms "
            "(`famiglie`, `children`, `APS`, `Cooperativa sociale`, `pubblico`). An optional "
            "column may be left out, or blank in some rows: blank means its default. An extra "
            "column (such as `note`) is kept and ignored. Every number has an accepted range: "
            "a value beyond it is a slip, and refused."
        ),
        "",
    ]
    head = _("| column | type | default | range | description | example |")
    for table in TABLES:
        kind = _("required") if table.required else _("optional")
        lines += [f"## {table.file_name} ({kind})", "", table_description(table), "", head]
        lines.append("|---|---|---|---|---|---|")
        lines += [
            f"| {c.name} | {type_text(c)} | {default_text(c)} | {range_text(table, c)} | "
            f"{column_description(table, c)} | {c.example} |"
            for c in table.columns
        ]
        lines.append("")
    return "\n".join(lines)


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
        section = setting.key.rpartition(".")[0]
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
