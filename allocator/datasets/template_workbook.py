"""The template's ``inputs.xlsx``: an instructions sheet, one sheet per table with drop-down lists
(units, legal forms, kinds, and the ids of other sheets) and the accepted range of every number,
and a guide to the columns. Italian by default (``ALLOCATOR_LANG=en`` for English)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from allocator.i18n import N_, _, chosen_lang
from allocator.inputs.guide_words import column_description, fits, range_text, table_description
from allocator.inputs.locate import SCENARIO_FILE
from allocator.inputs.schema import FunderKind, LegalForm, Unit
from allocator.inputs.tables import TABLES, TABLES_BY_NAME, Column, ColumnType, Table

MAX_ROWS = 5000
"""Rows of each table sheet that carry the drop-down lists and ranges."""

CHOICES_IT: dict[str, tuple[str, ...]] = {
    Unit.__name__: ("persone", "minori", "famiglie"),
    LegalForm.__name__: (
        "cooperativa sociale",
        "consorzio",
        "APS",
        "ODV",
        "impresa sociale",
        "ente religioso",
        "fondazione",
        "altro",
    ),
    FunderKind.__name__: ("pubblico", "privato"),
}
"""The drop-downs' words in Italian: each is a synonym the loader reads (see inputs/vocabulary)."""

ENUMS = {tuple(m.value for m in enum): enum.__name__ for enum in (Unit, LegalForm, FunderKind)}


def instructions_sheet() -> str:
    return _("Instructions")


def columns_sheet() -> str:
    return _("columns")


INSTRUCTIONS = (
    N_("How to fill in this scenario"),
    "",
    N_(
        "1. Fill one sheet per table (areas, interventions, needs, partners, "
        "capacities, funders: required; the others optional). The first row is the "
        "header: keep it."
    ),
    N_(
        "2. Where a cell has a drop-down list (unit, legal form, kind of funder, ids of "
        "other sheets) choose from it."
    ),
    N_(
        "3. Numbers may be typed the Italian way: 1.234,50 or 600.000; € and % are "
        "accepted (80% for a share). Each numeric column accepts a range (see the "
        "'columns' sheet): a value beyond it is a slip."
    ),
    N_(
        "4. Identifiers (area_id, partner_id, ...) hold letters without accents, "
        "digits, '_', '-' and '.' only; names with accents go in the name column."
    ),
    N_("5. An extra column (such as 'note') is kept and ignored."),
    N_(
        "6. Do not merge cells across rows or leave formulas without results: the file "
        "is refused, naming the cell."
    ),
    N_("7. The settings (scenario name, budget, policies) are in {file}."),
    N_("8. Check with: allocator validate <folder>; then: allocator run <folder>."),
    "",
    N_("Fill either this file or the folder's CSV files: the other, empty, is ignored."),
)
"""The instructions sheet, one paragraph a row (``{file}`` is the settings file)."""


def instructions() -> list[str]:
    """The instructions sheet, one paragraph a row, in the language in force."""
    return [_(line).format(file=SCENARIO_FILE) if line else "" for line in INSTRUCTIONS]


def choices(column: Column) -> tuple[str, ...]:
    """The drop-down words of an ENUM column, in the language in force."""
    name = ENUMS.get(column.allowed)
    if name is None:
        return column.allowed
    return CHOICES_IT[name] if chosen_lang(None) == "it" else column.allowed


def type_text(column: Column) -> str:
    if column.allowed:
        return _("word: ") + ", ".join(choices(column))
    return {
        ColumnType.IDENTIFIER: _("identifier"),
        ColumnType.TEXT: _("text"),
        ColumnType.NUMBER: _("number"),
        ColumnType.SHARE: _("share (0-1 or %)"),
        ColumnType.ENUM: _("word"),
        ColumnType.SELECTOR: _("identifier or *"),
    }[column.type]


def default_text(column: Column) -> str:
    if column.required:
        return _("(required)")
    if column.default is None:
        return _("blank")
    if isinstance(column.default, float):
        return f"{column.default:g}"
    return str(column.default)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _validations(sheet: Any, table: Table) -> None:
    """Drop-downs for words and ids of other sheets; ranges for numbers (as warnings, so that
    '*' or an Italian text number can still be typed)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    references = {r.column: r for r in table.references}
    for index, column in enumerate(table.columns):
        cells = f"{_letter(index)}2:{_letter(index)}{MAX_ROWS}"
        validation = None
        if column.type is ColumnType.ENUM:
            listed = ",".join(choices(column))
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        elif column.name in references and references[column.name].table in TABLES_BY_NAME:
            target = TABLES_BY_NAME[references[column.name].table]
            key = _letter(target.column_names.index(target.key[0]))
            formula = f"{target.name}!${key}$2:${key}${MAX_ROWS}"
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.errorStyle = "warning"
        elif column.type in (ColumnType.NUMBER, ColumnType.SHARE):
            low, high = fits(table, column)[:2]
            if math.isinf(low) or math.isinf(high):
                continue
            validation = DataValidation(
                type="decimal",
                operator="between",
                formula1=repr(low),
                formula2=repr(high),
                allow_blank=True,
            )
            validation.errorStyle = "warning"
            validation.error = _("Out of range: ") + range_text(table, column)
        if validation is None:
            continue
        validation.promptTitle = column.name
        validation.prompt = column_description(table, column)[:250]
        validation.showInputMessage = True
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
        validation.add(cells)


def write_workbook(path: Path) -> None:
    """The template workbook: instructions, one sheet per table, the column guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)
    intro = book.active
    intro.title = instructions_sheet()
    for line in instructions():
        intro.append([line])
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["A"].width = 110
    for row in intro.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        for index, cell in enumerate(sheet[1]):
            cell.font = bold
            sheet.column_dimensions[_letter(index)].width = max(14, len(str(cell.value)) + 4)
        sheet.freeze_panes = "A2"
        _validations(sheet, table)
    guide = book.create_sheet(columns_sheet())
    guide.append(_("table|column|type|default|range|description|example").split("|"))
    for cell in guide[1]:
        cell.font = bold
    guide.freeze_panes = "A2"
    for table in TABLES:
        guide.append([table.name, "", "", "", "", table_description(table), ""])
        for column in table.columns:
            guide.append(
                [
                    table.name,
                    column.name,
                    type_text(column),
                    default_text(column),
                    range_text(table, column),
                    column_description(table, column),
                    column.example,
                ]
            )
    for letter, width in zip("ABCDEFG", (14, 26, 28, 14, 26, 70, 22), strict=True):
        guide.column_dimensions[letter].width = width
    book.save(path)
