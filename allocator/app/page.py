"""The meeting page (Shiny for Python): controls on the left, the plan on the right.

A thin layer: each output lays out what :mod:`allocator.app.panels`, :mod:`allocator.app.mapview`
and :class:`~allocator.app.session.MeetingSession` computed. Shiny recomputes only the outputs
whose inputs changed, and only those visible (the comparison with the rules of thumb, the slowest
panel, is computed when its tab is open). Italian throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from htmltools import Tag, TagList, tags
from shiny import App, Inputs, Outputs, Session, reactive, render, ui

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
from allocator.app.session import MeetingSession, PlanView
from allocator.app.state import EQUITY_MEASURES, LOSS_LIMITS, Controls, has_policy
from allocator.errors import AllocatorError
from allocator.inputs.schema import Scenario
from allocator.outputs.archive import Archive
from allocator.postprocess.kpis import kpi_label
from allocator.postprocess.labels import status_word
from allocator.postprocess.results import Plan
from allocator.render.formats import kpi_value, number

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"
ESTIMATE_NOTE = (
    "Bisogni, costi e partner di questo scenario sono stime o dati sintetici, non statistiche "
    "ufficiali: ogni cifra marcata «stima» va letta come tale."
)
CSS = Path(__file__).with_name("page.css")
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
SLIDERS = {
    "budget_scale": ("Scala del budget (tutti i finanziatori)", 0.5, 1.5),
    "equity_weight": ("Peso dell'equità (0 = massima copertura totale)", 0.0, 1.0),
    "min_coverage": ("Soglia minima di copertura per quartiere e intervento", 0.0, 0.6),
}
"""The sliders set from the scenario's start (name → label, lowest, highest; steps of 0.05)."""


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


def _slider(name: str, start: Controls) -> Tag:
    """The slider ``name`` of :data:`SLIDERS`, at its value in ``start``."""
    label, lowest, highest = SLIDERS[name]
    return ui.input_slider(
        name, label, min=lowest, max=highest, value=getattr(start, name), step=0.05
    )


def _controls_ui(scenario: Scenario, start: Controls) -> list[Any]:
    funders = sorted(scenario.funders, key=lambda f: f.funder_id)
    items: list[Any] = [
        _slider("budget_scale", start),
        ui.accordion(
            ui.accordion_panel(
                "Importo di ogni finanziatore (€)",
                *(
                    ui.input_numeric(
                        f"funder_{i}",
                        f.name,
                        value=start.funder_amounts[f.funder_id],
                        min=0,
                        step=10_000,
                    )
                    for i, f in enumerate(funders)
                ),
            ),
            open=False,
            id="funders_panel",
        ),
        _slider("equity_weight", start),
    ]
    if has_policy("equity_measure"):
        items.append(
            ui.input_radio_buttons(
                "equity_measure",
                "Misura dell'equità",
                EQUITY_MEASURES,
                selected=start.equity_measure or "worst_share",
            )
        )
    items.append(_slider("min_coverage", start))
    items += _lock_controls(scenario)
    for name, label in (
        ("max_area_loss", "Perdita massima di un quartiere rispetto a oggi"),
        ("max_partner_loss", "Perdita massima di un ente rispetto a oggi"),
    ):
        if has_policy(name) and scenario.baseline:
            items.append(
                ui.input_slider(name, f"{label} (1 = nessun limite)", 0.0, 1.0, 1.0, step=0.05)
            )
    items.append(ui.input_action_button("reset", "Torna allo scenario di partenza"))
    return items


LOCK_CONTROLS = (
    ("excluded_areas", "Escludi quartieri (nessun intervento finanziato)"),
    ("protected_areas", "Proteggi quartieri (almeno i beneficiari di oggi)"),
    ("excluded_partners", "Escludi enti (nessuna assegnazione)"),
    ("protected_partners", "Garantisci agli enti almeno quanto oggi"),
)
"""The lock controls (rows added to the scenario's locks) and their labels."""


def lock_choices(scenario: Scenario) -> dict[str, dict[str, str]]:
    """What each lock control offers (id → name): "protected" lists only the areas and partners
    served today (baseline.csv), the partners only those admitted by the notice. A control with
    nothing to offer is not shown."""
    eligibility = scenario.eligibility()
    areas = sorted(scenario.areas, key=lambda a: a.name)
    partners = sorted(
        (p for p in scenario.partners if eligibility[p.partner_id] is None), key=lambda p: p.name
    )
    today = {r.area_id for r in scenario.baseline} | {r.partner_id for r in scenario.baseline}
    choices = {
        "excluded_areas": {a.area_id: a.name for a in areas},
        "protected_areas": {a.area_id: a.name for a in areas if a.area_id in today},
        "excluded_partners": {p.partner_id: p.name for p in partners},
        "protected_partners": {p.partner_id: p.name for p in partners if p.partner_id in today},
    }
    return {name: offered for name, offered in choices.items() if offered}


