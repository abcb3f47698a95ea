"""The input tables described in Italian (the English descriptions live in :mod:`.tables`), and
the range of values each numeric column accepts, for messages and the template's guide."""

from __future__ import annotations

import math
from typing import get_args

from annotated_types import Ge, Gt, Le, Lt

from allocator.inputs.tables import Column, ColumnType, Table
from allocator.lang import words

TABLES_IT = {
    "areas": "I quartieri (NIL) coperti dal piano.",
    "interventions": "Gli interventi, con il costo per beneficiario e anno.",
    "needs": "I beneficiari che hanno bisogno di ogni intervento in ogni quartiere, per anno.",
    "partners": "Gli enti del Terzo settore che rispondono all'avviso pubblico.",
    "capacities": "Quanto ogni partner può offrire di ogni intervento in ogni quartiere, per anno.",
    "funders": "I finanziatori pubblici e privati, con l'importo annuo.",
    "earmarks": "Che cosa possono pagare i fondi di un finanziatore; un finanziatore senza righe "
    "può pagare tutto.",
    "staff": "I ruoli di personale assegnati ai quartieri (assistenti sociali di comunità, Welfare "
    "Community Manager, educatori).",
    "baseline": "L'assegnazione di oggi (lo stato attuale), per il confronto.",
    "locks": "Vincoli fissati al tavolo su quanto riceve un partner, un quartiere o un intervento: "
    "ogni riga limita la somma dei beneficiari delle capacità che seleziona (max 0 esclude, "
    "min = max fissa, solo min garantisce).",
}

COLUMNS_IT = {
    "area_id": "Il quartiere (NIL).",
    "intervention_id": "L'intervento.",
    "partner_id": "Il partner.",
    "funder_id": "Il finanziatore.",
    "areas.area_id": "Identificativo del quartiere.",
    "areas.name": "Nome del quartiere.",
    "areas.population": "Residenti.",
    "areas.minors": "Residenti sotto i 18 anni (al massimo la popolazione).",
    "areas.households_with_minors": "Famiglie con almeno un minore.",
    "areas.municipio": "Municipio a cui appartiene il quartiere.",
    "areas.lat": "Latitudine del centro del quartiere.",
    "areas.lon": "Longitudine del centro del quartiere.",
    "interventions.intervention_id": "Identificativo dell'intervento.",
    "interventions.name": "Nome dell'intervento.",
    "interventions.unit": "Chi è un beneficiario: persone, minori o famiglie.",
    "interventions.unit_cost": "Euro per beneficiario all'anno.",
    "interventions.value": "Quanto conta nell'obiettivo un beneficiario servito.",
    "interventions.max_coverage": "Quota del bisogno di un quartiere che l'intervento può "
    "realisticamente raggiungere.",
    "interventions.staff_role": "Ruolo di personale (role_id di staff) che l'intervento richiede; "
    "insieme a beneficiaries_per_fte.",
    "interventions.beneficiaries_per_fte": "Beneficiari che un posto a tempo pieno di staff_role "
    "può seguire, nello stesso quartiere.",
    "needs.need": "Beneficiari che ne hanno bisogno, per anno.",
    "needs.priority": "Peso di questo quartiere per questo intervento (deprivazione, priorità "
    "politica).",
    "partners.partner_id": "Identificativo del partner.",
    "partners.name": "Nome del partner.",
    "partners.legal_form": "Forma giuridica; sono ammessi solo gli enti del Terzo settore.",
    "partners.years_experience": "Anni di esperienza nel settore.",
    "capacities.capacity": "Beneficiari al massimo serviti in un anno.",
    "capacities.unit_cost": "Euro per beneficiario di questo partner, se diversi da quelli "
    "dell'intervento.",
    "capacities.cofunding_per_beneficiary": "Euro per beneficiario messi dal partner stesso "
    "(volontari, fondi propri, in natura); al massimo il costo unitario.",
    "funders.funder_id": "Identificativo del finanziatore.",
    "funders.name": "Nome del finanziatore.",
    "funders.kind": "pubblico o privato.",
    "funders.amount": "Euro all'anno.",
    "earmarks.intervention_id": "L'intervento che può pagare, staff:<role_id> per un ruolo di "
    "personale, o * per tutti.",
    "earmarks.area_id": "Il quartiere in cui può pagare, o * per tutti.",
    "earmarks.max_amount": "Euro all'anno al massimo su ciò che la riga seleziona (vuoto: senza "
    "tetto).",
    "staff.role_id": "Identificativo del ruolo.",
    "staff.name": "Nome del ruolo.",
    "staff.available_fte": "Posti a tempo pieno disponibili in tutto.",
    "staff.cost_per_fte": "Euro per posto a tempo pieno all'anno.",
    "staff.min_fte_per_area": "Posti che ogni quartiere riceve almeno.",
    "staff.fte_step": "I posti per quartiere si muovono a passi di questo (1 = posti interi, "
    "0,5 = mezzi posti).",
    "baseline.beneficiaries": "Beneficiari serviti oggi, per anno.",
    "locks.partner_id": "Il partner, o * per tutti.",
    "locks.area_id": "Il quartiere, o * per tutti.",
    "locks.intervention_id": "L'intervento, o * per tutti.",
    "locks.min_beneficiaries": "Beneficiari all'anno almeno, su ciò che la riga seleziona (vuoto: "
    "nessun minimo).",
    "locks.max_beneficiaries": "Beneficiari all'anno al massimo, su ciò che la riga seleziona "
    "(0 esclude; vuoto: nessun massimo).",
}


