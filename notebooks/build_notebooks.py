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
from IPython.display import display

import allocator
from allocator import load_scenario, planner_table

# I confini dei NIL (dataset ds964 del Comune) se sono stati scaricati accanto al progetto;
# altrimenti la mappa mostra i centri dei quartieri.
CONFINI = Path.cwd().resolve().parents[1] / "shared" / "data" / "milano" / "milano_nil_boundaries.geojson"
CONFINI = CONFINI if CONFINI.is_file() else None
pd.set_option("display.max_columns", 20)"""
"""Every table the notebooks show is made by ``planner_table``, ``kpi_table`` or ``kpi_columns``:
Italian headers, names in place of ids, numbers as planners read them."""

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
planner_table(
    quartieri.sort_values("need", ascending=False).head(10),
    ["name", "municipio", "population", "minors", "need", "places", "partners"],
    table="areas",
    labels={"need": "bisogno stimato", "places": "posti offerti", "partners": "enti"},
    formats={"places": "count", "partners": "count"},
)"""),
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
print("Quartieri non disegnati:", ", ".join(map(str, mappa.unmatched)) or "nessuno")
mappa.figure"""),
        ("md", "## I finanziatori e quanto mettono a disposizione ogni anno"),
        ("code", """\
finanziatori = pd.DataFrame(
    [(f.funder_id, f.kind.value, scenario.funder_amount(f)) for f in scenario.funders],
    columns=["funder_id", "kind", "amount"],
)
planner_table(finanziatori, ["funder_id", "kind", "amount"], scenario, labels={"amount": "euro all'anno"})"""),
    ],
    "02_piano_e_lettura.ipynb": [
        ("md", """\
# 2. Calcolare un piano e leggerlo

Il piano distribuisce fondi e personale tra i quartieri per servire più bisogno possibile, con
attenzione al quartiere meno coperto. Qui: i dati chiave, la copertura per quartiere, chi fa cosa,
come i finanziatori usano i fondi, che cosa farebbero le regole empiriche con gli stessi soldi e
**perché** il piano è fatto così.

> **Stima.** Bisogni e partner sono stime o dati sintetici (`scenarios/milano/DATA.md`)."""),
        ("code", SETUP),
        ("md", """\
## Il piano e i suoi dati chiave

`allocator.plan` calcola tutto ciò che il piano comprende (lo stesso di `allocator run`): il
piano, i dati chiave, il perché, le regole empiriche, la situazione di oggi."""),
        ("code", """\
from allocator import coverage_by_area, funders_spending, kpi_table, served_versus_need

scenario = load_scenario(None)
piano = allocator.plan(scenario, allocator.RoomNote(label="base", note="lo scenario di Milano"))
kpi_table(piano.plan.kpis, piano)"""),
        ("md", "## Copertura del bisogno per quartiere"),
        ("code", "coverage_by_area(piano.plan.areas)"),
        ("md", "## Beneficiari serviti e bisogno, per intervento"),
        ("code", """\
nomi = {i.intervention_id: i.name for i in scenario.interventions}
served_versus_need(piano.plan.area_interventions, nomi)"""),
        ("md", "## Chi fa cosa: i partner con più beneficiari"),
        ("code", """\
chi = piano.plan.allocation.groupby("partner_id", as_index=False)[["beneficiaries", "funded_cost"]].sum()
planner_table(chi.nlargest(10, "beneficiaries"), ["partner_id", "beneficiaries", "funded_cost"], piano)"""),
        ("md", "## I finanziatori: quanto mettono a disposizione e quanto il piano spende"),
        ("code", "funders_spending(piano.plan.funders)"),
        ("code", """\
planner_table(piano.plan.funders, ["name", "kind", "amount", "spent", "share_used"], table="funders")"""),
        ("md", """\
## Le regole empiriche con la stessa spesa

