"""Deterministic CSV writing: the same table always gives the same bytes.

Floats that are whole numbers are written without decimals, others with at most six decimals;
rows keep the order given (callers sort them); newlines are ``\\n``; missing values are blank.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd


def format_value(value: object) -> str:
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
        return format_value(value.item())
    text = str(value)
    return "" if text == "<NA>" else text


def _quote(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write ``table`` to ``path`` with fixed formatting, creating the folder, atomically (a
    temporary file beside, then replaced); return the path."""
    from allocator.outputs.files import write_text_atomically

    lines = [",".join(_quote(str(c)) for c in table.columns)]
    for row in table.itertuples(index=False, name=None):
        lines.append(",".join(_quote(format_value(v)) for v in row))
    return write_text_atomically("\n".join(lines) + "\n", path)
