"""The short summary ``allocator run`` prints: key KPIs, the least covered areas, funders' use.

The KPI rows are the registry's (:mod:`allocator.postprocess.kpis`) flagged ``summary``, in its
order, labelled there; a few read better joined with another KPI (:data:`JOINED`). Column headers
come from the label registry (:mod:`allocator.postprocess.labels`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from allocator.i18n import _
from allocator.optimization.pipeline import RunResult
from allocator.postprocess.kpis import KPIS, kpi_label
from allocator.postprocess.labels import code_word, column_label, status_word
from allocator.render.formats import euro, kpi_value, number, share

Joined = Callable[[Mapping[str, Any], str], tuple[str, str]]


def _served(k: Mapping[str, Any], lang: str) -> tuple[str, str]:
    label = f"{kpi_label('beneficiaries_served', lang)} / {kpi_label('need_total', lang)}"
    return label, f"{number(k['beneficiaries_served'], lang)} / {number(k['need_total'], lang)}"


def _budget(k: Mapping[str, Any], lang: str) -> tuple[str, str]:
    used = _("{spent} of {available}", lang).format(
        spent=euro(k["funded"], lang), available=euro(k["budget_total"], lang)
    )
    return kpi_label("budget_used_share", lang), f"{used} ({share(k['budget_used_share'], lang)})"


def _partners(k: Mapping[str, Any], lang: str) -> tuple[str, str]:
    label = f"{kpi_label('partners_engaged', lang)} / {kpi_label('partners_excluded', lang)}"
    return label, f"{k['partners_engaged']} / {k['partners_excluded']}"


JOINED: dict[str, Joined] = {
    "beneficiaries_served": _served,
    "budget_used_share": _budget,
    "partners_engaged": _partners,
}
"""KPIs shown on one row with another (served / need; spent of available; engaged / excluded)."""
PARTS = frozenset({"funded_public", "funded_private"})
"""KPIs shown indented, as parts of the row above."""
WHEN_ANY = frozenset({"shortfall_total"})
"""KPIs shown only when not zero."""


def kpi_rows(result: RunResult, lang: str) -> list[list[str]]:
    """The summary's KPI rows: (label, value) of each KPI flagged ``summary``, staff by role."""
    plan = result.plan
    assert plan is not None
    k = plan.kpis
    rows = []
    for kpi in KPIS:
        if not kpi.summary or kpi.key not in k or (kpi.key in WHEN_ANY and not k[kpi.key]):
            continue
        if kpi.key in JOINED:
            label, value = JOINED[kpi.key](k, lang)
        else:
            label, value = kpi.label(lang), kpi_value(kpi.key, k[kpi.key], lang)
        rows.append([f"  {label}" if kpi.key in PARTS else label, value])
    role_names = {r.role_id: r.name for r in result.scenario.staff}
    staff = column_label("staff_fte", lang)
    rows += [
        [f"{staff}: {role_names.get(role, role)}", f"{number(fte, lang, None)} FTE"]
        for role, fte in k.get("staff_fte", {}).items()
    ]
    return rows


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
    k = plan.kpis
    optimal = k["status"] == "optimal"
    shown = f"{kpi_label('status', lang)}: {status_word(k['status'], lang)}"
    status = Text(shown, style="bold green" if optimal else "bold yellow")
    if k["status"] == "feasible":
        status.append("  " + _("(a plan within every limit, e.g. stopped by the time limit)", lang))
        gap = result.outcome.mip_gap if result.outcome is not None else None
        if gap is not None:
            gap_words = _("gap to the best bound {gap}", lang).format(gap=share(gap, lang))
            status.append(f"; {gap_words}")
    header = [status]
    description = result.scenario.settings.description
    if description:
        header.append(Text(description, style="italic"))
    title = _("{scenario}: key figures", lang).format(scenario=plan.scenario_name)
    kpis = _table(title, [(column_label("kpi", lang), "l"), ("", "r")], kpi_rows(result, lang))

    areas = plan.areas[plan.areas["need"] > 0].sort_values(["coverage", "area_id"]).head(lowest)
    low = _table(
        _("The {n} areas with the lowest coverage", lang).format(n=len(areas)),
        [
            (column_label(c, lang, "areas"), j)
            for c, j in (("name", "l"), ("need", "r"), ("served", "r"), ("coverage", "r"))
        ],
        [
            [
                f"{r.name} ({r.area_id})",
                number(r.need, lang),
                number(r.served, lang),
                share(r.coverage, lang),
            ]
            for r in areas.itertuples(index=False)
        ],
    )
    funders = _table(
        _("Funders", lang),
        [
            (column_label(c, lang, "funders"), j)
            for c, j in (
                ("name", "l"),
                ("kind", "l"),
                ("amount", "r"),
                ("spent", "r"),
                ("share_used", "r"),
            )
        ],
        [
            [
                r.name,
                code_word("funder_kind", r.kind, lang),
                euro(r.amount, lang),
                euro(r.spent, lang),
                share(r.share_used, lang),
            ]
            for r in plan.funders.itertuples(index=False)
        ],
    )
    return Group(*header, kpis, low, funders)


def print_summary(result: RunResult, console: Console | None = None, lang: str = "it") -> None:
    (console or Console()).print(summary(result, lang=lang))
