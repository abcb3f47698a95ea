"""Write the notebooks of this folder, without outputs: ``python notebooks/build_notebooks.py``.

The notebooks call the package's API only; their text is Italian, for co-programming meetings.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """\
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from allocator import load_scenario, number, run_scenario

# I confini dei NIL (dataset ds964 del Comune) se sono stati scaricati accanto al progetto;
# altrimenti la mappa mostra i centri dei quartieri.
CONFINI = Path.cwd().resolve().parents[1] / "shared" / "data" / "milano" / "milano_nil_boundaries.geojson"
CONFINI = CONFINI if CONFINI.is_file() else None
pd.set_option("display.max_columns", 20)
# numbers as Italians read them, never in scientific notation (−1.066 rather than −1.066071e+03)
pd.set_option("display.float_format", lambda v: number(v, "it", 0 if abs(v) >= 100 else 4))"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_milano_quadro.ipynb": [
        ("md", """\
# 1. Il quadro di Milano: bisogni e risorse per quartiere

Questo quaderno mostra, prima di ogni calcolo, **dove sono i bisogni** e **quali risorse** le reti
di quartiere offrono nei 24 NIL del programma QuBì.

> **Stima.** I bisogni sono stimati dai tassi ISTAT di povertà assoluta; i partner e le loro
> capacità sono **sintetici**. Vedere `scenarios/milano/DATA.md`.
> Fonte: Comune di Milano – Open Data (CC BY 4.0)."""),
        ("code", SETUP),
        ("code", """\
from allocator import MapKeys, area_map, scenario_areas

scenario = load_scenario(None)
quartieri = scenario_areas(scenario)
quartieri[["name", "municipio", "population", "minors", "need", "places", "partners"]].sort_values(
    "need", ascending=False
).head(10)"""),
        ("md", """\
## Il bisogno stimato per quartiere

Ogni quartiere è colorato secondo il **bisogno stimato** (persone o famiglie all'anno, somma di
tutti gli interventi)."""),
        ("code", """\
chiavi = MapKeys.from_settings(scenario.settings)
mappa = area_map(quartieri, "need", boundaries=CONFINI, keys=chiavi)
mappa.figure"""),
        ("md", """\
## Le risorse: posti offerti dai partner per ogni unità di bisogno

Sotto 1 i partner del quartiere non bastano a coprire il bisogno, anche con fondi illimitati."""),
        ("code", """\
mappa = area_map(quartieri, "places_per_need", boundaries=CONFINI, keys=chiavi)
print("Quartieri non disegnati:", mappa.unmatched or "nessuno")
mappa.figure"""),
        ("code", """\
pd.DataFrame(
    [(f.name, f.kind.value, scenario.funder_amount(f)) for f in scenario.funders],
    columns=["finanziatore", "tipo", "euro all'anno"],
)"""),
    ],
    "02_piano_e_lettura.ipynb": [
        ("md", """\
# 2. Calcolare un piano e leggerlo

Il piano distribuisce fondi e personale tra i quartieri per servire più bisogno possibile, con
attenzione al quartiere meno coperto. Qui: la copertura per quartiere, chi fa cosa, come i
finanziatori usano i fondi e **perché** il piano è fatto così.

> **Stima.** Bisogni e partner sono stime o dati sintetici (`scenarios/milano/DATA.md`)."""),
        ("code", SETUP),
        ("code", """\
from allocator import coverage_by_area, explain, funders_spending, served_versus_need

scenario = load_scenario(None)
risultato = run_scenario(scenario)
piano = risultato.plan
print("Stato:", risultato.status.value)
pd.Series(piano.kpis).drop("staff_fte")"""),
        ("md", "## Copertura del bisogno per quartiere"),
        ("code", "coverage_by_area(piano.areas)"),
        ("md", "## Beneficiari serviti e bisogno, per intervento"),
        ("code", """\
nomi = {i.intervention_id: i.name for i in scenario.interventions}
served_versus_need(piano.area_interventions, nomi)"""),
        ("md", "## Chi fa cosa: i partner con più beneficiari"),
        ("code", """\
nomi_partner = {p.partner_id: p.name for p in scenario.partners}
chi = piano.allocation.groupby("partner_id")[["beneficiaries", "funded_cost"]].sum()
chi.index = chi.index.map(nomi_partner)
chi.sort_values("beneficiaries", ascending=False).head(10)"""),
        ("md", "## I finanziatori: quanto mettono a disposizione e quanto il piano spende"),
        ("code", "funders_spending(piano.funders)"),
        ("md", """\
## Perché il piano è così

Cosa limita il piano in ogni quartiere, dove servono nuovi partner o personale e dove restano
posti inutilizzati per mancanza di fondi."""),
        ("code", """\
spiegazione = explain(risultato, lang="it", confirm=False)
for frase in spiegazione.sentences:
    print("•", frase)"""),
        ("code", """\
spiegazione.strengthen[["area_name", "intervention_name", "limit_label", "reachable_unmet"]].head(8)"""),
    ],
    "03_scenari_a_confronto.ipynb": [
        ("md", """\
# 3. Scenari a confronto

Tre scenari: la **base**, un **bilancio ridotto del 10%** e uno **"prima l'equità"**, che dà più
peso al quartiere meno coperto. Poi la curva **efficienza–equità** e quanto rende il bilancio.

> **Stima.** Bisogni e partner sono stime o dati sintetici (`scenarios/milano/DATA.md`)."""),
        ("code", SETUP),
        ("code", """\
from allocator import compare_many, from_result

scenari = {
    "base": [],
    "bilancio -10%": ["budget.scale=0.9"],
    "prima l'equità": ["policy.equity_weight=0.8"],
}
piani = [
    from_result(run_scenario(load_scenario(None, modifiche)), name=nome)
    for nome, modifiche in scenari.items()
]
confronto, descrizioni = compare_many(piani, with_rules=True)
confronto.kpis"""),
        ("md", """\
Le ultime colonne sono le **regole empiriche** con cui oggi si divide il denaro (quota pro capite,
proporzionale al bisogno, situazione attuale), applicate agli stessi dati e allo stesso bilancio:
mostrano che cosa aggiunge l'ottimizzazione."""),
        ("code", "confronto.winners_losers.head(10)"),
        ("md", """\
## Efficienza ed equità

Ogni punto della frontiera è il piano che raggiunge la copertura ponderata più alta con una data
copertura minima dei quartieri più scoperti (il 20% del bisogno peggio coperto): più a destra si
servono più beneficiari pesati, più in alto i quartieri più scoperti sono più coperti. I triangoli
sono le regole empiriche; la freccia porta al piano ottimizzato con la stessa spesa e un'equità
pari o migliore."""),
        ("code", """\
from allocator import (
    budget_outcome,
    efficiency_equity_frontier,
    frontier,
    next_money,
    rules_placed,
    sweep,
)

base = load_scenario(None)
frontiera = frontier(base, points=4)"""),
        ("code", """\
regole, confronti = rules_placed(base)
efficiency_equity_frontier(frontiera, rules=regole)"""),
        ("md", "## Quanto rendono le risorse"),
        ("code", """\
curva = sweep(base, "budget.scale", [0.6, 0.8, 1.0, 1.2])
prossimi = next_money(base)
budget_outcome(curva, today=prossimi["budget_total"])"""),
        ("code", """\
# i prossimi 100.000 € dal ricalcolo del piano al budget di oggi (non dalla griglia)
prossimi"""),
        ("md", """\
## Il rapporto per la riunione

Lo stesso confronto in un unico file HTML, da proiettare (anche con `allocator report`)."""),
        ("code", """\
import tempfile

from allocator import build_report, read_run, write_report

cartella = Path(tempfile.mkdtemp())
pagina = build_report([read_run(None), read_run(None, ["budget.scale=0.9"])], boundaries=CONFINI)
print(write_report(pagina, cartella / "rapporto.html"), f"{len(pagina):,} caratteri")"""),
    ],
    "04_dati_propri.ipynb": [
        ("md", """\
# 4. Preparare i propri dati

Dal modello vuoto a un piano: si scrivono le tabelle vuote, si compilano alcune righe, si
controllano (ogni errore è indicato con file, riga e colonna) e si calcola il piano."""),
        ("code", SETUP),
        ("code", """\
import tempfile

from allocator import InputError, write_template

cartella = Path(tempfile.mkdtemp()) / "mio_scenario"
for file in write_template(cartella):
    print(file.name)"""),
        ("md", "## Compilare le tabelle (qui con pandas; di solito con un foglio di calcolo)"),
        ("code", """\
def scrivi(nome, righe):
    pd.DataFrame(righe).to_csv(cartella / f"{nome}.csv", index=False)

scrivi("areas", [
    {"area_id": "Q1", "name": "Quartiere Nord", "population": 30000, "minors": 4500},
    {"area_id": "Q2", "name": "Quartiere Sud", "population": 25000, "minors": 4000},
])
scrivi("interventions", [
    {"intervention_id": "doposcuola", "name": "Doposcuola", "unit": "minors", "unit_cost": 460},
])
scrivi("needs", [
    {"area_id": "Q1", "intervention_id": "doposcuola", "need": 300},
    {"area_id": "Q2", "intervention_id": "doposcuola", "need": 250},
])
scrivi("partners", [
    {"partner_id": "coop1", "name": "Cooperativa Uno", "legal_form": "cooperativa_sociale", "years_experience": 10},
    {"partner_id": "aps2", "name": "APS Due", "legal_form": "aps", "years_experience": 4},
])
scrivi("capacities", [
    {"partner_id": "coop1", "area_id": "Q1", "intervention_id": "doposcuola", "capacity": 200},
    {"partner_id": "aps2", "area_id": "Q2", "intervention_id": "doposcuola", "capacity": 150},
])
scrivi("funders", [
    {"funder_id": "comune", "name": "Comune", "kind": "public", "amount": 120000},
])"""),
        ("md", "## Controllare: una riga sbagliata di proposito"),
        ("code", """\
scrivi("needs", [
    {"area_id": "Q1", "intervention_id": "doposcuola", "need": 300},
    {"area_id": "Q3", "intervention_id": "doposcuola", "need": "molti"},
])
try:
    load_scenario(cartella)
except InputError as errore:
    for problema in errore.problems:
        print("•", problema)"""),
        ("md", "## Correggere e calcolare il piano"),
        ("code", """\
scrivi("needs", [
    {"area_id": "Q1", "intervention_id": "doposcuola", "need": 300},
    {"area_id": "Q2", "intervention_id": "doposcuola", "need": 250},
])
scenario = load_scenario(cartella)
piano = run_scenario(scenario).plan
piano.areas[["name", "need", "served", "coverage", "cost"]]"""),
    ],
}


