"""The short summary ``allocator run`` prints: key KPIs, the least covered areas, funders' use."""

from __future__ import annotations

import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from allocator.optimization.pipeline import RunResult
from allocator.postprocess.kpis import kpi_label
from allocator.render.explanations import Explanation
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


def explanation_view(explanation: Explanation, long: bool = False, rows: int = 10) -> Group:
    """The explanation as printed by ``allocator run``: a few lines, or (long) tables too."""
    it = explanation.lang == "it"
    title = "Perché questo piano" if it else "Why this plan"
    lines = explanation.sentences if long else explanation.short()
    parts: list[Table | Text] = [Text(title, style="bold")]
    parts += [Text(f"  - {line}") for line in lines]
    if not long or explanation.conflicts:
        return Group(*parts)
    mv = explanation.marginal_values
    if len(mv):
        parts.append(
            _table(
                "Valori marginali" if it else "Marginal values",
                [
                    ("resource", "l"),
                    ("change", "r"),
                    ("dual estimate", "r"),
                    ("weighted gain", "r"),
                    ("beneficiaries", "r"),
                    ("where", "l"),
                ],
                [
                    [
                        f"{r.resource_kind} {r.resource_id}",
                        f"{r.change:,.0f} {r.unit}",
                        f"{r.dual_weighted_per_change:,.1f}",
                        "" if not r.confirmed else f"{r.weighted_gain:,.1f}",
                        "" if not r.confirmed else f"{r.beneficiaries_gain:,.0f}",
                        str(r.where),
                    ]
                    for r in mv.head(rows).itertuples(index=False)
                ],
            )
        )
    for name, frame in (
        ("Limiti" if it else "Limits", explanation.limits),
        ("Dove rafforzare" if it else "Where to strengthen", explanation.strengthen),
    ):
        if not len(frame):
            continue
        top = frame[frame["limit"] != "need_met"].sort_values(
            "reachable_unmet", ascending=False, kind="stable"
        )
        parts.append(
            _table(
                name,
                [("area", "l"), ("intervention", "l"), ("unmet", "r"), ("limit", "l")],
                [
                    [r.area_name, r.intervention_name, f"{r.reachable_unmet:,.0f}", r.limit_label]
                    for r in top.head(rows).itertuples(index=False)
                ],
            )
        )
    idle = explanation.idle_capacity
    if len(idle):
        parts.append(
            _table(
                "Capacità inutilizzata" if it else "Idle capacity",
                [("partner", "l"), ("area", "l"), ("intervention", "l"), ("places", "r")],
                [
                    [r.partner_name, r.area_id, r.intervention_id, f"{r.usable_places:,.0f}"]
                    for r in idle.head(rows).itertuples(index=False)
                ],
            )
        )
    return Group(*parts)


def batch_view(kpis: pd.DataFrame) -> Table:
    """The combined KPIs of a batch, one row per scenario."""

    def pct(value: object) -> str:
        return "" if pd.isna(value) else f"{100 * float(value):.1f}%"  # type: ignore[arg-type]

    def whole(value: object) -> str:
        return "" if pd.isna(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]

    table = _table(
        "Batch (obj. = objective, cover = coverage, min = lowest area coverage, short = shortfall,"
        " budget = share used)",
        [
            ("scenario", "l"),
            ("status", "l"),
            ("obj.", "r"),
            ("cover", "r"),
            ("min", "r"),
            ("served", "r"),
            ("short", "r"),
            ("budget", "r"),
        ],
        [
            [
                str(r.scenario),
                str(r.status),
                "" if pd.isna(r.objective) else f"{r.objective:.4f}",
                pct(r.coverage),
                pct(r.min_area_coverage),
                whole(r.beneficiaries_served),
                whole(r.shortfall_total),
                pct(r.budget_used_share),
            ]
            for r in kpis.itertuples(index=False)
        ],
    )
    table.columns[0].min_width = 24
    return table


def frame_view(title: str, frame: pd.DataFrame, columns: list[str]) -> Table:
    """Some columns of a frame as a compact table: shares as %, counts with separators."""

    def cell(column: str, value: object) -> str:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        if pd.isna(value):
            return ""
        if "coverage" in column or "share" in column or column == "objective":
            return f"{100 * value:.1f}%" if column != "objective" else f"{value:.4f}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.4g}"

    shown = [c for c in columns if c in frame.columns]
    return _table(
        title,
        [(c, "l" if frame[c].dtype == object else "r") for c in shown],
        [[cell(c, row[c]) for c in shown] for _, row in frame.iterrows()],
    )
