"""The input tables described in the language in force (the descriptions are msgids of
:mod:`.tables`, translated in the catalogs), and the range of values each numeric column accepts,
for messages and the template's guide."""

from __future__ import annotations

import math
from typing import get_args

from annotated_types import Ge, Gt, Le, Lt

from allocator.i18n import _
from allocator.inputs.tables import Column, ColumnType, Table


def table_description(table: Table) -> str:
    """The table's description in the language in force."""
    return _(table.description)


def column_description(table: Table, column: Column) -> str:
    """The column's description in the language in force (the same in every ``table``)."""
    return _(column.description)


def column_range(table: Table, column: Column) -> tuple[float, float, bool]:
    """(lowest, highest, lowest excluded) of a numeric column, from its schema field."""
    low, high, strict = -math.inf, math.inf, False
    info = table.model.model_fields.get(column.name)
    if info is None:
        return low, high, strict
    metadata = list(info.metadata)
    for arg in get_args(info.annotation):  # Optional[Annotated[...]]
        metadata += list(getattr(arg, "__metadata__", ()))
        for inner in getattr(arg, "__metadata__", ()):
            metadata += list(getattr(inner, "metadata", ()))
    for item in metadata:
        for bound in getattr(item, "metadata", [item]):
            if isinstance(bound, Ge):
                low = max(low, float(bound.ge))  # type: ignore[arg-type]
            elif isinstance(bound, Gt):
                low, strict = max(low, float(bound.gt)), True  # type: ignore[arg-type]
            elif isinstance(bound, Le):
                high = min(high, float(bound.le))  # type: ignore[arg-type]
            elif isinstance(bound, Lt):
                high = min(high, float(bound.lt))  # type: ignore[arg-type]
    return low, high, strict


def fits(table: Table, column: Column) -> tuple[float, float, bool]:
    """The range a reading of a cell of ``column`` must fall in to be plausible."""
    low, high, strict = column_range(table, column)
    if column.type is ColumnType.SHARE:
        low, high = max(low, 0.0), min(high, 1.0)
    return low, high, strict


def range_text(table: Table, column: Column) -> str:
    """The accepted range in words, for the guide (blank when unbounded)."""
    low, high, strict = fits(table, column)
    if math.isinf(low) and math.isinf(high):
        return ""
    show = _plain
    if math.isinf(high):
        return (_("more than ") if strict else _("from ")) + show(low)
    start = _("above ") if strict else _("from ")
    return start + show(low) + _(" to ") + show(high)


def _plain(value: float) -> str:
    if value == int(value):
        text = f"{int(value):,}"
        return text.replace(",", ".") if _("en") == "it" else text
    return str(value).replace(".", ",") if _("en") == "it" else str(value)
