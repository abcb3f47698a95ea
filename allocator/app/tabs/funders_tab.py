"""The funders tab: each funder's amount, what the plan spends of it and the share used."""

from __future__ import annotations

from typing import Any

from shiny import module, ui

from allocator.app.panels import funder_rows
from allocator.app.session import PlanView
from allocator.app.tabs.html import noted_table
from allocator.postprocess.kpis import kpi_label
from allocator.postprocess.results import Plan
from allocator.render.formats import kpi_value

FUNDER_COLUMNS = {
    "name": "finanziatore",
    "kind": "tipo",
    "amount_text": "importo",
    "spent_text": "speso",
    "share_text": "quota usata",
}
TOTALS = ("budget_total", "funded", "budget_used_share", "cofunding")


@module.ui
def funders_ui() -> Any:
    return ui.nav_panel("Finanziatori", ui.output_ui("funders"))


def funders(current: PlanView, plan: Plan) -> Any:
    kpis = plan.kpis
    totals = " · ".join(f"{kpi_label(k)}: {kpi_value(k, kpis[k])}" for k in TOTALS if k in kpis)
    return noted_table(totals, funder_rows(plan), FUNDER_COLUMNS, "funders-table")