def _lock_controls(scenario: Scenario) -> list[Any]:
    choices = lock_choices(scenario)
    selectors = {
        name: ui.input_selectize(name, label, choices[name], multiple=True, width="100%")
        for name, label in LOCK_CONTROLS
        if name in choices
    }
    area_part = [selectors[n] for n in ("excluded_areas", "protected_areas") if n in selectors]
    partner_part = [
        selectors[n] for n in ("excluded_partners", "protected_partners") if n in selectors
    ]
    if partner_part:
        area_part.append(
            ui.accordion(
                ui.accordion_panel("Enti (partner)", *partner_part), open=False, id="partners"
            )
        )
    return area_part


def page_ui(scenario: Scenario, start: Controls, shapes_mode: str) -> Tag:
    map_note = (
        "Confini dei NIL (Comune di Milano)"
        if shapes_mode == "polygons"
        else "Quartieri come punti (centroidi), grandi quanto il bisogno stimato"
    )
    return ui.page_sidebar(
        ui.sidebar(*_controls_ui(scenario, start), width=330, id="controls"),
        ui.tags.head(ui.include_css(CSS)),
        ui.busy_indicators.use(spinners=True, pulse=True),
        tags.div(
            tags.span("Calcolo in corso…", class_="busy-text"),
            ui.output_ui("status"),
            class_="status-row",
        ),
        ui.output_ui("kpis"),
        ui.navset_card_tab(
            ui.nav_panel("Mappa", ui.output_ui("area_map"), tags.p(map_note, class_="note")),
            ui.nav_panel("Quartieri", ui.output_ui("coverage")),
            ui.nav_panel("Finanziatori", ui.output_ui("funders")),
            ui.nav_panel("Dove rafforzare", ui.output_ui("strengthen")),
            ui.nav_panel("Oggi e regole", ui.output_ui("comparison")),
            ui.nav_panel(
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
            ),
            id="panels",
        ),
        tags.footer(tags.p(ESTIMATE_NOTE), tags.p(CREDIT), class_="page-footer"),
        title=f"Riunione di co-programmazione – {scenario.name}",
        fillable=False,
    )


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

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        meeting = MeetingSession(scenario, boundaries, history)
        saved_count = reactive.value(0)

        def amount(i: int) -> float:
            value = input[f"funder_{i}"]()
            return math.nan if value is None else float(value)

        offered = lock_choices(scenario)

        def chosen(name: str) -> frozenset[str]:
            return frozenset(input[name]() or ()) if name in offered else frozenset()

        @reactive.calc
        def controls() -> Controls:
            def loss(name: str) -> float | None:
                if not (has_policy(name) and scenario.baseline):
                    return None
                value = float(input[name]())
                return None if value >= 1.0 else value

            return Controls(
                budget_scale=float(input.budget_scale()),
                funder_amounts={f.funder_id: amount(i) for i, f in enumerate(funder_list)},
                equity_weight=float(input.equity_weight()),
                equity_measure=input.equity_measure() if has_policy("equity_measure") else None,
                min_coverage=float(input.min_coverage()),
                **{name: chosen(name) for name, _ in LOCK_CONTROLS},
                max_area_loss=loss("max_area_loss"),
                max_partner_loss=loss("max_partner_loss"),
            )

        @reactive.calc
        def view() -> PlanView:
            return meeting.solve(controls())

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
            for name in SLIDERS:
                ui.update_slider(name, value=getattr(start, name))
            for name in offered:
                ui.update_selectize(name, selected=[])
            for name in LOSS_LIMITS:
                if has_policy(name) and scenario.baseline:
                    ui.update_slider(name, value=1.0)
            for i, f in enumerate(funder_list):
                ui.update_numeric(f"funder_{i}", value=start.funder_amounts[f.funder_id])

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
            status_it = status_word(v.result.status.value)
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
                run_id = meeting.save(view(), input.plan_label(), input.plan_note())
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

    return App(page_ui(scenario, start, probe.shapes.mode), server)


def scenario_header(scenario: Scenario) -> str:
    """One line about the scenario (for the terminal when the page starts)."""
    return f"{scenario.name}: " + ", ".join(scenario_facts(scenario))
