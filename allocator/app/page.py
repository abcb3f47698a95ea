"""The meeting page (Shiny for Python): controls on the left, the plan on the right.

A thin layer: :func:`create_app` wires the controls (:func:`controls_calc`), the solves (one at a
time, the last setting winning: :func:`plans`) and the modules that lay out each part of the page
(:mod:`allocator.app.tabs`, one a tab). Shiny recomputes only the outputs whose inputs changed,
and only those visible (the comparison with the rules of thumb, the slowest panel, is computed
when its tab is open). Italian throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shiny import App, Inputs, Outputs, Session, reactive, req, ui

from allocator.app.amounts import amount_server
from allocator.app.latest import LatestWins, Progress
from allocator.app.layout import page_ui
from allocator.app.panels import scenario_facts
from allocator.app.reading import SLIDERS, offered_locks, page_controls, percent, shows_losses
from allocator.app.session import MeetingSession, PlanView
from allocator.app.state import LOSS_LIMITS, Controls, has_policy
from allocator.app.tabs.areas_tab import coverage
from allocator.app.tabs.compare_tab import comparison_panel
from allocator.app.tabs.funders_tab import funders
from allocator.app.tabs.header import header_server
from allocator.app.tabs.html import panel_server
from allocator.app.tabs.map_tab import area_map_panel
from allocator.app.tabs.save_tab import save_server
from allocator.app.tabs.strengthen_tab import strengthen_panel
from allocator.errors import UsageError
from allocator.inputs.schema import Scenario

PANEL_ERROR = (
    "Questa parte della pagina non si è potuta mostrare (errore inatteso): il dettaglio è nel "
    "terminale dove gira `allocator app`."
)


def controls_calc(
    input: Inputs, scenario: Scenario, start: Controls
) -> Callable[[], Controls | str]:
    """The controls as the page sets them, read and checked on the server, or why they are
    refused (in Italian); "Torna allo scenario di partenza" puts every control back."""
    funders = sorted(scenario.funders, key=lambda f: f.funder_id)
    amounts = {
        f.funder_id: amount_server(
            f"funder_{i}", f.name, start.funder_amounts[f.funder_id], input.reset
        )
        for i, f in enumerate(funders)
    }
    sliders = [n for n in SLIDERS if n not in LOSS_LIMITS or shows_losses(scenario, n)]
    offered = offered_locks(scenario)
    read = [*sliders, *offered, *(["equity_measure"] if has_policy("equity_measure") else [])]

    @reactive.effect
    @reactive.event(input.reset)
    def _reset() -> None:
        for name in sliders:
            setting = getattr(start, name)
            ui.update_slider(name, value=percent(1.0 if setting is None else setting))
        for name in offered:
            ui.update_selectize(name, selected=[])

    @reactive.calc
    def controls() -> Controls | str:
        raw = {name: input[name]() for name in read}
        in_use = {funder_id: amount() for funder_id, amount in amounts.items()}
        try:
            return page_controls(raw, start, offered, in_use)
        except UsageError as exc:
            return str(exc)

    return controls


def plans(
    meeting: MeetingSession, controls: Callable[[], Controls | str]
) -> tuple[Callable[[], PlanView], Callable[[], Progress]]:
    """The plan shown and the progress of the solves: each new setting supersedes the solve
    running (:class:`~allocator.app.latest.LatestWins`), only the last one is shown; a refused
    setting is shown at once."""
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

    return view, progress


def create_app(
    scenario: Scenario,
    boundaries: str | Path | None = None,
    history: str | Path | None = None,
) -> App:
    """The meeting page for ``scenario`` (the map uses ``boundaries`` when given; saved plans go
    to the archive ``history``)."""
    probe = MeetingSession(scenario, boundaries, history)  # fails early on a bad boundary file
    start = probe.initial()
    first = probe.compute(start)  # the scenario's own plan, ready when a visitor opens the page

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        meeting = MeetingSession(scenario, boundaries, history, first=first)
        view, progress = plans(meeting, controls_calc(input, scenario, start))
        header_server("plan", view, progress)
        panel_server("map", view, area_map_panel(meeting))
        panel_server("areas", view, coverage)
        panel_server("funders", view, funders)
        panel_server("strengthen", view, strengthen_panel(meeting))
        panel_server("compare", view, comparison_panel(meeting))
        save_server("save", view, meeting)

    app = App(page_ui(scenario, start, probe.shapes.mode), server)
    app.sanitize_errors = True  # an error no check foresaw: a sentence, never Python's text
    app.sanitize_error_msg = PANEL_ERROR
    return app


def scenario_header(scenario: Scenario) -> str:
    """One line about the scenario (for the terminal when the page starts)."""
    return f"{scenario.name}: " + ", ".join(scenario_facts(scenario))
