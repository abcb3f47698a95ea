"""A comparison written for the minutes: ``summary.md`` in Italian beside its tables.

:func:`write_comparison` writes the tables of :class:`~allocator.studies.compare.Comparison` as a
workbook and CSV files, and :func:`summary_markdown` the summary a planner pastes into the
minutes, numbers as :mod:`allocator.render.formats` writes them; all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.i18n import N_, _
from allocator.outputs.atomic import write_folder
from allocator.outputs.escaping import markdown_text
from allocator.outputs.names import COMPARISON_SUMMARY, COMPARISON_WORKBOOK, table_file
from allocator.outputs.table_io import write_table, write_workbook
from allocator.postprocess.labels import status_word
from allocator.render.console import kpi_key_label
from allocator.render.formats import number, share
from allocator.studies.compare import DELTA, SHARE_KPIS, Comparison, Description


def _kpi_text(key: str, value: Any, delta: bool = False) -> str:
    if key == "status" and not delta:
        return status_word(value, "it") if isinstance(value, str) else ""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return ""
    if delta and abs(value) < 1e-9:
        value = 0.0
    sign = "+" if delta and value > 0 else ""
    if key in SHARE_KPIS:
        if delta:
            return f"{sign}{number(100 * value, 'it', 1)} pp"
        return share(value, "it")
    if key == "objective":
        return f"{sign}{number(value, 'it', 4)}"
    decimals = 1 if key.startswith("staff_fte") or key == "solve_seconds" else 0
    return f"{sign}{number(value, 'it', decimals)}"


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + number(value, "it")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    header = [markdown_text(h) for h in header]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(markdown_text(c) for c in row) + " |" for row in rows]
    return lines


OBJECTIVE_NOT_COMPARED = N_(
    "The objective (0-1) is not compared: the plans weigh equity differently (weight, "
    "measure or share of the worst-covered areas), so their objectives do not measure the "
    "same thing."
)
"""Said where a comparison leaves the objective out (translated where it is shown)."""


def objective_not_compared(lang: str | None = None) -> str:
    """Why a comparison leaves the objective out, in ``lang`` (default: the one in force)."""
    return _(OBJECTIVE_NOT_COMPARED, lang)


def describe(description: Description, lang: str = "it") -> str:
    """A plan's description in words: its note, or the rule of thumb it applies."""
    if isinstance(description, str):
        return description
    text = _("rule of thumb applied to {plan}", lang)
    if description.cuts:
        text += _("; {cuts} cuts to respect the limits", lang)
    return text.format(plan=description.applied_to, cuts=description.cuts)


def summary_markdown(
    comparison: Comparison, descriptions: Mapping[str, Description] | None = None
) -> str:
    """A summary a planner can paste into the minutes (in Italian, numbers formatted)."""
    labels = comparison.labels
    first = labels[0]
    lines = ["# Confronto tra scenari", ""]
    for label in labels:
        note = describe((descriptions or {}).get(label, ""), "it")
        lines.append(f"- **{markdown_text(label)}**" + (f": {markdown_text(note)}" if note else ""))
    shown_first = markdown_text(first)
    lines += ["", f"Le differenze (Δ) sono rispetto a **{shown_first}**.", "", "## Indicatori", ""]
    rows = []
    for record in comparison.kpis.to_dict("records"):
        key = str(record["kpi"])
        if key == "solve_seconds":
            continue
        name = kpi_key_label(key, "it", comparison.role_names)
        cells = [_kpi_text(key, record[label]) for label in labels]
        cells += [_kpi_text(key, record[f"{DELTA}{label}"], delta=True) for label in labels[1:]]
        rows.append([name, *cells])
    lines += _md_table(["indicatore", *labels, *(f"Δ {label}" for label in labels[1:])], rows)
    if not comparison.objective_compared:
        lines += ["", _(OBJECTIVE_NOT_COMPARED, "it")]

    lines += ["", "## Interventi: beneficiari serviti", ""]
    rows = [
        [
            comparison.intervention_names.get(str(r["intervention_id"]), str(r["intervention_id"])),
            number(r["need"], "it"),
            *(
                f"{number(r[f'served {label}'], 'it')} ({share(r[f'coverage {label}'], 'it')})"
                for label in labels
            ),
        ]
        for r in comparison.interventions.to_dict("records")
    ]
    lines += _md_table(["intervento", "bisogno", *labels], rows)

    kind_it = {"area": "quartieri", "partner": "enti"}
    side_it = {"gains": "guadagnano di più", "loses": "perdono di più"}
    winners = comparison.winners_losers
    for label in labels[1:]:
        heading = f"## {markdown_text(label)} rispetto a {shown_first}: chi guadagna e chi perde"
        lines += ["", heading, ""]
        mine = winners[winners["scenario"] == label]
        if mine.empty:
            lines.append("Nessuna differenza di beneficiari per quartiere o ente.")
        for (kind, side), part in mine.groupby(["kind", "side"], sort=False):
            entries = [
                f"{markdown_text(r['name'] or r['id'])} "
                f"({_signed(r['delta_beneficiaries'])} beneficiari, {_signed(r['delta_euros'])} €)"
                for r in part.to_dict("records")
            ]
            lines.append(f"- {kind_it[str(kind)]} che {side_it[str(side)]}: " + "; ".join(entries))
    return "\n".join(lines) + "\n"


def write_comparison(
    comparison: Comparison,
    out: Path,
    *,
    overwrite: bool = False,
    descriptions: Mapping[str, Description] | None = None,
) -> Path:
    """Write ``comparison.xlsx`` (one sheet per view), one CSV per view and ``summary.md``."""

    def fill(folder: Path) -> None:
        tables = comparison.tables()
        for name, frame in tables.items():
            write_table(frame, folder / table_file(name))
        write_workbook(folder / COMPARISON_WORKBOOK, tables)
        (folder / COMPARISON_SUMMARY).write_text(
            summary_markdown(comparison, descriptions), encoding="utf-8"
        )

    return write_folder(out, fill, overwrite=overwrite)
