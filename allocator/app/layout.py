"""The meeting page's layout: the controls on the left (sliders in whole percentages, a money
box per funder, the locks), the status line, the KPI cards and the tabs on the right. What each
part shows is filled in by the server (:mod:`allocator.app.page`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from htmltools import Tag, tags
from shiny import ui

from allocator.app.amounts import amount_ui
from allocator.app.reading import (
    LOCK_CONTROLS,
    SLIDERS,
    offered_locks,
    percent,
    shows_losses,
    slider_range,
)
from allocator.app.state import EQUITY_MEASURES, LOSS_LIMITS, Controls, has_policy
from allocator.app.tabs.areas_tab import areas_ui
from allocator.app.tabs.compare_tab import compare_ui
from allocator.app.tabs.funders_tab import funders_ui
from allocator.app.tabs.header import header_ui
from allocator.app.tabs.map_tab import map_ui
from allocator.app.tabs.save_tab import save_ui
from allocator.app.tabs.strengthen_tab import strengthen_ui
from allocator.inputs.schema import Scenario

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"
ESTIMATE_NOTE = (
    "Bisogni, costi e partner di questo scenario sono stime o dati sintetici, non statistiche "
    "ufficiali: ogni cifra marcata «stima» va letta come tale."
)
CSS = Path(__file__).with_name("page.css")


def _slider(name: str, start: float) -> Tag:
    """The slider ``name`` of :data:`~allocator.app.reading.SLIDERS` at the setting ``start``,
    drawn in whole percentages (``80%``)."""
    lowest, highest = slider_range(name, start)
    spec = SLIDERS[name]
    return ui.input_slider(
        name, spec.label, min=lowest, max=highest, value=percent(start), step=spec.step, post="%"
    )


def _loss_start(start: Controls, name: str) -> float:
    value = getattr(start, name)
    return 1.0 if value is None else float(value)


def _controls_ui(scenario: Scenario, start: Controls) -> list[Any]:
    funders = sorted(scenario.funders, key=lambda f: f.funder_id)
    items: list[Any] = [
        _slider("budget_scale", start.budget_scale),
        ui.accordion(
            ui.accordion_panel(
                "Importo di ogni finanziatore (€)",
                tags.p("Come si scrive: 800.000 o 1.250.000,50; Invio per usarlo.", class_="note"),
                *(
                    amount_ui(f"funder_{i}", f.name, start.funder_amounts[f.funder_id])
                    for i, f in enumerate(funders)
                ),
            ),
            open=False,
            id="funders_panel",
        ),
        _slider("equity_weight", start.equity_weight),
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
    items.append(_slider("min_coverage", start.min_coverage))
    items += _lock_controls(scenario)
    items += [_slider(n, _loss_start(start, n)) for n in LOSS_LIMITS if shows_losses(scenario, n)]
    items.append(ui.input_action_button("reset", "Torna allo scenario di partenza"))
    return items


def _lock_controls(scenario: Scenario) -> list[Any]:
    choices = offered_locks(scenario)
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
    """The whole page: the controls, the plan's header, one tab a module."""
    return ui.page_sidebar(
        ui.sidebar(*_controls_ui(scenario, start), width=330, id="controls", resizable=False),
        ui.tags.head(ui.include_css(CSS)),
        ui.busy_indicators.use(spinners=True, pulse=True),
        header_ui("plan"),
        ui.navset_card_tab(
            map_ui("map", shapes_mode),
            areas_ui("areas"),
            funders_ui("funders"),
            strengthen_ui("strengthen"),
            compare_ui("compare"),
            save_ui("save"),
            id="panels",
        ),
        tags.footer(tags.p(ESTIMATE_NOTE), tags.p(CREDIT), class_="page-footer"),
        title=f"Riunione di co-programmazione – {scenario.name}",
        fillable=False,
    )
