"""The meeting page (Shiny for Python): controls on the left, the plan on the right.

A thin layer: each output lays out what :mod:`allocator.app.panels`, :mod:`allocator.app.mapview`
and :class:`~allocator.app.session.MeetingSession` computed. Shiny recomputes only the outputs
whose inputs changed, and only those visible (the comparison with the rules of thumb, the slowest
panel, is computed when its tab is open). Italian throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from htmltools import Tag, TagList, tags
from shiny import App, Inputs, Outputs, Session, reactive, render, req, ui

from allocator.app.amounts import amount_server
from allocator.app.latest import LatestWins, Progress
from allocator.app.layout import page_ui
from allocator.app.mapview import map_svg
from allocator.app.panels import (
    comparison_rows,
    coverage_rows,
    funder_rows,
    kpi_cards,
    movers_against_today,
    scenario_facts,
    strengthen_rows,
)
from allocator.app.reading import (
    SLIDERS,
    offered_locks,
    page_controls,
    percent,
    shows_losses,
    text_value,
)
from allocator.app.session import MeetingSession, PlanView
from allocator.app.state import LOSS_LIMITS, Controls, has_policy
from allocator.errors import AllocatorError, UsageError
from allocator.inputs.schema import Scenario
from allocator.outputs.archive import Archive
from allocator.postprocess.kpis import kpi_label
from allocator.postprocess.results import Plan
from allocator.render.formats import kpi_value, number
from allocator.render.summary import STATUS_IT

PANEL_ERROR = (
    "Questa parte della pagina non si è potuta mostrare (errore inatteso): il dettaglio è nel "
    "terminale dove gira `allocator app`."
)
NO_PLAN = tags.p("Nessun piano da mostrare.")
COVERAGE_HEADERS = ("quartiere", "municipio", "bisogno", "serviti", "copertura")
FUNDER_COLUMNS = {
    "name": "finanziatore",
    "kind": "tipo",
    "amount_text": "importo",
    "spent_text": "speso",
    "share_text": "quota usata",
}
STRENGTHEN_COLUMNS = {
    "area": "quartiere",
    "intervention": "intervento",
    "unmet_text": "bisogno raggiungibile",
    "why": "cosa manca",
}


def _table(frame: pd.DataFrame, columns: dict[str, str], table_id: str) -> Tag:
    """A plain HTML table of some columns of ``frame`` (column → header)."""
    head = tags.thead(tags.tr(*(tags.th(h) for h in columns.values())))
    body = tags.tbody(
        *(tags.tr(*(tags.td(str(row[c])) for c in columns)) for row in frame.to_dict("records"))
    )
    return tags.table(head, body, id=table_id, class_="plan-table")


def _noted_table(note: str, frame: pd.DataFrame, columns: dict[str, str], table_id: str) -> TagList:
    """A note above a plain HTML table of ``frame`` (see :func:`_table`)."""
    return TagList(tags.p(note, class_="note"), _table(frame, columns, table_id))


def create_app(
    scenario: Scenario,
    boundaries: str | Path | None = None,
    history: str | Path | None = None,
) -> App:
    """The meeting page for ``scenario`` (the map uses ``boundaries`` when given; saved plans go
    to the archive ``history``)."""
    probe = MeetingSession(scenario, boundaries, history)  # fails early on a bad boundary file
    start = probe.initial()
    funder_list = sorted(scenario.funders, key=lambda f: f.funder_id)
    present_sliders = [n for n in SLIDERS if n not in LOSS_LIMITS or shows_losses(scenario, n)]

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        meeting = MeetingSession(scenario, boundaries, history)
        saved_count = reactive.value(0)

        amounts = {
            f.funder_id: amount_server(
                f"funder_{i}", f.name, start.funder_amounts[f.funder_id], input.reset
            )
            for i, f in enumerate(funder_list)
        }
        offered = offered_locks(scenario)
        read = [*(n for n in SLIDERS if n in present_sliders), *offered]
        if has_policy("equity_measure"):
            read.append("equity_measure")

        @reactive.calc
        def controls() -> Controls | str:
            """The controls as the page set them, or why they are refused (in Italian)."""
            raw = {name: input[name]() for name in read}
            in_use = {funder_id: amount() for funder_id, amount in amounts.items()}
            try:
                return page_controls(raw, start, offered, in_use)
            except UsageError as exc:
                return str(exc)

        shown: reactive.Value[PlanView | None] = reactive.value(None)
        progress = reactive.value(Progress(0, 0, True, 0, 0))

        async def publish(computed: PlanView | None, state: Progress) -> None:
            async with reactive.lock():
                if computed is not None:
                    shown.set(meeting.show(computed))
                progress.set(state)
                await reactive.flush()

        latest = LatestWins(meeting.compute, publish)

        @reactive.effect
        def _ask() -> None:
            """Each new setting supersedes the solve running: only the last one is shown."""
            chosen = controls()
            with reactive.isolate():
                if isinstance(chosen, str):
                    progress.set(latest.supersede())
                    shown.set(meeting.show(meeting.refused(chosen)))
                else:
                    latest.submit(chosen)
                    progress.set(latest.progress())

        @reactive.calc
        def view() -> PlanView:
            current = shown()
            req(current is not None, cancel_output="progress")  # the first plan is on its way
            assert current is not None
            return current

        @render.ui
        def working() -> Tag:
            """ "Calcolo in corso…" while a solve runs or waits; its data attributes are the
            page's own "done" signal (tests and the benchmark wait for it)."""
            state = progress()
            return tags.span(
                "Calcolo in corso…",
                class_="busy-text on" if state.busy else "busy-text",
                id="plan-state",
                data_state="busy" if state.busy else "done",
                data_submitted=str(state.submitted),
                data_published=str(state.published),
                data_solved=str(state.solved),
                data_dropped=str(state.dropped),
            )

        def with_plan(panel: Callable[[PlanView, Plan], Any]) -> Callable[[], Any]:
            """A panel of the current plan (``NO_PLAN`` while there is none)."""

            def shown() -> Any:
                v = view()
                return NO_PLAN if v.plan is None else panel(v, v.plan)

            shown.__name__ = panel.__name__  # the output's id
            return shown

        @reactive.effect
        @reactive.event(input.reset)
        def _reset() -> None:
            for name in present_sliders:
                setting = getattr(start, name)
                ui.update_slider(name, value=percent(1.0 if setting is None else setting))
            for name in offered:
                ui.update_selectize(name, selected=[])

        @render.ui
        def status() -> Tag:
            v = view()
            if not v.ok:
                return tags.div(
                    tags.strong(v.message),
                    tags.ul(*(tags.li(r) for r in v.reasons[:6])) if v.reasons else "",
                    class_="alert alert-warning plan-message",
                    role="alert",
                )
            assert v.result is not None
            status_it = STATUS_IT.get(v.result.status.value, v.result.status.value)
            changed = ", ".join(v.overrides) or "nessuna modifica allo scenario"
            return tags.p(
                f"Piano {status_it}, calcolato in {number(v.seconds, decimals=2)} s · {changed}"
                + (" · variazioni rispetto al piano precedente" if v.previous_kpis else ""),
                class_="plan-status",
            )

        @render.ui
        def kpis() -> Tag | TagList:
            v = view()
            if v.plan is None:
                return TagList()
            cards = kpi_cards(v.plan.kpis, v.previous_kpis)
            return tags.div(
                *(
                    tags.div(
                        tags.div(
                            c.label,
                            tags.span("stima", class_="estimate") if c.estimate else "",
                            class_="kpi-label",
                        ),
                        tags.div(
                            c.value,
                            class_="kpi-value long" if len(c.value) > 9 else "kpi-value",
                            id=f"kpi-{c.key}",
                        ),
                        tags.div(
                            c.change or "invariato",
                            title="rispetto al piano precedente",
                            class_=f"kpi-change tone-{c.tone}",
                        ),
                        class_="kpi-card",
                    )
                    for c in cards
                ),
                class_="kpi-row",
            )

        @render.ui
        @with_plan
        def area_map(v: PlanView, plan: Plan) -> Any:
            svg = map_svg(meeting.shapes, plan.areas, sorted(v.controls.excluded_areas))
            unmatched = meeting.shapes.unmatched
            return TagList(
                ui.HTML(svg),
                tags.p(f"Non disegnati ({len(unmatched)}): {', '.join(unmatched)}", class_="note")
                if unmatched
                else "",
            )

        @render.ui
        @with_plan
        def coverage(v: PlanView, plan: Plan) -> Any:
            rows = coverage_rows(plan, sorted(v.controls.excluded_areas))
            body = [
                tags.tr(
                    tags.td(r["name"] + (" (escluso)" if r["excluded"] else "")),
                    tags.td(r["municipio"]),
                    tags.td(r["need_text"], class_="num"),
                    tags.td(r["served_text"], class_="num"),
                    tags.td(
                        tags.div(
                            tags.div(style=f"width:{100 * min(r['coverage'], 1.0):.1f}%"),
                            class_="bar",
                        ),
                        tags.span(r["coverage_text"]),
                        class_="bar-cell",
                    ),
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

        @render.ui
        @with_plan
        def funders(v: PlanView, plan: Plan) -> Any:
            kpis = plan.kpis
            rows = funder_rows(plan)
            totals = " · ".join(
                f"{kpi_label(k)}: {kpi_value(k, kpis[k])}"
                for k in ("budget_total", "funded", "budget_used_share", "cofunding")
                if k in kpis
            )
            return _noted_table(totals, rows, FUNDER_COLUMNS, "funders-table")

        @render.ui
        @with_plan
        def strengthen(v: PlanView, plan: Plan) -> Any:
            rows = strengthen_rows(meeting.strengthen(v))
            if rows.empty:
                return tags.p(
                    "Nessun quartiere è frenato da partner o personale: dove il bisogno resta "
                    "scoperto mancano fondi."
                )
            return _noted_table(
                "Dove servono partner o personale, non soldi: bisogno che si potrebbe ancora "
                "servire e cosa lo impedisce.",
                rows,
                STRENGTHEN_COLUMNS,
                "strengthen-table",
            )

        @render.ui
        @with_plan
        def comparison(v: PlanView, plan: Plan) -> Any:
            today = meeting.today()
            table = comparison_rows(plan, meeting.rules(v), today)
            movers = movers_against_today(plan, today, meeting.partner_names)
            return TagList(
                tags.p(
                    "Le regole empiriche dispongono degli stessi fondi di questo piano (senza "
                    "esclusioni e protezioni); «oggi» è l'allocazione attuale (baseline.csv). "
                    "Ogni riga dice quanto spende davvero.",
                    class_="note",
                ),
                _table(table, {c: c for c in table.columns}, "comparison-table"),
                tags.h4("Rispetto a oggi: chi guadagna e chi perde"),
                _table(movers, {c: c for c in movers.columns}, "movers-table")
                if not movers.empty
                else tags.p("Nessuna allocazione attuale nello scenario."),
            )

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
                tags.h4(f"Ultimi piani nell'archivio ({where})"),
                _table(frame, {c: c for c in frame.columns}, "archive-table"),
            )

        @render.download(filename="results.xlsx")
        def download_xlsx() -> Any:
            yield meeting.results_xlsx(view())

        @render.download(filename="report.html")
        def download_report() -> Any:
            yield meeting.report_html(view())

    app = App(page_ui(scenario, start, probe.shapes.mode), server)
    app.sanitize_errors = True  # an error no check foresaw: a sentence, never Python's text
    app.sanitize_error_msg = PANEL_ERROR
    return app


def scenario_header(scenario: Scenario) -> str:
    """One line about the scenario (for the terminal when the page starts)."""
    return f"{scenario.name}: " + ", ".join(scenario_facts(scenario))
