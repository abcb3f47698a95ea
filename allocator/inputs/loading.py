"""From files to a validated :class:`~.schema.Scenario`, listing every problem at once.

A scenario is a folder with ``scenario.toml`` and the tables of :mod:`.tables`, as CSV
files or as sheets of ``inputs.xlsx``. ``extends`` in ``scenario.toml`` inherits a parent
scenario's tables and settings; ``--set key=value`` overrides change settings for one run.

Every cell is read as text and converted here, so that each problem names the file, the row as a
spreadsheet shows it (header = row 1), the column, the value and what was expected. Numbers follow
the one rule of :func:`.numbers.resolve` (docs/DESIGN.md §5): a number with two readings takes the
convention its file settles (a ``;`` CSV is Italian Excel's), else it is refused, never guessed.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from allocator.errors import InputError
from allocator.i18n import _
from allocator.inputs.checking import CheckedTable, check_table
from allocator.inputs.crosschecks import cross_checks
from allocator.inputs.guide_words import table_description
from allocator.inputs.locate import DEFAULT_SCENARIO, SCENARIO_FILE, WORKBOOK_FILE, scenario_file
from allocator.inputs.locks import lock_problems, unknown_room_ids
from allocator.inputs.numbers import parse_number
from allocator.inputs.schema import Scenario
from allocator.inputs.settings_layers import Layer, SettingsReader, origin_of
from allocator.inputs.sources import TableSource, file_problem, read_csv_table
from allocator.inputs.tables import TABLES, Table
from allocator.inputs.workbook import Workbook

__all__ = [
    "DEFAULT_SCENARIO",
    "SCENARIO_FILE",
    "WORKBOOK_FILE",
    "Loader",
    "load_scenario",
    "parse_number",
]


def load_scenario(path: str | Path | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """Read, check and return the scenario at ``path`` (folder or ``scenario.toml``).

    ``None`` loads :data:`DEFAULT_SCENARIO`. ``overrides`` are ``key=value`` strings with dotted
    keys (``policy.equity_weight=0.3``), values in TOML syntax. Raises :class:`InputError` listing
    every problem found; the input files are only read.
    """
    root = scenario_file(path)
    loader = Loader(root.parent)
    scenario = loader.load(root, overrides)
    if loader.problems or scenario is None:
        raise InputError(loader.problems)
    return scenario


class Loader(SettingsReader):
    """Collects problems while reading one scenario and its parents."""

    def load(self, root: Path, overrides: Sequence[str]) -> Scenario | None:
        layers = self.layers(root)
        if not layers:
            return None
        settings_data, origins = self.settings_data(layers, overrides)
        settings = self.settings(settings_data, origins)
        checked = self._tables(layers)
        cross_checks(self, checked)
        overridden = settings_data.get("funders")
        if isinstance(overridden, dict):
            self.funder_overrides(list(overridden), checked, origins)
        if settings is not None:
            self.need_spread_interventions(settings, checked, origins)
        if self.problems or settings is None:
            return None
        tables: dict[str, Any] = {name: tuple(c.models()) for name, c in checked.items()}
        scenario = Scenario.model_validate(
            {
                "settings": settings,
                **tables,
                "source_files": tuple(str(path) for path in dict.fromkeys(self.files)),
                "notices": tuple(dict.fromkeys(self.notices)),
            }
        )
        if "locks" in checked:  # minima against capacity: needs the whole scenario
            locks = checked["locks"]
            self.problems += lock_problems(scenario, locks.label, [r.number for r in locks.rows])
        for key, ids in unknown_room_ids(scenario).items():
            self.problem(
                origin_of(key, origins),
                _("names ids the scenario lacks"),
                column=key,
                value=", ".join(ids),
                expected=_("area_id of areas.csv or partner_id of partners.csv"),
            )
        return None if self.problems else scenario

    def _tables(self, layers: list[Layer]) -> dict[str, CheckedTable]:
        """Each table from the nearest scenario of the chain that has it, checked alone."""
        workbooks: dict[Path, Workbook | None] = {}
        checked: dict[str, CheckedTable] = {}
        for layer in layers:
            self._stray_files(layer)
        for table in TABLES:
            found, source = self._nearest(table, layers, workbooks)
            if not found and table.required:
                self.problem(
                    table.file_name,
                    _("required table is missing"),
                    expected=_("{file_name} or a sheet '{name}' in {WORKBOOK_FILE}").format(
                        file_name=table.file_name, name=table.name, WORKBOOK_FILE=WORKBOOK_FILE
                    )
                    + f" ({table_description(table)})",
                )
            if source is None:  # missing, or unreadable and reported
                continue
            self.files.append(source.path)
            result = check_table(source, self.problems, self.notices)
            if table.required and source.empty:
                self.problem(
                    source.label,
                    _("has no rows"),
                    expected=table_description(table),
                )
            checked[table.name] = result
        return checked

    def _nearest(
        self, table: Table, layers: list[Layer], cache: dict[Path, Workbook | None]
    ) -> tuple[bool, TableSource | None]:
        """The table from the nearest scenario of the chain that gives it: with rows, or empty
        (or absent) and named in that scenario's ``replace``. An empty table otherwise means the
        parent's, with a notice; one empty all the way up stays empty."""
        empty: tuple[Layer, TableSource] | None = None
        for layer in layers:
            found, source = self._find_table(table, layer, cache)
            replaced = table.name in layer.replace
            if not found and not replaced:
                continue
            if source is None or not source.empty or replaced:
                if empty is not None and source is not None:
                    self.files.append(empty[1].path)  # read, and its emptiness mattered
                    self.notices.append(_inherited(table, *empty, source))
                return True, source  # None: unreadable and reported, or replaced by nothing
            empty = empty or (layer, source)
        return (True, empty[1]) if empty is not None else (False, None)

    def _workbook(self, layer: Layer, cache: dict[Path, Workbook | None]) -> Workbook | None:
        path = layer.folder / WORKBOOK_FILE
        if path not in cache:
            workbook = None
            if os.path.lexists(path):
                unreadable = file_problem(path, self.label(path))
                if unreadable is not None:
                    self.problems.append(unreadable)
                else:
                    workbook = self._read_workbook(path)
            cache[path] = workbook
        return cache[path]

    def _read_workbook(self, path: Path) -> Workbook | None:
        try:
            workbook = Workbook.read(path, self.label(path))
        except Exception as error:  # openpyxl raises many kinds on a broken file
            reason = _reason(error)
            self.problem(
                self.label(path),
                _("cannot be read as an Excel workbook ({reason})").format(reason=reason),
                expected=_("an .xlsx file saved by Excel or LibreOffice"),
            )
            return None
        self.problems += workbook.problems
        self.notices += workbook.notices
        return workbook

    def _find_table(
        self, table: Table, layer: Layer, cache: dict[Path, Workbook | None]
    ) -> tuple[bool, TableSource | None]:
        """Whether ``layer`` has ``table``, and its text (None if unreadable)."""
        csv_path = layer.folder / table.file_name
        workbook = self._workbook(layer, cache)
        in_workbook = workbook is not None and table.name in workbook.sheets
        has_csv = os.path.lexists(csv_path)  # a directory, a FIFO or a broken link is refused
        if not has_csv and not in_workbook:
            return False, None
        from_csv = (
            read_csv_table(table, csv_path, self.label(csv_path), self.problems)
            if has_csv
            else None
        )
        if from_csv is not None:
            self.notices += from_csv.notices
        elif has_csv:
            return True, None  # unreadable, reported
        from_sheet = None
        if workbook is not None and in_workbook:
            label = _("{label} (sheet {name})").format(
                label=self.label(workbook.path), name=table.name
            )
            from_sheet = workbook.source(table, label)
        if from_csv is not None and from_sheet is not None:
            if not from_csv.empty and not from_sheet.empty:
                self.problem(
                    from_csv.label,
                    _("the table is given twice, here and in {label}").format(
                        label=from_sheet.label
                    ),
                    expected=_("one of them only (an empty one is ignored)"),
                )
                return True, None
            return True, from_sheet if from_csv.empty and not from_sheet.empty else from_csv
        return True, from_csv or from_sheet

    def _stray_files(self, layer: Layer) -> None:
        """A CSV whose name is close to a table's is a misspelt table, not a stray file."""
        names = [t.name for t in TABLES]
        for path in sorted(layer.folder.glob("*.csv")):
            stem = path.stem.lower()
            if stem not in names and (close := difflib.get_close_matches(stem, names, 1, 0.8)):
                self.problem(
                    self.label(path),
                    _("is not a table of the scenario"),
                    expected=f"{close[0]}.csv ("
                    + _("the tables are")
                    + f": {', '.join(t.file_name for t in TABLES)})",
                )


def _inherited(table: Table, layer: Layer, empty: TableSource, source: TableSource) -> str:
    """The notice of an empty table that means its parent's."""
    if table.required:
        hint = ""
    else:
        hint = _('; to have none, replace = ["{name}"] in {label}').format(
            name=table.name, label=layer.label
        )
    text = _("{empty} has no rows: the one of the scenario it extends applies ({source})")
    return text.format(empty=empty.label, source=source.label) + hint


def _reason(error: Exception) -> str:
    """Why a workbook could not be read, never an empty text: the error's own words, else what
    kind of failure it was."""
    text = str(error).strip()
    if isinstance(error, MemoryError):
        return _("too large to read")
    if isinstance(error, KeyError):
        return _("an inner part of the file is missing: {text}").format(text=text)
    return text or _("a damaged file or not an .xlsx ({kind})").format(kind=type(error).__name__)
