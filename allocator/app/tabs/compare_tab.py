"""The "today and the rules" tab: this plan against today's allocation and the rules of thumb
with the same money, and who gains and loses most against today. Computed only when open."""

from __future__ import annotations

from typing import Any

from htmltools import TagList, tags
from shiny import module, ui

from allocator.app.panels import comparison_rows, movers_against_today
from allocator.app.session import MeetingSession, PlanView
from allocator.app.tabs.html import Panel, whole_table
from allocator.postprocess.results import Plan

NOTE = (
    "Le regole empiriche dispongono degli stessi fondi di questo piano (senza esclusioni e "
    "protezioni); «oggi» è l'allocazione attuale (baseline.csv). Ogni riga dice quanto spende "
    "davvero."
)


@module.ui
def compare_ui() -> Any:
    return ui.nav_panel("Oggi e regole", ui.output_ui("comparison"))


def comparison_panel(meeting: MeetingSession) -> Panel:
    """The tab's panel for ``meeting`` (see :func:`~allocator.app.tabs.html.panel_server`)."""

    def comparison(current: PlanView, plan: Plan) -> Any:
        today = meeting.today()
        rows = comparison_rows(plan, meeting.rules(current), today)
        movers = movers_against_today(plan, today, meeting.partner_names)
        return TagList(
            tags.p(NOTE, class_="note"),
            whole_table(rows, "comparison-table"),
            tags.h4("Rispetto a oggi: chi guadagna e chi perde"),
            whole_table(movers, "movers-table")
            if not movers.empty
            else tags.p("Nessuna allocazione attuale nello scenario."),
        )

    return comparison
