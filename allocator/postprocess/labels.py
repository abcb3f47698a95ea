"""The one table of planner words for the run's columns and coded values.

KPIs are named in :mod:`allocator.postprocess.kpis`; every other column a planner reads (the
workbook's headers, the terminal's tables, the report's tables) is named here, by column id, with
its format, and, for columns holding codes (``unit``, ``limit``, ``status``, ``kind``…), the
vocabulary that puts the codes into words. A column of one table that reads differently from the
same column elsewhere is keyed ``<table>.<column>`` (``areas.name`` is the area's name).

The CSV files keep their column ids and codes (DESIGN.md §4): only what is shown uses these words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allocator.i18n import chosen_lang
from allocator.postprocess.kpis import BY_KEY, KpiFormat, kpi_label


@dataclass(frozen=True)
class Column:
    """One column as shown: its header in each language, its format and vocabulary."""

    key: str
    it: str
    en: str
    format: KpiFormat = "text"
    values: str = ""
    """The vocabulary (:data:`VOCABULARIES`) of its codes; "" when it holds no codes."""

    def label(self, lang: str | None = None) -> str:
        """In ``lang``, else the language in force."""
        return self.it if chosen_lang(lang) == "it" else self.en


def _c(key: str, it: str, en: str, kind: KpiFormat = "text", values: str = "") -> Column:
    return Column(key, it, en, kind, values)


COLUMNS: tuple[Column, ...] = (
    # ids and names
    _c("partner_id", "id ente", "partner id"),
    _c("partner_name", "ente", "partner"),
    _c("area_id", "id quartiere", "area id"),
    _c("area_name", "quartiere", "area"),
    _c("intervention_id", "id intervento", "intervention id"),
    _c("intervention_name", "intervento", "intervention"),
    _c("funder_id", "id finanziatore", "funder id"),
    _c("funder_name", "finanziatore", "funder"),
    _c("role_id", "id ruolo", "role id"),
    _c("role_name", "ruolo", "role"),
    _c("areas.name", "quartiere", "area"),
    _c("funders.name", "finanziatore", "funder"),
    _c("excluded_partners.name", "ente", "partner"),
    _c("partners.name", "ente", "partner"),
    _c("partner_names.name", "ente", "partner"),
    _c("item", "voce pagata", "item paid"),
    _c("item_name", "voce pagata", "item paid"),
    # the plan's tables
    _c("beneficiaries", "beneficiari", "beneficiaries", "count"),
    _c("gross_cost", "costo lordo", "gross cost", "euro"),
    _c("cofunding", "cofinanziamento dell'ente", "partner's cofunding", "euro"),
    _c("funded_cost", "a carico dei finanziatori", "paid by funders", "euro"),
    _c("need", "bisogno", "need", "count"),
    _c("areas.need", "bisogno stimato", "estimated need", "count"),
    _c("max_served", "massimo raggiungibile", "most that can be served", "count"),
    _c("floor", "soglia minima", "floor", "count"),
    _c("served", "raggiunti", "served", "count"),
    _c("coverage", "copertura", "coverage", "share"),
    _c("area_coverage", "copertura del quartiere", "area coverage", "share"),
    _c("unmet_need", "bisogno non coperto", "unmet need", "count"),
    _c("shortfall", "mancante rispetto alla soglia", "shortfall below the floor", "count"),
    _c("cost", "costo", "cost", "euro"),
    _c("municipio", "municipio", "municipio"),
    _c("population", "popolazione", "population", "count"),
    _c("minors", "minori", "minors", "count"),
    _c("staff_fte", "personale (FTE)", "staff (FTE)", "fte"),
    _c("lat", "latitudine", "latitude", "decimal"),
    _c("lon", "longitudine", "longitude", "decimal"),
    _c("reason", "motivo", "reason"),
    _c("kind", "tipo", "kind", values="funder_kind"),
    _c("kind_shown", "tipo", "kind"),
    _c("amount", "importo", "amount", "euro"),
    _c("spent", "speso", "spent", "euro"),
    _c("share_used", "quota usata", "share used", "share"),
    _c("fte", "FTE", "FTE", "fte"),
    _c("legal_form", "forma giuridica", "legal form", values="legal_form"),
    _c("where", "dove", "where"),
    _c("what", "cosa", "what"),
    # the explanation's tables
    _c("capacity", "capacità", "capacity", "count"),
    _c("used", "usata", "used", "count"),
    _c("idle_places", "posti inutilizzati", "idle places", "count"),
    _c("usable_places", "posti utilizzabili", "usable places", "count"),
    _c("net_cost_per_place", "costo netto per posto", "net cost per place", "euro"),
    _c("cost_to_use", "costo per usarli", "cost to use them", "euro"),
    _c("limit", "limite", "limit", values="limit"),
    _c("limit_label", "limite, in parole", "limit, in words"),
    _c("limit_shown", "limite", "limit"),
    _c("limits.limit_shown", "cosa limita il piano", "what limits the plan"),
    _c("pairs", "coppie quartiere-intervento", "area-intervention pairs", "count"),
    _c("unit", "unità", "unit", values="unit"),
    _c("reachable_unmet", "raggiungibili non serviti", "reachable unserved", "count"),
    _c("weighted_unmet", "non coperto ponderato", "weighted unmet", "decimal"),
    _c("money_available", "fondi disponibili", "money available", values="yes_no"),
    _c("money_shown", "fondi disponibili", "money available"),
    _c("detail", "dettaglio", "detail"),
    _c("resource_kind", "tipo di risorsa", "resource kind", values="resource"),
    _c("resource_id", "id risorsa", "resource id"),
    _c("resource_name", "risorsa", "resource"),
    _c("change", "variazione", "change", "decimal"),
    _c("binding", "vincolante", "binding", values="yes_no"),
    _c("dual_objective_per_unit", "valore duale per unità", "dual value per unit", "decimal"),
    _c("dual_weighted_per_change", "stima duale", "dual estimate", "decimal"),
    _c("confirmed", "confermato", "confirmed", values="yes_no"),
    _c("objective_gain", "guadagno di obiettivo", "objective gain", "decimal"),
    _c("weighted_gain", "guadagno ponderato", "weighted gain", "decimal"),
    _c("beneficiaries_gain", "beneficiari in più", "beneficiaries gained", "count"),
    _c("marginal_values.unit", "unità", "unit", values="resource_unit"),
    _c("changed_at", "variazione provata", "change tried", "decimal"),
    _c("confirmed_by", "confermato da", "confirmed by"),
    _c("sentence", "in parole", "in words"),
    # studies: rules of thumb, comparisons, negotiation, robust plans, batches
    _c("kpi", "indicatore", "key figure", values="kpi"),
    _c("measure", "indicatore", "key figure", values="kpi"),
    _c("value", "valore", "value"),
    _c("setting", "voce", "item"),
    _c("scenario", "scenario", "scenario"),
    _c("rules.scenario", "regola", "rule"),
    _c("unspent_reason", "perché restano fondi", "why money is left", values="unspent"),
    _c("status", "esito", "status", values="status"),
    _c("equity_weight", "peso dell'equità", "equity weight", "decimal"),
    _c("equity_floor", "soglia di equità", "equity floor", "share"),
    _c("dominated", "dominato", "dominated", values="yes_no"),
    _c(
        "marginal_objective_per_100k",
        "obiettivo in più per 100.000 €",
        "objective gained per 100,000 €",
        "decimal",
    ),
    _c(
        "marginal_beneficiaries_per_100k",
        "beneficiari in più per 100.000 €",
        "beneficiaries gained per 100,000 €",
        "count",
    ),
    _c("exit_code", "codice di uscita", "exit code"),
    _c("message", "messaggio", "message"),
    _c("folder", "cartella", "folder"),
    _c("with_negotiation", "con i vincoli negoziati", "with the negotiated limits", "decimal"),
    _c(
        "without_negotiation",
        "senza i vincoli negoziati",
        "without the negotiated limits",
        "decimal",
    ),
    _c("difference", "differenza", "difference", "decimal"),
    _c("transition.kind", "riguarda", "applies to", values="bound"),
    _c("transition.id", "ente / quartiere", "partner / area"),
    _c("id", "id", "id"),
    _c("baseline", "oggi", "today", "count"),
    _c("floor_wanted", "minimo chiesto", "floor asked", "count"),
    _c("clipped", "minimo ridotto", "floor reduced", values="yes_no"),
    _c("transition.limit", "perdita massima", "largest loss", "share"),
    _c("transition.floor", "minimo", "floor", "count"),
    _c("transition.served", "nel piano", "in the plan", "count"),
    _c("transition.change", "variazione", "change", "count"),
    _c("transition.shortfall", "sotto il minimo", "below the floor", "count"),
    _c("plan", "piano", "plan", values="plan"),
    _c("sample", "campione", "sample", "count"),
    _c("expected_objective", "obiettivo atteso", "expected objective", "decimal"),
    _c(
        "worst_share_objective",
        "obiettivo nei casi peggiori",
        "objective in the worst cases",
        "decimal",
    ),
    _c("objective_p10", "obiettivo P10", "objective P10", "decimal"),
    _c("objective_p50", "obiettivo P50", "objective P50", "decimal"),
    _c("beneficiaries_mean", "beneficiari in media", "beneficiaries on average", "count"),
    _c(
        "objective_as_given",
        "obiettivo con i bisogni dati",
        "objective with the given needs",
        "decimal",
    ),
    # the report's own tables
    _c("today_beneficiaries", "beneficiari oggi", "beneficiaries today", "count"),
    _c("delta_beneficiaries_shown", "variazione", "change"),
    _c("delta_funded_shown", "variazione fondi", "change in funding"),
    _c("partners.funded_cost", "fondi ricevuti", "funding received", "euro"),
    _c("partners.cofunding", "cofinanziamento", "cofunding", "euro"),
    _c("funders.amount", "disponibile", "available", "euro"),
    _c("ranges.name", "margine di trattativa più ampio", "widest room to negotiate"),
    _c("ranges.served", "beneficiari (min–max)", "beneficiaries (min–max)"),
    _c("ranges.optimum", "ottimo", "optimum", "count"),
    _c("ranges.funded", "fondi (min–max)", "money (min–max)"),
    # the settings a run changes (``--set`` keys, the page's controls among them)
    _c(
        "budget.scale",
        "scala degli importi dei finanziatori",
        "scale of the funders' amounts",
        "share",
    ),
    _c("policy.equity_weight", "peso dell'equità", "weight of equity", "share"),
    _c("policy.equity_measure", "misura dell'equità", "equity measure", values="equity_measure"),
    _c(
        "policy.equity_share",
        "quota dei quartieri più scoperti",
        "share of the worst-covered areas",
        "share",
    ),
    _c("policy.equity_floor", "soglia di equità", "equity floor", "share"),
    _c(
        "policy.min_coverage",
        "copertura minima di ogni quartiere e intervento",
        "minimum coverage of every area and intervention",
        "share",
    ),
    _c(
        "policy.max_area_loss",
        "perdita massima di un quartiere rispetto a oggi",
        "largest loss of an area against today",
        "share",
    ),
    _c(
        "policy.max_partner_loss",
        "perdita massima di un ente rispetto a oggi",
        "largest loss of a partner against today",
        "share",
    ),
    _c(
        "policy.min_partner_experience_years",
        "anni minimi di esperienza degli enti",
        "partners' least years of experience",
        "count",
    ),
    _c("solver.name", "risolutore", "solver"),
    _c("solver.time_limit", "tempo massimo di calcolo (s)", "time limit (s)", "decimal"),
    _c("solver.mip_gap", "tolleranza di ottimalità", "optimality tolerance", "decimal"),
    _c("solver.threads", "processi del risolutore", "solver threads", "count"),
    _c("room.exclude_areas", "quartieri esclusi", "areas excluded", values="area_id"),
    _c(
        "room.protect_areas",
        "quartieri protetti (almeno quanto oggi)",
        "areas protected (at least today's)",
        values="area_id",
    ),
    _c("room.exclude_partners", "enti esclusi", "partners excluded", values="partner_id"),
    _c(
        "room.protect_partners",
        "enti garantiti (almeno quanto oggi)",
        "partners guaranteed (at least today's)",
        values="partner_id",
    ),
)
"""Every column shown, in no particular order."""

BY_COLUMN: dict[str, Column] = {c.key: c for c in COLUMNS}

PREFIXES: dict[str, tuple[str, str, KpiFormat]] = {
    "served_": ("raggiunti", "served", "count"),
    "coverage_": ("copertura", "coverage", "share"),
    "paid_": ("pagato", "paid", "euro"),
    "funders.": ("importo di", "amount of", "euro"),
}
"""Columns named after an intervention, a role or a funder (``served_<id>``, ``paid_staff:<role>``,
``funders.<id>.amount``): their word and format; the name follows (``importo di Comune di
Milano``)."""

KPI_SUFFIXES: dict[str, tuple[str, str]] = {
    "better_": ("{}, piano ottimizzato con la stessa spesa", "{}, optimised plan, same money"),
    "_mean": ("{} in media", "{} on average"),
}
"""Columns derived from a KPI (``better_funded``, ``weighted_coverage_mean``): how they read."""

VOCABULARIES: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "optimal": ("ottimo", "optimal"),
        "feasible": ("ammissibile (non provato ottimo)", "feasible (optimality not proven)"),
        "infeasible": ("impossibile", "infeasible"),
        "error": ("errore del risolutore", "solver error"),
        "input_error": ("input non valido", "invalid input"),
        "no_plan": ("nessun piano", "no plan"),
    },
    "unit": {
        "minors": ("minori", "minors"),
        "people": ("persone", "people"),
        "households": ("famiglie", "households"),
    },
    "limit": {
        "need_met": ("bisogno coperto", "need met"),
        "max_coverage": ("copertura massima raggiungibile", "maximum coverage"),
        "no_partner": ("nessun partner", "no partner"),
        "partner_capacity": ("capacità dei partner", "partner capacity"),
        "staff": ("personale", "staff"),
        "no_funder": ("nessun finanziatore ammesso", "no funder allowed"),
        "earmark": ("vincoli di destinazione", "earmark cap"),
        "money": ("fondi esauriti", "money exhausted"),
        "no_value": ("nessun valore aggiunto", "no added value"),
    },
    "funder_kind": {"public": ("pubblico", "public"), "private": ("privato", "private")},
    "yes_no": {"True": ("sì", "yes"), "False": ("no", "no")},
    "unspent": {
        "capacity": ("i partner non hanno altri posti", "partners have no more places"),
        "limits": ("personale, vincoli o finanziatori ammessi", "staff, earmarks or funders"),
    },
    "resource": {
        "funder_amount": ("fondi di un finanziatore", "a funder's money"),
        "earmark_cap": ("vincolo di destinazione", "earmark cap"),
        "staff_available": ("personale disponibile", "staff available"),
        "partner_capacity": ("posti di un ente", "a partner's places"),
    },
    "bound": {"partner": ("ente", "partner"), "area": ("quartiere", "area")},
    "plan": {
        "robust": ("piano robusto", "robust plan"),
        "nominal": ("piano con i bisogni dati", "plan for the given needs"),
    },
    "equity_measure": {
        "worst_share": ("quartieri più scoperti", "worst-covered areas"),
        "min": ("quartiere meno coperto", "least-covered area"),
    },
    "resource_unit": {"places": ("posti", "places")},
    "legal_form": {
        "cooperativa_sociale": ("cooperativa sociale", "social cooperative"),
        "consorzio": ("consorzio", "consortium"),
        "aps": ("APS", "APS"),
        "odv": ("ODV", "ODV"),
        "impresa_sociale": ("impresa sociale", "social enterprise"),
        "ente_religioso": ("ente religioso", "religious body"),
        "fondazione": ("fondazione", "foundation"),
        "altro": ("altro", "other"),
    },
    "table": {
        "settings": ("Impostazioni", "Settings"),
        "kpis": ("Indicatori", "Key figures"),
        "allocation": ("Assegnazione", "Allocation"),
        "areas": ("Quartieri", "Areas"),
        "area_interventions": ("Quartieri e interventi", "Areas and interventions"),
        "funders": ("Finanziatori", "Funders"),
        "funding": ("Finanziamenti", "Funding"),
        "staff": ("Personale", "Staff"),
        "excluded_partners": ("Enti esclusi", "Excluded partners"),
        "limits": ("Limiti", "Limits"),
        "strengthen": ("Rafforzare", "Where to strengthen"),
        "idle_capacity": ("Posti inutilizzati", "Idle capacity"),
        "marginal_values": ("Valori marginali", "Marginal values"),
        "rules": ("Regole", "Rules of thumb"),
        "transition": ("Transizione", "Transition"),
        "negotiation_price": ("Prezzo dei vincoli negoziati", "Price of the negotiation"),
        "robust": ("Piano robusto", "Robust plan"),
        "robust_samples": ("Campioni del piano robusto", "Robust plan samples"),
        "partner_names": ("Nomi degli enti", "Partner names"),
        "names": ("Nomi", "Names"),
        "today_allocation": ("Assegnazione di oggi", "Today's allocation"),
    },
}
"""Codes as planners read them, per vocabulary: code → (Italian, English)."""


def vocabulary(name: str, lang: str | None = None) -> dict[str, str]:
    """The words of vocabulary ``name`` in ``lang`` (else the language in force): code → word."""
    index = 0 if chosen_lang(lang) == "it" else 1
    return {code: pair[index] for code, pair in VOCABULARIES.get(name, {}).items()}


def status_word(status: Any, lang: str | None = None) -> str:
    """A solver status (``optimal``…) in words."""
    return code_word("status", status, lang)


def code_word(name: str, code: Any, lang: str | None = None) -> str:
    """``code`` in words from vocabulary ``name`` (a KPI key for ``kpi``); itself if unknown."""
    if isinstance(code, bool):
        code = str(code)
    if name == "kpi":
        return kpi_label(str(code), lang)
    pair = VOCABULARIES.get(name, {}).get(str(code))
    return code if pair is None else pair[0 if chosen_lang(lang) == "it" else 1]


def find(column: str, table: str = "") -> Column | None:
    """The registry's column for ``column`` of ``table``: ``<table>.<column>`` first."""
    return BY_COLUMN.get(f"{table}.{column}") or BY_COLUMN.get(column)


