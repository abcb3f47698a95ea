"""The areas tab: coverage by area, the least covered first, with bars."""

from __future__ import annotations

from typing import Any

from htmltools import TagList, tags
from shiny import module, ui

from allocator.app.panels import coverage_rows
from allocator.app.session import PlanView
from allocator.postprocess.results import Plan

COVERAGE_HEADERS = ("quartiere", "municipio", "bisogno", "serviti", "copertura")


@module.ui
def areas_ui() -> Any:
    return ui.nav_panel("Quartieri", ui.output_ui("coverage"))


def _bar(share: float, text: str) -> Any:
    width = f"width:{100 * min(share, 1.0):.1f}%"
    return tags.td(
        tags.div(tags.div(style=width), class_="bar"), tags.span(text), class_="bar-cell"
    )


def coverage(current: PlanView, plan: Plan) -> Any:
    rows = coverage_rows(plan, sorted(current.controls.excluded_areas))
    body = [
        tags.tr(
            tags.td(r["name"] + (" (escluso)" if r["excluded"] else "")),
            tags.td(r["municipio"]),
            tags.td(r["need_text"], class_="num"),
            tags.td(r["served_text"], class_="num"),
            _bar(r["coverage"], r["coverage_text"]),
        )
        for r in rows.to_dict("records")
    ]
    return TagList(
        tags.p("I quartieri meno coperti in alto. Bisogno: stima.", class_="note"),
        tags.table(
            tags.thead(tags.tr(*(tags.th(h) for h in COVERAGE_HEADERS))),
            tags.tbody(*body),
            class_="plan-table",
            id="coverage-table",
        ),
    )
