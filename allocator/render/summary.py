"""The short summary ``allocator run`` prints: key KPIs, the least covered areas, funders' use."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from allocator.optimization.pipeline import RunResult
from allocator.postprocess.kpis import kpi_label
from allocator.render.formats import kpi_value, number

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "status": "status",
        "indicator": "indicator",
        "gap": "gap to the best bound",
        "feasible_note": "  (a plan within every limit; optimality not proven, e.g. time limit)",
        "key_figures": "key figures",
        "served_need": "beneficiaries served / need",
        "coverage": "coverage",
        "shortfall": "shortfall below the floor",
        "cost_gross": "gross cost",
        "cofunding": "  of which partners' cofunding",
        "public": "  of which funders (public)",
        "private": "  of which funders (private)",
        "budget_used": "budget used",
        "of": "of",
        "staff": "staff",
        "partners": "partners engaged / excluded",
        "lowest": "The {n} areas with the lowest coverage",
        "area": "area",
        "need": "need",
        "served": "served",
        "funders": "Funders",
        "funder": "funder",
        "kind": "kind",
        "amount": "amount",
        "spent": "spent",
        "used": "used",
        "public_kind": "public",
        "private_kind": "private",
    },
    "it": {
        "status": "esito",
        "indicator": "indicatore",
        "gap": "distanza dal limite teorico",
        "feasible_note": "  (piano entro tutti i limiti; ottimalità non dimostrata)",
        "key_figures": "dati chiave",
        "served_need": "beneficiari raggiunti / bisogno",
        "coverage": "copertura",
        "shortfall": "mancante rispetto alla soglia",
        "cost_gross": "costo lordo",
        "cofunding": "  di cui cofinanziamento dei partner",
        "public": "  di cui finanziatori pubblici",
        "private": "  di cui finanziatori privati",
        "budget_used": "budget utilizzato",
        "of": "su",
        "staff": "personale",
        "partners": "partner coinvolti / esclusi",
        "lowest": "I {n} quartieri con la copertura più bassa",
        "area": "quartiere",
        "need": "bisogno",
        "served": "raggiunti",
        "funders": "Finanziatori",
        "funder": "finanziatore",
        "kind": "tipo",
        "amount": "importo",
        "spent": "speso",
        "used": "usato",
        "public_kind": "pubblico",
        "private_kind": "privato",
    },
}
STATUS_IT = {"optimal": "ottimo", "feasible": "ammissibile", "infeasible": "impossibile"}


def _table(title: str, columns: list[tuple[str, str]], rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for name, justify in columns:
        table.add_column(name, justify="right" if justify == "r" else "left")
    for row in rows:
        table.add_row(*row)
    return table


def summary(result: RunResult, lowest: int = 5, lang: str = "it") -> Group:
    """A renderable summary of a run with a plan, in Italian (``it``) or English (``en``)."""
    plan = result.plan
    assert plan is not None
    t = LABELS[lang]
    k = plan.kpis

    def eur(value: float) -> str:
        return f"{number(value, lang)} €"

    def pct(value: float) -> str:
        return f"{number(100 * value, lang, 1)}%"

    optimal = k["status"] == "optimal"
    shown = STATUS_IT.get(k["status"], k["status"]) if lang == "it" else k["status"]
    status = Text(f"{t['status']}: {shown}", style="bold green" if optimal else "bold yellow")
    if k["status"] == "feasible":
        status.append(t["feasible_note"])
        gap = result.outcome.mip_gap if result.outcome is not None else None
        if gap is not None:
            status.append(f"; {t['gap']} {pct(gap)}")
    header = [status]
    description = result.scenario.settings.description
    if description:
        header.append(Text(description, style="italic"))

    rows = [
        *(
            [kpi_label(key, lang), kpi_value(key, k[key], lang)]
            for key in ("objective", "weighted_coverage", "min_area_coverage")
        ),
        [
            t["served_need"],
            f"{number(k['beneficiaries_served'], lang)} / {number(k['need_total'], lang)}",
        ],
        [t["coverage"], pct(k["coverage"])],
    ]
    if k["shortfall_total"] > 0:
        rows.append([t["shortfall"], number(k["shortfall_total"], lang)])
    rows += [
        [t["cost_gross"], eur(k["cost_gross"])],
        [t["cofunding"], eur(k["cofunding"])],
        [t["public"], eur(k["funded_public"])],
        [t["private"], eur(k["funded_private"])],
        [
            t["budget_used"],
            f"{eur(k['funded'])} {t['of']} {eur(k['budget_total'])} "
            f"({pct(k['budget_used_share'])})",
        ],
    ]
    role_names = {r.role_id: r.name for r in result.scenario.staff}
    rows += [
        [f"{t['staff']}: {role_names.get(role, role)}", f"{number(fte, lang, None)} FTE"]
        for role, fte in k["staff_fte"].items()
    ]
    rows.append([t["partners"], f"{k['partners_engaged']} / {k['partners_excluded']}"])
    kpis = _table(
        f"{plan.scenario_name}: {t['key_figures']}", [(t["indicator"], "l"), ("", "r")], rows
    )

    areas = plan.areas[plan.areas["need"] > 0].sort_values(["coverage", "area_id"]).head(lowest)
    low = _table(
        t["lowest"].format(n=len(areas)),
        [(t["area"], "l"), (t["need"], "r"), (t["served"], "r"), (t["coverage"], "r")],
        [
            [
                f"{r.name} ({r.area_id})",
                number(r.need, lang),
                number(r.served, lang),
                pct(r.coverage),
            ]
            for r in areas.itertuples(index=False)
        ],
    )
    funders = _table(
        t["funders"],
        [
            (t["funder"], "l"),
            (t["kind"], "l"),
            (t["amount"], "r"),
            (t["spent"], "r"),
            (t["used"], "r"),
        ],
        [
            [r.name, t[f"{r.kind}_kind"], eur(r.amount), eur(r.spent), pct(r.share_used)]
            for r in plan.funders.itertuples(index=False)
        ],
    )
    return Group(*header, kpis, low, funders)


def print_summary(result: RunResult, console: Console | None = None, lang: str = "it") -> None:
    (console or Console()).print(summary(result, lang=lang))
