"""Tables written to CSV and to workbooks safely, and read back as they were written.

* :func:`write_table`: a CSV whose text cells (and headers) are neutralised against formula
  injection (:func:`~allocator.outputs.escaping.csv_cell`); numeric columns are written as pandas
  writes them, so a clean table gives the same bytes as before.
* :func:`write_workbook` / :func:`text_cells_as_text`: every text cell of a sheet stored as text,
  never as a formula (``=HYPERLINK(…)`` stays words), and characters a workbook cannot hold
  replaced by ``�``.
* :func:`read_table`: a CSV of a run folder read back with names as text: an area called ``NA``,
  ``null`` or ``None`` stays that name; ids stay text; the apostrophe escape is undone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.outputs.escaping import csv_cell, restore_cell

TEXT_COLUMNS = ("name", "label", "scenario", "detail", "reason", "item")
"""Columns always read back as text (besides every ``*_id`` and ``*_name`` column)."""
UNREPRESENTABLE = "\ufffd"
FLOAT_DECIMALS = 9
"""Decimals kept in a CSV's float columns: far below any figure shown, above the solver's noise."""


def _safe_text(value: Any) -> Any:
    return csv_cell(value) if isinstance(value, str) else value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and headers are neutralised for CSV."""
    safe = frame.copy()
    safe.columns = [_safe_text(c) for c in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if pd.api.types.is_float_dtype(dtype):  # no float noise: 7065.6, not 7065.599999999999
            safe.isetitem(position, frame.iloc[:, position].round(FLOAT_DECIMALS))
        elif not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            safe.isetitem(position, frame.iloc[:, position].map(_safe_text))
    return safe


def write_table(frame: pd.DataFrame, path: Path, *, fixed: bool = False) -> Path:
    """Write ``frame`` as a CSV (no index, ``\\n`` line ends), text cells neutralised.

    ``fixed``: every cell written by :func:`fixed_value` (``12`` not ``12.0``, at most six
    decimals), so the same table always gives the same bytes (the scenarios the dataset
    builders write, reproduced byte for byte); else numbers as pandas writes them.
    """
    if not fixed:
        csv_safe(frame).to_csv(path, index=False, lineterminator="\n")
        return path
    lines = [",".join(_quoted(fixed_value(_safe_text(c))) for c in frame.columns)]
    for row in frame.itertuples(index=False, name=None):
        lines.append(",".join(_quoted(fixed_value(_safe_text(v))) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    return path


def fixed_value(value: object) -> str:
    """One cell as text: ``12`` not ``12.0``, ``0.123457`` not ``0.12345678``, blank for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        rounded = round(value, 6)
        if rounded == int(rounded):
            return str(int(rounded))
        return f"{rounded:.6f}".rstrip("0").rstrip(".")
    if hasattr(value, "item"):  # numpy scalars
        return fixed_value(value.item())
    text = str(value)
    return "" if text == "<NA>" else text


def _quoted(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _is_text_column(name: str) -> bool:
    return name in TEXT_COLUMNS or name.endswith(("_id", "_name"))


def read_table(path: Path) -> pd.DataFrame:
    """A CSV written by :func:`write_table`, read back faithfully.

    Blank cells are missing values; every other cell is text unless its whole column is numbers
    (and the column is not an id or a name), so no name is ever read as a missing value.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        values = raw[column]
        name = restore_cell(column)
        numbers = None if _is_text_column(name) else _as_numbers(values)
        if numbers is not None:
            frame[name] = numbers
        else:
            frame[name] = values.map(lambda v: restore_cell(v) if v else None).astype(object)
    return frame


def _as_numbers(values: pd.Series) -> pd.Series | None:
    """The column as numbers (or booleans) when every filled cell is one, else None."""
    filled = values[values != ""]
    if len(filled) and filled.isin(("True", "False")).all():
        return values.map({"True": True, "False": False, "": None})
    converted = pd.to_numeric(filled, errors="coerce")
    if not filled[converted.isna()].str.lower().isin(("nan", "inf", "-inf")).all():
        return None
    return pd.to_numeric(values.replace("", None), errors="coerce")


def sheet_text(value: Any) -> Any:
    """``value`` with the characters a workbook cannot hold (control characters) as ``�``."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub(UNREPRESENTABLE, value)
    return value


def sheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text a workbook can hold (control characters replaced)."""
    safe = frame.copy()
    safe.columns = [sheet_text(c) for c in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if not pd.api.types.is_numeric_dtype(dtype):
            safe.isetitem(position, frame.iloc[:, position].map(sheet_text))
    return safe


def text_cells_as_text(worksheet: Any) -> None:
    """Store every cell of an openpyxl ``worksheet`` that openpyxl took for a formula (a text
    beginning with ``=``) as text: the allocator never writes formulas."""
    for row in worksheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write one sheet per table (names cut to Excel's 31 characters), text stored as text."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet = name[:31]
            sheet_safe(frame).to_excel(writer, sheet_name=sheet, index=False)
            text_cells_as_text(writer.sheets[sheet])
    return path
