"""The sections of the HTML report: KPI cards, map, charts, tables, comparison, summary document,
provenance. Numbers through :mod:`allocator.render.formats`, KPI labels through the registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.i18n import _
from allocator.postprocess.kpis import BY_KEY, KPIS, KpiFormat, kpi_label
from allocator.postprocess.labels import code_word, column_label, status_word
from allocator.postprocess.limits import LIMIT_LABELS
from allocator.render.formats import formatted, kpi_value, moment, number, whole_people
from allocator.render.gains import rule_sentences
from allocator.render.maps import MapKeys, area_map
from allocator.render.plotting import (
    coverage_by_area,
    funders_spending,
    png,
    served_versus_need,
)
from allocator.render.report_runs import ReportRun
from allocator.render.report_words import Column, columns
from allocator.render.templating import Markup, Table, png_image, render
from allocator.render.tradeoffs import efficiency_equity_frontier
from allocator.studies.compare import comparable_objectives

REPORT_KPIS = tuple(kpi.key for kpi in KPIS if kpi.report)
"""The KPIs the report shows: the registry's flagged ``report``, in its order."""


def fmt(value: Any, kind: KpiFormat, lang: str) -> str:
    """``value`` written as ``kind``; ``–`` when missing."""
    if isinstance(value, float) and pd.isna(value):
        value = None
    return formatted(value, kind, lang)


def label(key: str, lang: str) -> str:
    """A KPI's label from the registry, capitalised as a heading."""
    text = kpi_label(key, lang)
    return text[:1].upper() + text[1:]


REPORT_ESTIMATES = frozenset({"beneficiaries_served", "cofunding"})
"""KPIs the report marks as resting on estimates besides the registry's (those resting on needs):
the beneficiaries and partners' own figures."""


def label_text(value: Any) -> str:
    """A label cell (a municipio): blank when missing, ``8`` rather than ``8.0``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def whole_served(areas: pd.DataFrame) -> list[int]:
    """Each area's beneficiaries as whole people adding up to the plan's rounded total (the same
    figures wherever the report shows them)."""
    return whole_people(areas["served"].tolist())


def is_estimate(key: str) -> bool:
    kpi = BY_KEY.get(key)
    return key in REPORT_ESTIMATES or (kpi is not None and kpi.estimate)


def table(frame: pd.DataFrame, columns: Sequence[Column], lang: str, table_id: str) -> Table:
    """``frame`` as a table of ``columns``, headed in ``lang``, numbers formatted."""
    it = lang == "it"
    head = [
        ("text" if kind == "text" else "num", h_it if it else h_en)
        for _, h_it, h_en, kind in columns
    ]
    rows = [
        [
            ("text", str(row[c])) if kind == "text" else ("num", fmt(row[c], kind, lang))
            for c, _, _, kind in columns
        ]
        for _index, row in frame.iterrows()
    ]
    return Table(table_id, head, rows)


# --------------------------------------------------------------------------- sections


def kpi_cards(run: ReportRun, lang: str) -> Markup:
    """The plan's key figures as cards: value, label, whether it rests on estimates."""
    cards = [
        (kpi_value(key, run.kpis[key], lang), label(key, lang), run.estimated and is_estimate(key))
        for key in REPORT_KPIS
        if key in run.kpis
    ]
    word = column_label("staff_fte", lang)
    word = word[:1].upper() + word[1:]
    for role, fte in (run.kpis.get("staff_fte") or {}).items():
        cards.append((fmt(fte, "fte", lang), f"{word}: {run.staff_names.get(role, role)}", False))
    return render("kpis.html.j2", lang, cards=cards)


def map_section(run: ReportRun, lang: str, boundaries: Path | None) -> Markup:
    drawn = area_map(
        run.areas, "coverage", boundaries=boundaries, keys=MapKeys.from_settings(run.settings),
        lang=lang,
    )  # fmt: skip
    alt = _("Coverage map", lang) + f": {run.name}"
    picture = png_image(png(drawn.figure), alt, "map", "map")
    return render("map.html.j2", lang, picture=picture, unmatched=list(drawn.unmatched))


def charts(run: ReportRun, lang: str) -> Markup:
    figures = [
        ("chart-coverage", coverage_by_area(run.areas, lang)),
        (
            "chart-served",
            served_versus_need(run.area_interventions, run.intervention_names, lang),
        ),
        ("chart-funders", funders_spending(run.funders, lang)),
    ]
    pictures = [
        png_image(png(figure), figure.axes[0].get_title(loc="left"), element_id)
        for element_id, figure in figures
    ]
    return render("charts.html.j2", lang, pictures=pictures)


