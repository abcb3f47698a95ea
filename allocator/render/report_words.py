"""The report's words in Italian and English, and the columns of its tables (their headers, like
KPI labels and coded values, come from the registries in :mod:`allocator.postprocess`)."""

from __future__ import annotations

from allocator.postprocess.kpis import KpiFormat
from allocator.postprocess.labels import column_format, column_label

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "title": "Piano di allocazione",
        "subtitle": "Contrasto alla povertà minorile – documento per la co-programmazione",
        "estimate": "Stima",
        "estimate_note": "Bisogni, costi e partner di questo scenario sono stime o dati sintetici, "
        "non statistiche ufficiali del Comune o di QuBì: vedere {notes}.",
        "plan": "Questo piano",
        "plan_name": "Nome",
        "plan_note": "Nota",
        "plan_date": "Calcolato il",
        "plan_changes": "Cambiamenti rispetto alle impostazioni dello scenario «{scenario}»:",
        "plan_unchanged": "Le impostazioni dello scenario «{scenario}», senza cambiamenti.",
        "kpis": "Indicatori principali",
        "map": "Mappa della copertura",
        "charts": "Grafici",
        "areas": "Quartieri",
        "funders": "Finanziatori",
        "strengthen": "Dove rafforzare",
        "strengthen_none": "Nessun quartiere è limitato da partner o personale: dove il bisogno "
        "resta scoperto, mancano fondi.",
        "strengthen_missing": "La spiegazione non è nella cartella del risultato: eseguire "
        "`allocator run --explain` per includerla.",
        "compare": "Confronto tra scenari",
        "summary": "Documento di sintesi",
        "needs_found": "Bisogni rilevati",
        "resources": "Risorse disponibili",
        "proposal": "Aree di intervento proposte: dove il piano investe di più",
        "open": "Questioni aperte",
        "provenance": "Provenienza dei dati",
        "unmatched": "Quartieri non disegnati",
        "status": "Stato del calcolo",
        "created": "calcolato il",
        "solver": "risolutore",
        "inputs": "file di input (sha256)",
        "overrides": "modifiche",
        "kpi": "Indicatore",
        "status_quo": "Proposta e situazione attuale",
        "status_quo_note": "La situazione attuale (baseline.csv) misurata come il piano, con gli "
        "stessi indicatori.",
        "status_quo_missing": "Lo scenario non ha baseline.csv: la situazione attuale non è nota.",
        "inputs_changed": "I file di input di questo calcolo mancano o sono cambiati da allora: "
        "nomi dei ruoli e degli enti e situazione attuale non sono mostrati.",
        "proposal_column": "Proposta",
        "today_column": "Situazione attuale",
        "change_column": "Differenza",
        "partners": "Enti del Terzo settore",
        "partners_missing": "La cartella del risultato non contiene allocation.csv.",
    },
    "en": {
        "title": "Allocation plan",
        "subtitle": "Tackling child poverty – a document for co-programming",
        "estimate": "Estimate",
        "estimate_note": "Needs, costs and partners in this scenario are estimates or synthetic "
        "data, not official statistics of the Comune or QuBì: see {notes}.",
        "plan": "This plan",
        "plan_name": "Name",
        "plan_note": "Note",
        "plan_date": "Computed on",
        "plan_changes": "Changes from the settings of the scenario '{scenario}':",
        "plan_unchanged": "The settings of the scenario '{scenario}', unchanged.",
        "kpis": "Key figures",
        "map": "Coverage map",
        "charts": "Charts",
        "areas": "Areas",
        "funders": "Funders",
        "strengthen": "Where to strengthen",
        "strengthen_none": "No area is held back by partners or staff: where need stays unmet, "
        "money is missing.",
        "strengthen_missing": "The run folder holds no explanation: run `allocator run --explain` "
        "to include it.",
        "compare": "Scenarios side by side",
        "summary": "Summary document",
        "needs_found": "Needs identified",
        "resources": "Resources available",
        "proposal": "Proposed intervention areas: where the plan puts the most money",
        "open": "What remains open",
        "provenance": "Provenance",
        "unmatched": "Areas not drawn",
        "status": "Solver status",
        "created": "computed on",
        "solver": "solver",
        "inputs": "input files (sha256)",
        "overrides": "overrides",
        "no": "no",
        "kpi": "Key figure",
        "status_quo": "Proposal and status quo",
        "status_quo_note": "Today's allocation (baseline.csv) measured as the plan is, with the "
        "same key figures.",
        "status_quo_missing": "The scenario has no baseline.csv: today's allocation is not known.",
        "inputs_changed": "The input files of this run are missing or changed since: role and "
        "partner names and today's allocation are not shown.",
        "proposal_column": "Proposal",
        "today_column": "Status quo",
        "change_column": "Change",
        "partners": "Third-sector partners",
        "partners_missing": "The run folder holds no allocation.csv.",
    },
}

REPORT_TABLES: dict[str, tuple[str, ...]] = {
    "areas": ("name", "municipio", "need", "served", "coverage", "unmet_need", "cost", "staff_fte"),
    "funders": ("name", "kind_shown", "amount", "spent", "share_used"),
    "strengthen": (
        "area_name",
        "intervention_name",
        "limit_shown",
        "reachable_unmet",
        "money_shown",
    ),
    "limits": ("limit_shown", "pairs", "unmet_need"),
    "partners": (
        "name",
        "legal_form",
        "where",
        "what",
        "beneficiaries",
        "funded_cost",
        "cofunding",
    ),
    "partners_today": ("today_beneficiaries", "delta_beneficiaries_shown", "delta_funded_shown"),
    "transition": ("id", "baseline", "floor", "served", "shortfall"),
    "ranges": ("name", "served", "optimum", "funded"),
}
"""The columns of the report's tables, each table's in order; their headers and formats are the
label registry's (:mod:`allocator.postprocess.labels`, ``<table>.<column>`` first).
``partners_today`` is added to ``partners`` when today's allocation is known."""

Column = tuple[str, str, str, KpiFormat]
"""A table column: (frame column, Italian header, English header, format)."""


def _heading(text: str) -> str:
    return text[:1].upper() + text[1:]


def columns(table: str) -> tuple[Column, ...]:
    """The columns of the report's table ``table`` (a key of :data:`REPORT_TABLES`)."""
    home = "partners" if table == "partners_today" else table
    return tuple(
        (
            c,
            _heading(column_label(c, "it", home)),
            _heading(column_label(c, "en", home)),
            column_format(c, home),
        )
        for c in REPORT_TABLES[table]
    )
