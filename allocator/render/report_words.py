"""The report's words in Italian and English, the tables' columns and headers included (KPI labels
come from the KPI registry)."""

from __future__ import annotations

from allocator.postprocess.kpis import KpiFormat

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
        "optimal": "ottimo",
        "feasible": "ammissibile (ottimalità non dimostrata)",
        "created": "calcolato il",
        "solver": "risolutore",
        "inputs": "file di input (sha256)",
        "overrides": "modifiche",
        "public": "pubblico",
        "private": "privato",
        "yes": "sì",
        "no": "no",
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
        "optimal": "optimal",
        "feasible": "feasible (optimality not proven)",
        "created": "computed on",
        "solver": "solver",
        "inputs": "input files (sha256)",
        "overrides": "overrides",
        "public": "public",
        "private": "private",
        "yes": "yes",
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

REPORT_COLUMNS: tuple[tuple[str, str, str, str, KpiFormat], ...] = (
    ("areas", "name", "Quartiere", "Area", "text"),
    ("areas", "municipio", "Municipio", "Municipio", "text"),
    ("areas", "need", "Bisogno stimato", "Estimated need", "count"),
    ("areas", "served", "Serviti", "Served", "count"),
    ("areas", "coverage", "Copertura", "Coverage", "share"),
    ("areas", "unmet_need", "Non coperto", "Unmet", "count"),
    ("areas", "cost", "Costo", "Cost", "euro"),
    ("areas", "staff_fte", "Personale FTE", "Staff FTE", "fte"),
    ("funders", "name", "Finanziatore", "Funder", "text"),
    ("funders", "kind_shown", "Tipo", "Kind", "text"),
    ("funders", "amount", "Disponibile", "Available", "euro"),
    ("funders", "spent", "Speso", "Spent", "euro"),
    ("funders", "share_used", "Quota usata", "Share used", "share"),
    ("strengthen", "area_name", "Quartiere", "Area", "text"),
    ("strengthen", "intervention_name", "Intervento", "Intervention", "text"),
    ("strengthen", "limit_shown", "Limite", "Limit", "text"),
    ("strengthen", "reachable_unmet", "Raggiungibili non serviti", "Reachable unserved", "count"),
    ("strengthen", "money_shown", "Fondi disponibili", "Money available", "text"),
    ("limits", "limit_shown", "Cosa limita il piano", "What limits the plan", "text"),
    ("limits", "pairs", "Coppie quartiere-intervento", "Area-intervention pairs", "count"),
    ("limits", "unmet_need", "Bisogno non coperto", "Unmet need", "count"),
    ("partners", "name", "Ente", "Partner", "text"),
    ("partners", "legal_form", "Forma giuridica", "Legal form", "text"),
    ("partners", "where", "Dove", "Where", "text"),
    ("partners", "what", "Cosa", "What", "text"),
    ("partners", "beneficiaries", "Beneficiari", "Beneficiaries", "count"),
    ("partners", "funded_cost", "Fondi ricevuti", "Funding received", "euro"),
    ("partners", "cofunding", "Cofinanziamento", "Cofunding", "euro"),
    ("partners_today", "today_beneficiaries", "Beneficiari oggi", "Beneficiaries today", "count"),
    ("partners_today", "delta_beneficiaries_shown", "Variazione", "Change", "text"),
    ("partners_today", "delta_funded_shown", "Variazione fondi", "Change in funding", "text"),
    ("transition", "id", "partner / quartiere", "partner / area", "text"),
    ("transition", "baseline", "oggi", "today", "count"),
    ("transition", "floor", "minimo", "floor", "count"),
    ("transition", "served", "nel piano", "in the plan", "count"),
    ("transition", "shortfall", "sotto il minimo", "below the floor", "count"),
    ("ranges", "name", "margine di trattativa più ampio", "widest room to negotiate", "text"),
    ("ranges", "served", "beneficiari (min–max)", "beneficiaries (min–max)", "text"),
    ("ranges", "optimum", "ottimo", "optimum", "count"),
    ("ranges", "funded", "fondi (min–max)", "money (min–max)", "text"),
)
"""The columns of the report's tables: (table, frame column, Italian header, English header,
format: text, count, share, euro, fte), each table's in order. ``partners_today`` is added to
``partners`` when today's allocation is known."""

Column = tuple[str, str, str, KpiFormat]
"""A table column: (frame column, Italian header, English header, format)."""


def columns(table: str) -> tuple[Column, ...]:
    """The columns of the report's table ``table`` (first field of :data:`REPORT_COLUMNS`)."""
    return tuple((c, it, en, kind) for t, c, it, en, kind in REPORT_COLUMNS if t == table)
