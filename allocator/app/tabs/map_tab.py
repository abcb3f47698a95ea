"""The map tab: NIL polygons or centroids coloured by coverage, the excluded areas hatched."""

from __future__ import annotations

from typing import Any

from htmltools import TagList, tags
from shiny import module, ui

from allocator.app.mapview import map_svg
from allocator.app.session import MeetingSession, PlanView
from allocator.app.tabs.html import Panel
from allocator.postprocess.results import Plan


@module.ui
def map_ui(shapes_mode: str) -> Any:
    note = (
        "Confini dei NIL (Comune di Milano)"
        if shapes_mode == "polygons"
        else "Quartieri come punti (centroidi), grandi quanto il bisogno stimato"
    )
    return ui.nav_panel("Mappa", ui.output_ui("area_map"), tags.p(note, class_="note"))


def area_map_panel(meeting: MeetingSession) -> Panel:
    """The tab's panel for ``meeting`` (see :func:`~allocator.app.tabs.html.panel_server`)."""

    def area_map(current: PlanView, plan: Plan) -> Any:
        svg = map_svg(meeting.shapes, plan.areas, sorted(current.controls.excluded_areas))
        unmatched = meeting.shapes.unmatched
        missing = f"Non disegnati ({len(unmatched)}): {', '.join(unmatched)}"
        return TagList(ui.HTML(svg), tags.p(missing, class_="note") if unmatched else "")

    return area_map
