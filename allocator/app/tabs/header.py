"""Above the tabs: "Calcolo in corso…" (with the page's own "done" signal), the status line of
the plan shown (or why there is none) and its KPI cards with their changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from htmltools import Tag, TagList, tags
from shiny import Inputs, Outputs, Session, module, render, ui

from allocator.app.latest import Progress
from allocator.app.panels import KpiCard, kpi_cards
from allocator.app.session import PlanView
from allocator.postprocess.labels import status_word
from allocator.render.formats import number
from allocator.render.settings_words import changes_in_words


@module.ui
def header_ui() -> TagList:
    return TagList(
        tags.div(ui.output_ui("working", inline=True), ui.output_ui("status"), class_="status-row"),
        ui.output_ui("kpis"),
    )


def _card(card: KpiCard) -> Tag:
    estimate = tags.span("stima", class_="estimate") if card.estimate else ""
    size = "kpi-value long" if len(card.value) > 9 else "kpi-value"
    return tags.div(
        tags.div(card.label, estimate, class_="kpi-label"),
        tags.div(card.value, class_=size, id=f"kpi-{card.key}"),
        tags.div(
            card.change or "invariato",
            title="rispetto al piano precedente",
            class_=f"kpi-change tone-{card.tone}",
        ),
        class_="kpi-card",
    )


def status_line(current: PlanView) -> Tag:
    """What the plan is and how it differs from the scenario, or why there is no plan."""
    if not current.ok or current.result is None:
        return tags.div(
            tags.strong(current.message),
            tags.ul(*(tags.li(r) for r in current.reasons[:6])) if current.reasons else "",
            class_="alert alert-warning plan-message",
            role="alert",
        )
    status = current.result.status.value
    words = changes_in_words(current.overrides, current.result.scenario, "it")
    changed = "; ".join(words) or "nessuna modifica allo scenario"
    since = " · variazioni rispetto al piano precedente" if current.previous_kpis else ""
    seconds = number(current.seconds, decimals=2)
    return tags.p(
        f"Piano {status_word(status)}, calcolato in {seconds} s · {changed}{since}",
        class_="plan-status",
    )


@module.server
def header_server(
    input: Inputs,
    output: Outputs,
    session: Session,
    view: Callable[[], PlanView],
    progress: Callable[[], Progress],
) -> None:
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

    @render.ui
    def status() -> Tag:
        return status_line(view())

    @render.ui
    def kpis() -> Any:
        current = view()
        if current.plan is None:
            return TagList()
        cards = kpi_cards(current.plan.kpis, current.previous_kpis)
        return tags.div(*(_card(c) for c in cards), class_="kpi-row")