NOTEBOOKS["05_trattativa.ipynb"] = [
    ("md", """\
# 5. La trattativa: vincoli fissi, gradualità, alternative quasi ottimali

Al tavolo di co-programmazione un solo piano "da prendere o lasciare" non basta: ci sono impegni
già presi (un partner che gestisce l'unico doposcuola del quartiere), nessun ente può perdere metà
del lavoro in un anno, e serve sapere che cosa è **da finanziare comunque** e dove c'è **margine di
trattativa**.

> **Stima.** Bisogni e partner sono stime o dati sintetici (`scenarios/milano/DATA.md`).
> Fonte: Comune di Milano – Open Data (CC BY 4.0)."""),
    ("code", SETUP),
    ("md", """\
## Il piano ottimo e chi perde di più rispetto a oggi"""),
    ("code", """\
import allocator

base = load_scenario(None)
ottimo = run_scenario(base)
oggi = pd.DataFrame([r.model_dump() for r in base.baseline]).groupby("partner_id")["beneficiaries"].sum()
nel_piano = ottimo.plan.allocation.groupby("partner_id")["beneficiaries"].sum()
variazione = (nel_piano.reindex(oggi.index, fill_value=0) - oggi).sort_values()
variazione.head(5)"""),
    ("md", """\
## Un vincolo fisso: il partner che perde di più mantiene i suoi posti

Come una riga di `locks.csv`: `partner_id`, `area_id`, `intervention_id` (`*` = tutti),
`min_beneficiaries`, `max_beneficiaries`. Qui il minimo è quanto serve oggi, entro le sue capacità."""),
    ("code", """\
partner = variazione.index[0]
capacita = sum(c.capacity for c in base.capacities if c.partner_id == partner)
minimo = min(oggi[partner], capacita)
bloccato = allocator.with_locks(base, {"partner_id": partner, "min_beneficiaries": minimo})
bloccato.locks"""),
    ("md", """\
## Gradualità: nessun partner perde più del 20% rispetto a oggi

`policy.max_partner_loss = 0.2`, dove capacità e bisogni lo consentono. Il prezzo è il confronto
con il piano senza vincoli e senza limiti (un calcolo in più)."""),
    ("code", """\
trattativa = allocator.with_setting(bloccato, "policy.max_partner_loss", 0.2)
risultato = run_scenario(trattativa)
prezzo = allocator.price_of_negotiation(risultato)
print(allocator.price_sentence(prezzo))
prezzo.table()"""),
    ("code", """\
gradualita = allocator.transition_table(trattativa, risultato.plan.allocation)
print(allocator.transition_sentence(gradualita))
gradualita[gradualita["shortfall"] > 0].head(10)"""),
    ("md", """\
## Alternative quasi ottimali: che cosa è fisso e che cosa si può trattare

Tutti i piani che perdono al più il 2% dell'obiettivo ottimo: per ogni quartiere il minimo e il
massimo di beneficiari e di fondi (barre strette: da finanziare comunque; larghe: margine di
trattativa). Lo stesso da riga di comando: `allocator alternatives scenarios/milano`."""),
    ("code", """\
alternative = allocator.near_optimal(base, slack=0.02, count=3)
allocator.ranges_chart(alternative.ranges, alternative.slack)"""),
    ("code", """\
larghezza = alternative.ranges["served_max"] - alternative.ranges["served_min"]
alternative.ranges.assign(larghezza=larghezza).sort_values("larghezza", ascending=False).head(8)"""),
    ("code", """\
alternative.alternatives_table()[["plan", "description", "objective", "beneficiaries_served", "distance_from_optimum"]]"""),
]


def build(directory: Path = HERE) -> list[Path]:
    """Write every notebook, without outputs; returns their paths."""
    written = []
    for name, cells in NOTEBOOKS.items():
        notebook = new_notebook(
            cells=[
                new_markdown_cell(text) if kind == "md" else new_code_cell(text)
                for kind, text in cells
            ],
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        for number, cell in enumerate(notebook.cells):
            cell.id = f"{name[:2]}-{number:02d}"  # stable ids: regenerating changes nothing
        nbformat.validate(notebook)
        path = directory / name
        nbformat.write(notebook, path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