def areas_table(run: ReportRun, lang: str) -> Markup:
    municipio = run.areas.get("municipio", pd.Series("", index=run.areas.index))
    frame = run.areas.assign(municipio=municipio.map(label_text))
    # whole people that add up to the plan's total; unmet need consistent with them
    frame = frame.assign(served=whole_served(run.areas))
    frame = frame.assign(unmet_need=(frame["need"] - frame["served"]).clip(lower=0))
    frame = frame.sort_values(["coverage", "area_id"])
    return render("areas.html.j2", lang, table=table(frame, columns("areas"), lang, "areas-table"))


def funders_table(run: ReportRun, lang: str) -> Markup:
    frame = run.funders.copy()
    frame["kind_shown"] = frame["kind"].map(lambda k: code_word("funder_kind", k, lang))
    frame = frame.sort_values("amount", ascending=False)
    shown = table(frame, columns("funders"), lang, "funders-table")
    return render("funders.html.j2", lang, table=shown)


def strengthen_section(run: ReportRun, lang: str) -> Markup:
    """Where partners or staff are missing: the explanation's sentences, the areas and the
    limits that hold them back."""
    if run.strengthen is None or run.limits is None:
        return render("strengthen.html.j2", lang, explained=False)
    shown = None
    if len(run.strengthen):
        frame = run.strengthen.head(12).copy()
        frame["limit_shown"] = frame["limit"].map(LIMIT_LABELS[lang]).str.capitalize()
        frame["money_shown"] = frame["money_available"].map(
            lambda v: code_word("yes_no", str(v).lower() == "true", lang)
        )
        shown = table(frame, columns("strengthen"), lang, "strengthen-table")
    counts = limit_counts(run.limits, lang)
    limits = table(counts, columns("limits"), lang, "limits-table") if len(counts) else None
    return render(
        "strengthen.html.j2",
        lang,
        explained=True,
        sentences=run.sentences,
        table=shown,
        limits=limits,
    )


