"""The sections of the HTML report: KPI cards, map, charts, tables, comparison, summary document,
provenance. Numbers through :mod:`allocator.render.formats`, KPI labels through the registry."""

from __future__ import annotations

import base64
import html
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
from allocator.render.report_words import WORDS, Column, columns
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


def e(text: Any) -> str:
    return html.escape(str(text))


def badge(run: ReportRun, estimate: bool, lang: str) -> str:
    if not (estimate and run.estimated):
        return ""
    return f' <span class="badge">{e(WORDS[lang]["estimate"])}</span>'


def image(data: bytes, alt: str, element_id: str, css: str = "chart") -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<img id="{element_id}" class="{css}" alt="{e(alt)}" '
        f'src="data:image/png;base64,{encoded}">'
    )


def table(frame: pd.DataFrame, columns: Sequence[Column], lang: str, table_id: str) -> str:
    """``frame`` as an HTML table of ``columns``, headed in ``lang``."""
    it = lang == "it"
    head = "".join(
        f'<th class="{"text" if kind == "text" else "num"}">{e(h_it if it else h_en)}</th>'
        for _, h_it, h_en, kind in columns
    )
    body = []
    for _index, row in frame.iterrows():
        cells = "".join(
            f'<td class="text">{e(row[c])}</td>'
            if kind == "text"
            else f'<td class="num">{fmt(row[c], kind, lang)}</td>'
            for c, _, _, kind in columns
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# --------------------------------------------------------------------------- sections


def kpi_cards(run: ReportRun, lang: str) -> str:
    cards = []
    for key in REPORT_KPIS:
        if key not in run.kpis:
            continue
        cards.append(
            f'<div class="card"><div class="value">{kpi_value(key, run.kpis[key], lang)}</div>'
            f'<div class="label">{e(label(key, lang))}'
            f"{badge(run, is_estimate(key), lang)}</div></div>"
        )
    staff = run.kpis.get("staff_fte") or {}
    for role, fte in staff.items():
        word = column_label("staff_fte", lang)
        word = word[:1].upper() + word[1:]
        cards.append(
            f'<div class="card"><div class="value">{fmt(fte, "fte", lang)}</div>'
            f'<div class="label">{word}: {e(run.staff_names.get(role, role))}</div></div>'
        )
    return f'<div class="cards" id="kpis">{"".join(cards)}</div>'


def map_section(run: ReportRun, lang: str, boundaries: Path | None) -> str:
    drawn = area_map(
        run.areas, "coverage", boundaries=boundaries, keys=MapKeys.from_settings(run.settings),
        lang=lang,
    )  # fmt: skip
    words = WORDS[lang]
    alt = f"{words['map']}: {run.name}"
    parts = [image(png(drawn.figure), alt, "map", "map")]
    if drawn.unmatched:
        items = "".join(f"<li>{e(a)}</li>" for a in drawn.unmatched)
        parts.append(f'<p class="note">{e(words["unmatched"])}:</p><ul>{items}</ul>')
    return "".join(parts)


def charts(run: ReportRun, lang: str) -> str:
    figures = [
        ("chart-coverage", coverage_by_area(run.areas, lang)),
        (
            "chart-served",
            served_versus_need(run.area_interventions, run.intervention_names, lang),
        ),
        ("chart-funders", funders_spending(run.funders, lang)),
    ]
    return "".join(
        image(png(figure), figure.axes[0].get_title(loc="left"), element_id)
        for element_id, figure in figures
    )


def areas_table(run: ReportRun, lang: str) -> str:
    municipio = run.areas.get("municipio", pd.Series("", index=run.areas.index))
    frame = run.areas.assign(municipio=municipio.map(label_text))
    # whole people that add up to the plan's total; unmet need consistent with them
    frame = frame.assign(served=whole_served(run.areas))
    frame = frame.assign(unmet_need=(frame["need"] - frame["served"]).clip(lower=0))
    frame = frame.sort_values(["coverage", "area_id"])
    return table(frame, columns("areas"), lang, "areas-table")


def funders_table(run: ReportRun, lang: str) -> str:
    frame = run.funders.copy()
    frame["kind_shown"] = frame["kind"].map(lambda k: code_word("funder_kind", k, lang))
    frame = frame.sort_values("amount", ascending=False)
    return table(frame, columns("funders"), lang, "funders-table")


def strengthen_section(run: ReportRun, lang: str) -> str:
    words = WORDS[lang]
    if run.strengthen is None or run.limits is None:
        return f'<p class="note">{e(words["strengthen_missing"])}</p>'
    parts = []
    if run.sentences:
        parts.append("<ul>" + "".join(f"<li>{e(s)}</li>" for s in run.sentences) + "</ul>")
    if len(run.strengthen):
        frame = run.strengthen.head(12).copy()
        frame["limit_shown"] = frame["limit"].map(LIMIT_LABELS[lang]).str.capitalize()
        frame["money_shown"] = frame["money_available"].map(
            lambda v: code_word("yes_no", str(v).lower() == "true", lang)
        )
        parts.append(table(frame, columns("strengthen"), lang, "strengthen-table"))
    else:
        parts.append(f"<p>{e(words['strengthen_none'])}</p>")
    counts = limit_counts(run.limits, lang)
    if len(counts):
        parts.append(table(counts, columns("limits"), lang, "limits-table"))
    return "".join(parts)


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


def compare_section(runs: Sequence[ReportRun], lang: str) -> str:
    words = WORDS[lang]
    head = "".join(f'<th class="num">{e(r.label)}</th>' for r in runs)
    rows = []
    for key in REPORT_KPIS:
        if all(key not in r.kpis for r in runs):
            continue
        if key == "objective" and not same_objective(runs):
            continue  # objectives under different equity weights are not comparable
        cells = "".join(
            f'<td class="num">{kpi_value(key, r.kpis.get(key), lang)}</td>' for r in runs
        )
        mark = badge(runs[0], is_estimate(key), lang)
        rows.append(f'<tr><td class="text">{e(label(key, lang))}{mark}</td>{cells}</tr>')
    table = (
        f'<table id="compare-table"><thead><tr><th class="text">{e(words["kpi"])}</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
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
    return table + image(png(figure), figure.axes[0].get_title(loc="left"), "chart-frontier")


def y_ok(kpis: dict[str, Any]) -> bool:
    """Whether a run's KPIs hold worst_areas_coverage (run folders written before it do not)."""
    return kpis.get("worst_areas_coverage") is not None


def summary_section(run: ReportRun, lang: str) -> str:
    """The co-programming summary document: needs, resources, proposed areas, open questions."""
    words = WORDS[lang]
    k = run.kpis
    f: Callable[[Any, KpiFormat], str] = lambda v, kind: fmt(v, kind, lang)  # noqa: E731
    needs = run.area_interventions.groupby("intervention_id")[["need", "served"]].sum()
    needs = needs.sort_values("need", ascending=False)
    need_items = "".join(
        f"<li>{e(run.intervention_names.get(str(i), i))}: {f(r.need, 'count')}</li>"
        for i, r in needs.iterrows()
    )
    lowest = run.areas[run.areas["need"] > 0].nsmallest(3, "coverage")
    lowest_text = ", ".join(f"{a.name} ({f(a.coverage, 'share')})" for a in lowest.itertuples())
    top = run.areas.assign(served=whole_served(run.areas)).nlargest(5, "cost")
    people = _("beneficiaries", lang)
    top_items = "".join(
        f"<li>{e(a.name)}: {f(a.cost, 'euro')}, {f(a.served, 'count')} "
        f"{people} ({f(a.coverage, 'share')})</li>"
        for a in top.itertuples()
    )
    unused = max(float(k["budget_total"]) - float(k["funded"]), 0.0)
    staff = ", ".join(
        f"{run.staff_names.get(role, role)} {f(fte, 'fte')}"
        for role, fte in (k.get("staff_fte") or {}).items()
    )
    open_items = [
        _("{unmet} estimated needs stay unmet; the least-covered areas are {lowest}.", lang).format(
            unmet=f(k["unmet_need"], "count"), lowest=e(lowest_text)
        )
    ]
    if unused > 1:
        open_items.append(_("Money not allocated: {money}.", lang).format(money=f(unused, "euro")))
    if run.strengthen is not None and len(run.strengthen):
        # the worst-off first (where_to_strengthen's order), each area once, with its coverage
        first = run.strengthen.drop_duplicates("area_id").head(5)
        where = ", ".join(
            f"{a.area_name} ({f(a.area_coverage, 'share')})"
            if "area_coverage" in first
            else str(a.area_name)
            for a in first.itertuples()
        )
        open_items.append(
            _("New partners or staff are needed in: {where}.", lang).format(where=e(where))
        )
    if run.rules is not None and len(run.rules):
        key = "min_area_coverage" if "min_area_coverage" in run.rules else "worst_areas_coverage"
        open_items += [
            e(line) for line in rule_sentences(run.rules, key, float(k["budget_total"]), lang)
        ]
    if run.estimated:
        open_items.append(
            _(
                "Needs and partners are estimates to be checked with the neighbourhood networks.",
                lang,
            )
        )
    public, private = (code_word("funder_kind", kind, lang) for kind in ("public", "private"))
    spent = _("spent", lang)
    resources = (
        f"<li>{e(label('budget_total', lang))}: {f(k['budget_total'], 'euro')} "
        f"({public} {f(k['funded_public'], 'euro')}, {private} "
        f"{f(k['funded_private'], 'euro')} {spent})</li>"
        f"<li>{e(label('cofunding', lang))}: {f(k['cofunding'], 'euro')}</li>"
        f"<li>{e(label('partners_engaged', lang))}: {f(k['partners_engaged'], 'count')}</li>"
    )
    if staff:
        resources += "<li>" + _("Staff (FTE)", lang) + f": {e(staff)}</li>"
    total_need = _("Total estimated need", lang)
    total = f"<p>{total_need}: {f(k['need_total'], 'count')}{badge(run, True, lang)}</p>"
    return (
        f"<h3>1. {e(words['needs_found'])}</h3>{total}<ul>{need_items}</ul>"
        f"<h3>2. {e(words['resources'])}</h3><ul>{resources}</ul>"
        f"<h3>3. {e(words['proposal'])}</h3><ul>{top_items}</ul>"
        f"<h3>4. {e(words['open'])}</h3><ul>{''.join(f'<li>{i}</li>' for i in open_items)}</ul>"
    )


def provenance(run: ReportRun, lang: str) -> str:
    words = WORDS[lang]
    p = run.provenance
    solver = p.get("solver", {})
    status = str(solver.get("status", run.kpis.get("status", "")))
    versions = p.get("versions", {})
    inputs = "".join(
        f"<li><code>{e(Path(name).name)}</code> {e(str(digest)[:16])}…</li>"
        for name, digest in p.get("inputs", {}).items()
    )
    overrides = ", ".join(p.get("overrides") or []) or "–"
    return (
        f'<div class="provenance"><p><strong>{e(run.label)}</strong> ({e(run.source)}) – '
        f"{e(words['created'])} {e(moment(str(p.get('created') or ''), lang))}; "
        f"{e(words['status'])}: "
        f"<strong>{e(status_word(status, lang))}</strong>; {e(words['solver'])} "
        f"{e(solver.get('name', ''))} ({e(versions.get('solver', ''))}), "
        f"{e(number(float(solver.get('seconds') or 0.0), lang, 2))} s; allocator "
        f"{e(versions.get('allocator', ''))}; {e(words['overrides'])}: {e(overrides)}</p>"
        f'<p>{e(words["inputs"])}:</p><ul class="hashes">{inputs}</ul></div>'
    )