def _derived(column: str, lang: str, names: Mapping[str, Mapping[str, str]]) -> str | None:
    """The label of a column named after an intervention, role, funder or KPI, if it is one."""
    it = lang == "it"
    for prefix, (italian, english, _) in PREFIXES.items():
        if column.startswith(prefix):
            item = column[len(prefix) :]
            if prefix == "funders.":
                funder = item.rsplit(".", 1)[0]
                return (
                    f"{italian if it else english} {names.get('funder_id', {}).get(funder, funder)}"
                )
            elif item.startswith("staff:"):
                role = item.split(":", 1)[1]
                shown = names.get("role_id", {}).get(role, role)
                shown = f"{'personale' if it else 'staff'} {shown}"
            else:
                shown = names.get("intervention_id", {}).get(item, item)
            return f"{italian if it else english}: {shown}"
    for part, (italian, english) in KPI_SUFFIXES.items():
        key = column.removeprefix(part) if part.endswith("_") else column.removesuffix(part)
        if key != column and key in BY_KEY:
            return (italian if it else english).format(kpi_label(key, lang))
    return None


def column_label(
    column: str,
    lang: str | None = None,
    table: str = "",
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The header of ``column`` (of ``table``) in ``lang``: the registry's, a KPI's, a derived
    column's (``served_<id>`` with the intervention's name from ``names``), else the id itself."""
    found = find(column, table)
    if found is not None:
        return found.label(lang)
    if column in BY_KEY:
        return kpi_label(column, lang)
    return _derived(column, chosen_lang(lang), names or {}) or column


def column_format(column: str, table: str = "") -> KpiFormat:
    """How ``column`` is written: the registry's format, a KPI's, a derived column's, else text."""
    found = find(column, table)
    if found is not None:
        return found.format
    if column in BY_KEY:
        return BY_KEY[column].format
    for prefix, (_, _, kind) in PREFIXES.items():
        if column.startswith(prefix):
            return kind
    for part in KPI_SUFFIXES:
        key = column.removeprefix(part) if part.endswith("_") else column.removesuffix(part)
        if key != column and key in BY_KEY:
            return BY_KEY[key].format
    return "text"


def shown_code(
    column: str,
    value: Any,
    lang: str | None = None,
    table: str = "",
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> Any:
    """A cell of ``column`` as shown: codes in words (an id by its name when the vocabulary is an
    id column of ``names``); anything else unchanged."""
    found = find(column, table)
    if found is None or not found.values or value is None:
        return value
    if isinstance(value, float) and math.isnan(value):
        return value
    known = (names or {}).get(found.values)
    if known is not None:
        ids = value if isinstance(value, list | tuple) else str(value).split(",")
        return ", ".join(known.get(str(v), str(v)) for v in ids)
    return code_word(found.values, value, lang)
