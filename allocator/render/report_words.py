"""The columns of the report's tables (their headers, like KPI labels and coded values, come from
the registries in :mod:`allocator.postprocess`); the report's words are the catalog's, in its
templates (``allocator/render/templates``)."""

from __future__ import annotations

from allocator.postprocess.kpis import KpiFormat
from allocator.postprocess.labels import column_format, column_label

REPORT_TABLES: dict[str, tuple[str, ...]] = {
    "areas": ("name", "municipio", "need", "served", "coverage", "unmet_need", "cost", "staff_fte"),
    "funders": ("name", "kind_shown", "amount", "spent", "share_used"),
    "strengthen": (
        "area_name",
        "intervention_name",
        "limit_shown",
        "reachable_unmet",
        "money_shown",
    ),
    "limits": ("limit_shown", "pairs", "unmet_need"),
    "partners": (
        "name",
        "legal_form",
        "where",
        "what",
        "beneficiaries",
        "funded_cost",
        "cofunding",
    ),
    "partners_today": ("today_beneficiaries", "delta_beneficiaries_shown", "delta_funded_shown"),
    "transition": ("id", "baseline", "floor", "served", "shortfall"),
    "ranges": ("name", "served", "optimum", "funded"),
}
"""The columns of the report's tables, each table's in order; their headers and formats are the
label registry's (:mod:`allocator.postprocess.labels`, ``<table>.<column>`` first).
``partners_today`` is added to ``partners`` when today's allocation is known."""

Column = tuple[str, str, str, KpiFormat]
"""A table column: (frame column, Italian header, English header, format)."""


def _heading(text: str) -> str:
    return text[:1].upper() + text[1:]


def columns(table: str) -> tuple[Column, ...]:
    """The columns of the report's table ``table`` (a key of :data:`REPORT_TABLES`)."""
    home = "partners" if table == "partners_today" else table
    return tuple(
        (
            c,
            _heading(column_label(c, "it", home)),
            _heading(column_label(c, "en", home)),
            column_format(c, home),
        )
        for c in REPORT_TABLES[table]
    )