def limit_counts(limits: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per limit kind: how many (area, intervention) pairs and how much unmet need."""
    grouped = limits.groupby("limit").agg(
        pairs=("area_id", "size"), unmet_need=("unmet_need", "sum")
    )
    grouped = grouped.reset_index().sort_values("unmet_need", ascending=False)
    grouped["limit_shown"] = grouped["limit"].map(LIMIT_LABELS[lang]).str.capitalize()
    return grouped


def same_objective(runs: Sequence[ReportRun]) -> bool:
    """Whether the runs' objectives are comparable (see :func:`comparable_objectives`)."""
    return comparable_objectives(r.settings.policy.model_dump(mode="json") for r in runs)


def compare_section(runs: Sequence[ReportRun], lang: str) -> Markup:
    """The runs' key figures side by side, and each as a point of efficiency against equity."""
    rows = []
    for key in REPORT_KPIS:
        if all(key not in r.kpis for r in runs):
            continue
        if key == "objective" and not same_objective(runs):
            continue  # objectives under different equity weights are not comparable
        values = [kpi_value(key, r.kpis.get(key), lang) for r in runs]
        rows.append((label(key, lang), runs[0].estimated and is_estimate(key), values))
    # unrelated scenarios are points, never joined by a line
    y = "worst_areas_coverage" if all(y_ok(r.kpis) for r in runs) else "min_area_coverage"
    points = pd.DataFrame(
        {
            "scenario": [r.label for r in runs],
            "weighted_coverage": [r.kpis["weighted_coverage"] for r in runs],
            y: [r.kpis[y] for r in runs],
        }
    )
    figure = efficiency_equity_frontier(None, lang, named=points, y=y)
    frontier = png_image(png(figure), figure.axes[0].get_title(loc="left"), "chart-frontier")
    return render(
        "compare.html.j2", lang, labels=[r.label for r in runs], rows=rows, frontier=frontier
    )


def y_ok(kpis: dict[str, Any]) -> bool:
    """Whether a run's KPIs hold worst_areas_coverage (run folders written before it do not)."""
    return kpis.get("worst_areas_coverage") is not None


def summary_section(run: ReportRun, lang: str) -> Markup:
    """The co-programming summary document: needs, resources, proposed areas, open questions."""
    k = run.kpis
    f: Callable[[Any, KpiFormat], str] = lambda v, kind: fmt(v, kind, lang)  # noqa: E731
    needs = run.area_interventions.groupby("intervention_id")[["need", "served"]].sum()
    needs = needs.sort_values("need", ascending=False)
    need_items = [
        f"{run.intervention_names.get(str(i), i)}: {f(r.need, 'count')}"
        for i, r in needs.iterrows()
    ]
    top = run.areas.assign(served=whole_served(run.areas)).nlargest(5, "cost")
    people = _("beneficiaries", lang)
    top_items = [
        f"{a.name}: {f(a.cost, 'euro')}, {f(a.served, 'count')} {people} ({f(a.coverage, 'share')})"
        for a in top.itertuples()
    ]
    return render(
        "summary.html.j2",
        lang,
        total_need=f(k["need_total"], "count"),
        estimated=run.estimated,
        needs=need_items,
        resources=resources(run, lang),
        proposal=top_items,
        questions=open_questions(run, lang),
    )


def resources(run: ReportRun, lang: str) -> list[str]:
    """The summary's resources: the money by kind, partners' cofunding, partners, staff."""
    k = run.kpis
    f: Callable[[Any, KpiFormat], str] = lambda v, kind: fmt(v, kind, lang)  # noqa: E731
    public, private = (code_word("funder_kind", kind, lang) for kind in ("public", "private"))
    spent = _(
        "Spent by the plan: {funded} ({public} {public_amount}, {private} {private_amount})", lang
    )
    items = [
        f"{label('budget_total', lang)}: {f(k['budget_total'], 'euro')}",
        spent.format(
            funded=f(k["funded"], "euro"),
            public=public,
            public_amount=f(k["funded_public"], "euro"),
            private=private,
            private_amount=f(k["funded_private"], "euro"),
        ),
        f"{label('cofunding', lang)}: {f(k['cofunding'], 'euro')}",
        f"{label('partners_engaged', lang)}: {f(k['partners_engaged'], 'count')}",
    ]
    staff = ", ".join(
        f"{run.staff_names.get(role, role)} {f(fte, 'fte')}"
        for role, fte in (k.get("staff_fte") or {}).items()
    )
    if staff:
        items.append(_("Staff (FTE)", lang) + f": {staff}")
    return items


def open_questions(run: ReportRun, lang: str) -> list[str]:
    """The summary's open questions: unmet need, money left, where partners or staff are
    missing, what the rules of thumb would do, the estimates to check."""
    k = run.kpis
    f: Callable[[Any, KpiFormat], str] = lambda v, kind: fmt(v, kind, lang)  # noqa: E731
    lowest = run.areas[run.areas["need"] > 0].nsmallest(3, "coverage")
    lowest_text = ", ".join(f"{a.name} ({f(a.coverage, 'share')})" for a in lowest.itertuples())
    items = [
        _("{unmet} estimated needs stay unmet; the least-covered areas are {lowest}.", lang).format(
            unmet=f(k["unmet_need"], "count"), lowest=lowest_text
        )
    ]
    unused = max(float(k["budget_total"]) - float(k["funded"]), 0.0)
    if unused > 1:
        items.append(_("Money not allocated: {money}.", lang).format(money=f(unused, "euro")))
    if run.strengthen is not None and len(run.strengthen):
        items.append(
            _("New partners or staff are needed in: {where}.", lang).format(
                where=strengthen_where(run.strengthen, lang)
            )
        )
    if run.rules is not None and len(run.rules):
        key = "min_area_coverage" if "min_area_coverage" in run.rules else "worst_areas_coverage"
        items += rule_sentences(run.rules, key, float(k["budget_total"]), lang)
    if run.estimated:
        items.append(
            _(
                "Needs and partners are estimates to be checked with the neighbourhood networks.",
                lang,
            )
        )
    return items


def strengthen_where(strengthen: pd.DataFrame, lang: str) -> str:
    """The worst-off areas first (where_to_strengthen's order), each once, with its coverage."""
    first = strengthen.drop_duplicates("area_id").head(5)
    return ", ".join(
        f"{a.area_name} ({fmt(a.area_coverage, 'share', lang)})"
        if "area_coverage" in first
        else str(a.area_name)
        for a in first.itertuples()
    )


def provenance(run: ReportRun, lang: str) -> Markup:
    """Where one run comes from: its source, date, status, solver, versions, overrides, inputs."""
    p = run.provenance
    solver = p.get("solver", {})
    status = str(solver.get("status", run.kpis.get("status", "")))
    versions = p.get("versions", {})
    shown = {
        "label": run.label,
        "source": run.source,
        "created": moment(str(p.get("created") or ""), lang),
        "status": status_word(status, lang),
        "solver": solver.get("name", ""),
        "solver_version": versions.get("solver", ""),
        "seconds": number(float(solver.get("seconds") or 0.0), lang, 2),
        "version": versions.get("allocator", ""),
        "overrides": ", ".join(p.get("overrides") or []) or "–",
        "inputs": [(Path(n).name, str(d)[:16]) for n, d in p.get("inputs", {}).items()],
    }
    return render("provenance.html.j2", lang, p=shown)
