"""The map tab: NIL polygons or centroids coloured by coverage, the excluded areas hatched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from htmltools import TagList, tags
from shiny import Inputs, Outputs, Session, module, render, ui

from allocator.app.mapview import map_svg
from allocator.app.session import MeetingSession, PlanView
from allocator.app.tabs.html import with_plan
from allocator.postprocess.results import Plan


@module.ui
def map_ui(shapes_mode: str) -> Any:
    note = (
        "Confini dei NIL (Comune di Milano)"
        if shapes_mode == "polygons"
        else "Quartieri come punti (centroidi), grandi quanto il bisogno stimato"
    )
    return ui.nav_panel("Mappa", ui.output_ui("area_map"), tags.p(note, class_="note"))


@module.server
def map_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    view: Callable[[], PlanView],
    meeting: MeetingSession,
) -> None:
    def area_map(current: PlanView, plan: Plan) -> Any:
        svg = map_svg(meeting.shapes, plan.areas, sorted(current.controls.excluded_areas))
        unmatched = meeting.shapes.unmatched
        missing = f"Non disegnati ({len(unmatched)}): {', '.join(unmatched)}"
        return TagList(ui.HTML(svg), tags.p(missing, class_="note") if unmatched else "")

    render.ui(with_plan(view, area_map))