def table_description(table: Table) -> str:
    """The table's description in the language in force."""
    return words(TABLES_IT.get(table.name, table.description), table.description)


def column_description(table: Table, column: Column) -> str:
    """The column's description in the language in force."""
    italian = COLUMNS_IT.get(f"{table.name}.{column.name}") or COLUMNS_IT.get(column.name)
    return words(italian or column.description, column.description)


def column_range(table: Table, column: Column) -> tuple[float, float, bool]:
    """(lowest, highest, lowest excluded) of a numeric column, from its schema field."""
    low, high, strict = -math.inf, math.inf, False
    info = table.model.model_fields.get(column.name)
    if info is None:
        return low, high, strict
    metadata = list(info.metadata)
    for arg in get_args(info.annotation):  # Optional[Annotated[...]]
        metadata += list(getattr(arg, "__metadata__", ()))
        for inner in getattr(arg, "__metadata__", ()):
            metadata += list(getattr(inner, "metadata", ()))
    for item in metadata:
        for bound in getattr(item, "metadata", [item]):
            if isinstance(bound, Ge):
                low = max(low, float(bound.ge))  # type: ignore[arg-type]
            elif isinstance(bound, Gt):
                low, strict = max(low, float(bound.gt)), True  # type: ignore[arg-type]
            elif isinstance(bound, Le):
                high = min(high, float(bound.le))  # type: ignore[arg-type]
            elif isinstance(bound, Lt):
                high = min(high, float(bound.lt))  # type: ignore[arg-type]
    return low, high, strict


def fits(table: Table, column: Column) -> tuple[float, float, bool]:
    """The range a reading of a cell of ``column`` must fall in to be plausible."""
    low, high, strict = column_range(table, column)
    if column.type is ColumnType.SHARE:
        low, high = max(low, 0.0), min(high, 1.0)
    return low, high, strict


def range_text(table: Table, column: Column) -> str:
    """The accepted range in words, for the guide (blank when unbounded)."""
    low, high, strict = fits(table, column)
    if math.isinf(low) and math.isinf(high):
        return ""
    show = _plain
    if math.isinf(high):
        return (words("più di ", "more than ") if strict else words("da ", "from ")) + show(low)
    start = words("più di ", "above ") if strict else words("da ", "from ")
    return f"{start}{show(low)}{words(' a ', ' to ')}{show(high)}"


def _plain(value: float) -> str:
    if value == int(value):
        text = f"{int(value):,}"
        return text.replace(",", ".") if words("it", "en") == "it" else text
    return str(value).replace(".", ",") if words("it", "en") == "it" else str(value)
