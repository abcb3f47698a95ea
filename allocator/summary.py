"""The short summary ``allocator run`` prints: key KPIs, the least covered areas, funders' use."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from allocator.explain import Explanation
from allocator.pipeline import RunResult


def _eur(value: float) -> str:
    return f"{value:,.0f} €"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _table(title: str, columns: list[tuple[str, str]], rows: list[list[str]]) -> Table:
    table = Table(title=title)
    for name, justify in columns:
        table.add_column(name, justify="right" if justify == "r" else "left")
    for row in rows:
        table.add_row(*row)
    return table


def summary(result: RunResult, lowest: int = 5) -> Group:
    """A renderable summary of a run with a plan."""
    plan = result.plan
    assert plan is not None
    k = plan.kpis
    optimal = k["status"] == "optimal"
    status = Text(f"status: {k['status']}", style="bold green" if optimal else "bold yellow")
    if k["status"] == "feasible":
        status.append("  (a plan within every limit; optimality not proven, e.g. time limit)")

    rows = [
        ["objective", f"{k['objective']:.4f}"],
        ["weighted coverage", _pct(k["weighted_coverage"])],
        ["lowest area coverage", _pct(k["min_area_coverage"])],
        [
            "beneficiaries served / need",
            f"{k['beneficiaries_served']:,.0f} / {k['need_total']:,.0f}",
        ],
        ["coverage", _pct(k["coverage"])],
    ]
    if k["shortfall_total"] > 0:
        rows.append(["shortfall below the floor", f"{k['shortfall_total']:,.0f}"])
    rows += [
        ["gross cost", _eur(k["cost_gross"])],
        ["  of which partners' cofunding", _eur(k["cofunding"])],
        ["  of which funders (public)", _eur(k["funded_public"])],
        ["  of which funders (private)", _eur(k["funded_private"])],
        [
            "budget used",
            f"{_eur(k['funded'])} of {_eur(k['budget_total'])} ({_pct(k['budget_used_share'])})",
        ],
    ]
    rows += [[f"staff {role}", f"{fte:g} FTE"] for role, fte in k["staff_fte"].items()]
    rows.append(
        ["partners engaged / excluded", f"{k['partners_engaged']} / {k['partners_excluded']}"]
    )
    kpis = _table(f"{plan.scenario_name}: key figures", [("kpi", "l"), ("value", "r")], rows)

    areas = plan.areas[plan.areas["need"] > 0].sort_values(["coverage", "area_id"]).head(lowest)
    low = _table(
        f"The {len(areas)} areas with the lowest coverage",
        [("area", "l"), ("need", "r"), ("served", "r"), ("coverage", "r")],
        [
            [f"{r.name} ({r.area_id})", f"{r.need:,.0f}", f"{r.served:,.0f}", _pct(r.coverage)]
            for r in areas.itertuples(index=False)
        ],
    )
    funders = _table(
        "Funders",
        [("funder", "l"), ("kind", "l"), ("amount", "r"), ("spent", "r"), ("used", "r")],
        [
            [r.name, r.kind, _eur(r.amount), _eur(r.spent), _pct(r.share_used)]
            for r in plan.funders.itertuples(index=False)
        ],
    )
    return Group(status, kpis, low, funders)


def print_summary(result: RunResult, console: Console | None = None) -> None:
    (console or Console()).print(summary(result))


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
