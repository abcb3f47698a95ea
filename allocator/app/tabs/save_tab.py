"""The "save and download" tab: the plan shown saved in the archive with a name and a note,
the last plans of the archive, ``results.xlsx`` and the HTML report of the plan shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from htmltools import TagList, tags
from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from allocator.app.reading import text_value
from allocator.app.session import MeetingSession, PlanView
from allocator.app.tabs.html import whole_table
from allocator.errors import AllocatorError
from allocator.outputs.archive import Archive
from allocator.render.formats import number


@module.ui
def save_ui() -> Any:
    return ui.nav_panel(
        "Salva e scarica",
        ui.input_text("plan_label", "Nome del piano", placeholder="es. proposta di marzo"),
        ui.input_text_area("plan_note", "Nota", rows=2, width="100%"),
        ui.input_action_button("save", "Salva questo piano", class_="btn-primary"),
        ui.output_ui("saved"),
        tags.div(
            ui.download_button("download_xlsx", "Scarica results.xlsx"),
            ui.download_button("download_report", "Scarica il report HTML"),
            class_="downloads",
        ),
        ui.output_ui("archive_list"),
    )


def _archive_rows(history: str | Path | None) -> Any:
    """The last eight plans of the archive, newest first (or why the archive cannot be read)."""
    try:
        with Archive(history) as archive:
            runs = archive.runs()[-8:]
            where = archive.path
    except AllocatorError as exc:
        return tags.p(str(exc), class_="alert alert-warning")
    if not runs:
        return tags.p(f"L'archivio {where} è ancora vuoto.", class_="note")
    frame = pd.DataFrame(
        [
            {
                "id": f"#{r.run_id}",
                "data": r.created.replace("T", " ")[:16],
                "nome": r.label,
                "beneficiari": number(r.kpis.get("beneficiaries_served", 0.0)),
            }
            for r in reversed(runs)
        ]
    )
    return TagList(
        tags.h4(f"Ultimi piani nell'archivio ({where})"), whole_table(frame, "archive-table")
    )


@module.server
def save_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    view: Callable[[], PlanView],
    meeting: MeetingSession,
) -> None:
    saved_count = reactive.value(0)

    @reactive.effect
    @reactive.event(input.save)
    def _save() -> None:
        try:
            label = text_value("Nome del piano", input.plan_label())
            note = text_value("Nota", input.plan_note())
            run_id = meeting.save(view(), label, note)
        except AllocatorError as exc:
            ui.notification_show(f"Piano non salvato: {exc}", type="error", duration=8)
            return
        saved_count.set(saved_count() + 1)
        ui.notification_show(f"Piano salvato nell'archivio come #{run_id}", duration=6)

    @render.ui
    def saved() -> Any:
        return tags.p(f"Piani salvati in questa riunione: {saved_count()}", class_="note")

    @render.ui
    def archive_list() -> Any:
        saved_count()
        return _archive_rows(meeting.history)

    @render.download(filename="results.xlsx")
    def download_xlsx() -> Any:
        yield meeting.results_xlsx(view())

    @render.download(filename="report.html")
    def download_report() -> Any:
        yield meeting.report_html(view())