Come si divide oggi il denaro (quota pro capite, proporzionale al bisogno, situazione attuale),
applicato agli stessi dati: che cosa aggiunge l'ottimizzazione con la stessa spesa."""),
        ("code", """\
for riga in allocator.rule_lines(piano):
    print("•", riga)"""),
        ("md", """\
## Perché il piano è così

Cosa limita il piano in ogni quartiere, dove servono nuovi partner o personale e dove restano
posti inutilizzati per mancanza di fondi."""),
        ("code", """\
for frase in piano.why.sentences:
    print("•", frase)"""),
        ("code", """\
planner_table(
    piano.why.strengthen.head(8),
    ["area_name", "intervention_name", "limit_label", "reachable_unmet"],
    labels={"limit_label": "che cosa manca"},
)"""),
    ],
    "03_scenari_a_confronto.ipynb": [
        ("md", """\
# 3. Scenari a confronto

Tre scenari: la **base**, un **bilancio ridotto del 10%** e uno **"prima l'equità"**, che dà più
peso al quartiere meno coperto. Poi la curva **efficienza–equità** e quanto rende il bilancio.

> **Stima.** Bisogni e partner sono stime o dati sintetici (`scenarios/milano/DATA.md`)."""),
        ("code", SETUP),
        ("code", """\
from allocator import compare_many, from_result, kpi_columns

scenari = {
    "base": [],
    "bilancio -10%": ["budget.scale=0.9"],
    "prima l'equità": ["policy.equity_weight=0.8"],
}
piani = {
    nome: allocator.plan(
        load_scenario(None, modifiche), allocator.RoomNote(label=nome, overrides=tuple(modifiche))
    )
    for nome, modifiche in scenari.items()
}
confronto, _ = compare_many([from_result(p.result, name=nome) for nome, p in piani.items()])
kpi_columns(
    confronto.kpis,
    {nome: nome for nome in piani},
    piani["base"],
    changes={f"Δ {nome}": f"Δ {nome}" for nome in list(piani)[1:]},
)"""),
        ("md", """\
Le colonne Δ sono le differenze rispetto alla base. Le **regole empiriche** con cui oggi si divide
il denaro (quota pro capite, proporzionale al bisogno, situazione attuale), applicate agli stessi
dati e con la stessa spesa, mostrano che cosa aggiunge l'ottimizzazione:"""),
        ("code", """\
for riga in allocator.rule_lines(piani["base"]):
    print("•", riga)"""),
        ("md", "## Chi guadagna e chi perde rispetto alla base"),
        ("code", """\
movimenti = confronto.winners_losers
etichette = {
    "scenario": "piano",
    "name": "quartiere",
    "delta_beneficiaries": "beneficiari in più o in meno",
    "delta_euros": "fondi in più o in meno",
}
colonne = ["scenario", "name", "delta_beneficiaries", "delta_euros"]
formati = {"delta_beneficiaries": "count", "delta_euros": "euro"}
planner_table(movimenti[movimenti["kind"] == "area"], colonne, labels=etichette, formats=formati)"""),
        ("code", """\
planner_table(
    movimenti[movimenti["kind"] == "partner"],
    colonne,
    labels={**etichette, "name": "ente"},
    formats=formati,
)"""),
        ("md", """\
## Efficienza ed equità

Ogni punto della frontiera è il piano che raggiunge la copertura ponderata più alta con una data
copertura minima dei quartieri più scoperti (il 20% del bisogno peggio coperto): più a destra si
servono più beneficiari pesati, più in alto i quartieri più scoperti sono più coperti. I triangoli
sono le regole empiriche; la freccia porta al piano ottimizzato con la stessa spesa e un'equità
pari o migliore."""),
        ("code", """\
from allocator import budget_outcome, efficiency_equity_frontier, frontier, next_money, sweep

base = piani["base"]
frontiera = frontier(base.scenario, points=4)
efficiency_equity_frontier(frontiera, rules=base.rules)"""),
        ("md", "## Quanto rendono le risorse"),
        ("code", """\
curva = sweep(base.scenario, "budget.scale", [0.6, 0.8, 1.0, 1.2])
prossimi = next_money(base.scenario)
budget_outcome(curva, today=prossimi["budget_total"])"""),
        ("code", """\
# i prossimi 100.000 € dal ricalcolo del piano al budget di oggi (non dalla griglia)
print(allocator.next_money_sentence(prossimi))"""),
        ("md", """\
## Il rapporto per la riunione

Lo stesso confronto in un unico file HTML, da proiettare (anche con `allocator report`)."""),
        ("code", """\
import tempfile

from allocator import build_report, from_bundle, write_report

cartella = Path(tempfile.mkdtemp())
pagina = build_report([from_bundle(piani["base"]), from_bundle(piani["bilancio -10%"])], boundaries=CONFINI)
scritto = write_report(pagina, cartella / "rapporto.html")
print(f"Rapporto scritto: {scritto.name}, {allocator.number(len(pagina))} caratteri")"""),
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
piano = allocator.plan(load_scenario(cartella), allocator.RoomNote(label="il mio primo piano"))
display(allocator.kpi_table(piano.plan.kpis, piano))
planner_table(piano.plan.areas, ["name", "need", "served", "coverage", "cost"], table="areas")"""),
        ("code", """\
planner_table(
    piano.plan.allocation,
    ["partner_id", "area_id", "intervention_id", "beneficiaries", "funded_cost"],
    piano,
)"""),
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
base = load_scenario(None)
ottimo = allocator.plan(base, allocator.RoomNote(label="ottimo"))
oggi = ottimo.today.plan.allocation.groupby("partner_id")["beneficiaries"].sum()
nel_piano = ottimo.plan.allocation.groupby("partner_id")["beneficiaries"].sum()
chi_perde = pd.DataFrame({"baseline": oggi, "served": nel_piano.reindex(oggi.index, fill_value=0)})
chi_perde["change"] = chi_perde["served"] - chi_perde["baseline"]
chi_perde = chi_perde.sort_values("change").head(5).reset_index()
planner_table(
    chi_perde,
    ["partner_id", "baseline", "served", "change"],
    ottimo,
    labels={"baseline": "beneficiari oggi", "served": "nel piano", "change": "variazione"},
    formats={"baseline": "count", "change": "count"},
)"""),
    ("md", """\
## La trattativa: il partner che perde di più è protetto, nessuno perde più del 20%

Due scelte della stanza, come le impostazioni della pagina della riunione o `--set` di
`allocator run`: `room.protect_partners` (il partner serve almeno i beneficiari di oggi, entro le
sue capacità) e `policy.max_partner_loss = 0.2` (gradualità: nessun partner perde più del 20%
rispetto a oggi, dove capacità e bisogni lo consentono). Il prezzo è il confronto con il piano
senza vincoli e senza limiti (un calcolo in più)."""),
    ("code", """\
partner = chi_perde["partner_id"].iloc[0]
modifiche = [f'room.protect_partners=["{partner}"]', "policy.max_partner_loss=0.2"]
trattativa = allocator.plan(
    load_scenario(None, modifiche),
    allocator.RoomNote(label="trattativa", note="gradualità al 20%", overrides=tuple(modifiche)),
)
for cambio in trattativa.details()["changes"]:
    print("•", cambio)
for riga in trattativa.negotiation_lines:
    print("•", riga)"""),
    ("code", """\
allocator.kpi_columns(
    trattativa.negotiation["negotiation_price"],
    {"with_negotiation": "con la trattativa", "without_negotiation": "senza vincoli né limiti"},
    changes={"difference": "differenza"},
    key="measure",
)"""),
    ("md", "## I partner che restano sotto il minimo della gradualità"),
    ("code", """\
gradualita = trattativa.negotiation["transition"]
sotto = gradualita[(gradualita["kind"] == "partner") & (gradualita["shortfall"] > 0)]
planner_table(
    sotto.rename(columns={"id": "partner_id"}).head(10),
    ["partner_id", "baseline", "floor", "served", "change", "shortfall"],
    trattativa,
    labels={"baseline": "oggi", "floor": "minimo", "served": "nel piano", "shortfall": "sotto il minimo"},
    formats={"baseline": "count", "change": "share"},
)"""),
    ("md", """\
## Alternative quasi ottimali: che cosa è fisso e che cosa si può trattare

Tutti i piani che perdono al più il 2% dell'obiettivo ottimo: per ogni quartiere il minimo e il
massimo di beneficiari e di fondi (barre strette: da finanziare comunque; larghe: margine di
trattativa). Lo stesso da riga di comando: `allocator alternatives scenarios/milano`."""),
    ("code", """\
alternative = allocator.near_optimal(base, slack=0.02, count=3, optimum=ottimo.result)
allocator.ranges_chart(alternative.ranges, alternative.slack)"""),
    ("code", """\
margini = alternative.ranges.assign(larghezza=alternative.ranges["served_max"] - alternative.ranges["served_min"])
planner_table(
    margini.nlargest(8, "larghezza"),
    ["name", "served_min", "served_max", "served_optimum", "funded_min", "funded_max", "firm"],
    table="areas",
    labels={
        "served_min": "beneficiari almeno",
        "served_max": "beneficiari al più",
        "served_optimum": "beneficiari nel piano ottimo",
        "funded_min": "fondi almeno",
        "funded_max": "fondi al più",
        "firm": "da finanziare comunque",
    },
    formats={"served_optimum": "count", "funded_min": "euro", "funded_max": "euro"},
)"""),
    ("code", """\
planner_table(
    allocator.alternatives_frame(alternative),
    ["plan", "description", "objective", "beneficiaries_served", "distance_from_optimum"],
    labels={"plan": "piano", "description": "che cosa spinge all'estremo", "distance_from_optimum": "distanza dall'ottimo"},
    formats={"distance_from_optimum": "share"},
)"""),
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
