"""The "where to strengthen" tab: areas held back by partners or staff, not money."""

from __future__ import annotations

from typing import Any

from htmltools import tags
from shiny import module, ui

from allocator.app.panels import strengthen_rows
from allocator.app.session import MeetingSession, PlanView
from allocator.app.tabs.html import Panel, noted_table
from allocator.postprocess.results import Plan

STRENGTHEN_COLUMNS = {
    "area": "quartiere",
    "intervention": "intervento",
    "unmet_text": "bisogno raggiungibile",
    "why": "cosa manca",
}


@module.ui
def strengthen_ui() -> Any:
    return ui.nav_panel("Dove rafforzare", ui.output_ui("strengthen"))


def strengthen_panel(meeting: MeetingSession) -> Panel:
    """The tab's panel for ``meeting`` (see :func:`~allocator.app.tabs.html.panel_server`)."""

    def strengthen(current: PlanView, plan: Plan) -> Any:
        rows = strengthen_rows(meeting.strengthen(current))
        if rows.empty:
            return tags.p(
                "Nessun quartiere è frenato da partner o personale: dove il bisogno resta "
                "scoperto mancano fondi."
            )
        return noted_table(
            "Dove servono partner o personale, non soldi: bisogno che si potrebbe ancora "
            "servire e cosa lo impedisce.",
            rows,
            STRENGTHEN_COLUMNS,
            "strengthen-table",
        )

    return strengthen
