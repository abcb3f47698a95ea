"""How sure each figure is, for the room: the chart of per-area ranges and a report section.

Both read the tables ``allocator uncertainty`` writes (``uncertainty_areas.csv``,
``uncertainty_samples.csv``), so a report can show a study run earlier.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure
from rich.console import Group
from rich.table import Table

from allocator.outputs.atomic import write_folder
from allocator.outputs.table_io import write_table
from allocator.postprocess.kpis import KpiFormat
from allocator.render.console import frame_table
from allocator.render.formats import euro, number, share
from allocator.render.plotting import (
    NEED_COLOUR,
    SECOND_COLOUR,
    SERVED_COLOUR,
    check_lang,
    new_figure,
    percent_formatter,
    png,
    short_name,
    styled,
)

if TYPE_CHECKING:
    from allocator.studies.robust import RobustRun
    from allocator.studies.uncertainty import UncertaintyStudy

TEXT = {
    "it": {
        "title": "Quanto è sicura la copertura di ogni NIL",
        "x": "Copertura del bisogno (P10–P90, punto = P50)",
        "plan": "Piano ottimo per i bisogni stimati",
        "baseline": "Allocazione attuale",
        "nominal": "Con i bisogni stimati",
        "section": "Incertezza dei bisogni",
        "intro": (
            "I bisogni sono STIME. Sono stati ricampionati {samples} volte (ipercubo latino, "
            "seme {seed}) entro i loro intervalli; il piano resta fisso e se ne misura la "
            "copertura in ogni campione, poi il piano viene ri-ottimizzato per ogni campione."
        ),
        "area": "NIL",
        "p10": "P10",
        "p50": "P50",
        "p90": "P90",
        "below": "Prob. sotto l'obiettivo",
        "funded": "Finanziato (quota dei campioni)",
        "robust": "Decisioni robuste",
        "robust_text": (
            "{always} NIL ricevono fondi in ogni campione ri-ottimizzato, {sometimes} solo in "
            "alcuni; il piano attuale finanzia {partners} enti, e {stable} di loro restano in "
            "almeno il 90% dei piani ri-ottimizzati."
        ),
        "kpis": (
            "Obiettivo del piano fisso: P10 {p10}, P50 {p50}, P90 {p90}; "
            "ri-ottimizzando: P50 {re50}."
        ),
        "money": "Fondi P50",
    },
    "en": {
        "title": "How sure each area's coverage is",
        "x": "Coverage of need (P10–P90, dot = P50)",
        "plan": "Optimal plan for the estimated needs",
        "baseline": "Today's allocation",
        "nominal": "With the estimated needs",
        "section": "Uncertainty of the needs",
        "intro": (
            "The needs are ESTIMATES. They were resampled {samples} times (Latin hypercube, "
            "seed {seed}) within their ranges; the plan is held fixed and its coverage measured "
            "under each sample, then the plan is re-optimised for each sample."
        ),
        "area": "Area",
        "p10": "P10",
        "p50": "P50",
        "p90": "P90",
        "below": "P(below target)",
        "funded": "Funded (share of samples)",
        "robust": "Robust decisions",
        "robust_text": (
            "{always} areas get money in every re-optimised sample, {sometimes} only in some; "
            "the plan engages {partners} partners, {stable} of which stay in at least 90% of "
            "the re-optimised plans."
        ),
        "kpis": (
            "Objective of the fixed plan: P10 {p10}, P50 {p50}, P90 {p90}; re-optimised: "
            "P50 {re50}."
        ),
        "money": "Funds P50",
    },
}


def area_ranges(areas: pd.DataFrame, lang: str = "it") -> Figure:
    """Per area, the P10–P90 coverage of the plan held fixed (a bar, P50 a dot), today's
    allocation beside it when known, and the coverage with the needs as estimated (a tick)."""
    check_lang(lang)
    t = TEXT[lang]
    frame = areas.sort_values("coverage_p50", kind="stable").reset_index(drop=True)
    has_baseline = "baseline_coverage_p50" in frame.columns
    with styled():
        figure, axes = new_figure(11, max(4.0, 0.42 * len(frame) + 1.6))
        y = pd.Series(range(len(frame)), dtype=float)
        offset = 0.18 if has_baseline else 0.0
        axes.hlines(
            y + offset,
            frame["coverage_p10"],
            frame["coverage_p90"],
            color=SERVED_COLOUR,
            linewidth=6,
            label=t["plan"],
        )
        axes.plot(frame["coverage_p50"], y + offset, "o", color="white", markersize=5)
        if has_baseline:
            axes.hlines(
                y - offset,
                frame["baseline_coverage_p10"],
                frame["baseline_coverage_p90"],
                color=NEED_COLOUR,
                linewidth=6,
                label=t["baseline"],
            )
            axes.plot(frame["baseline_coverage_p50"], y - offset, "o", color="#555", markersize=4)
        axes.plot(
            frame["coverage_nominal"],
            y + offset,
            "|",
            color=SECOND_COLOUR,
            markersize=14,
            markeredgewidth=2,
            label=t["nominal"],
        )
        axes.set_yticks(list(y))
        axes.set_yticklabels([short_name(str(n)) for n in frame["name"]])
        axes.xaxis.set_major_formatter(percent_formatter(lang))
        axes.set_xlabel(t["x"])
        axes.set_title(t["title"])
        axes.set_xlim(left=0)
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False)
    return figure


def uncertainty_section(folder: str | Path, lang: str = "it", limit: int = 12) -> str:
    """An HTML section (self-contained: the chart inline) from a study's output folder."""
    import base64

    check_lang(lang)
    t = TEXT[lang]
    folder = Path(folder)
    areas = pd.read_csv(folder / "uncertainty_areas.csv", dtype={"area_id": str})
    samples = pd.read_csv(folder / "uncertainty_samples.csv")
    settings = _settings(folder)
    chart = base64.b64encode(png(area_ranges(areas, lang))).decode()
    fixed = samples.loc[samples["plan"] == "nominal", "objective"]
    re = samples.loc[samples["plan"] == "reoptimised", "objective"].dropna()
    q = fixed.quantile([0.1, 0.5, 0.9]).tolist()
    kpis = t["kpis"].format(
        p10=share(q[0], lang),
        p50=share(q[1], lang),
        p90=share(q[2], lang),
        re50=share(float(re.median()), lang) if len(re) else "–",
    )
    worst = areas.sort_values("coverage_p10", kind="stable").head(limit)
    cells = [
        "<tr>"
        f"<td>{html.escape(str(r.name))}</td>"
        f"<td>{share(r.coverage_p10, lang)}</td><td>{share(r.coverage_p50, lang)}</td>"
        f"<td>{share(r.coverage_p90, lang)}</td><td>{share(r.prob_below_target, lang)}</td>"
        + (
            f"<td>{share(r.funded_share, lang)}</td><td>{euro(r.funded_p50, lang)}</td>"
            if "funded_share" in areas.columns
            else ""
        )
        + "</tr>"
        for r in worst.itertuples(index=False)
    ]
    head = [t["area"], t["p10"], t["p50"], t["p90"], t["below"]]
    if "funded_share" in areas.columns:
        head += [t["funded"], t["money"]]
    robust = ""
    partners_file = folder / "uncertainty_partners.csv"
    if "funded_share" in areas.columns and partners_file.is_file():
        partners = pd.read_csv(partners_file)
        engaged = partners[partners["in_nominal_plan"].astype(bool)]
        robust = (
            f"<h3>{t['robust']}</h3><p>"
            + t["robust_text"].format(
                always=number(int((areas["funded_share"] >= 1).sum()), lang),
                sometimes=number(int(areas["funded_share"].between(0, 1, "neither").sum()), lang),
                partners=number(len(engaged), lang),
                stable=number(int((engaged["funded_share"] >= 0.9).sum()), lang),
            )
            + "</p>"
        )
    intro = t["intro"].format(
        samples=number(settings.get("samples", len(fixed)), lang), seed=settings.get("seed", "–")
    )
    return (
        f'<section id="uncertainty"><h2>{t["section"]}</h2><p>{html.escape(intro)}</p>'
        f"<p>{html.escape(kpis)}</p>"
        f'<img class="chart" alt="{html.escape(t["title"])}" '
        f'src="data:image/png;base64,{chart}">'
        "<table><thead><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(cells)
        + f"</tbody></table>{robust}</section>"
    )


def _settings(folder: Path) -> dict[str, int]:
    import json

    path = folder / "uncertainty.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, int)}


def write_uncertainty(
    study: UncertaintyStudy, scenario_name: str, out: Path, *, overwrite: bool = False
) -> Path:
    """Write a study's tables, its chart of per-area ranges and its settings
    (``uncertainty.json``), all or nothing: what :func:`uncertainty_section` reads back."""

    def fill(folder: Path) -> None:
        tables = {
            "uncertainty_areas": study.areas,
            "uncertainty_samples": study.samples,
            "uncertainty_partners": study.partners,
            "uncertainty_parameters": study.parameters,
            "uncertainty_ranges": study.dimensions,
        }
        for name, frame in tables.items():
            write_table(frame, folder / f"{name}.csv")
        (folder / "uncertainty_areas.png").write_bytes(png(area_ranges(study.areas)))
        settings = {"scenario": scenario_name, **study.settings}
        (folder / "uncertainty.json").write_text(
            json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    return write_folder(out, fill, overwrite=overwrite)


COVERAGE_LABELS = {
    "name": "quartiere",
    "coverage_nominal": "copertura con i bisogni dati",
    "coverage_p10": "copertura P10",
    "coverage_p50": "copertura P50",
    "coverage_p90": "copertura P90",
    "prob_below_target": "probabilità sotto l'obiettivo",
    "funded_share": "quota dei campioni con fondi",
}


def coverage_view(study: UncertaintyStudy, rows: int = 10) -> Group:
    """The ``rows`` areas whose coverage is least sure (lowest P10), for the terminal."""
    view = study.areas.sort_values("coverage_p10").head(rows)
    shown = ["name", "coverage_nominal", "coverage_p10", "coverage_p50", "coverage_p90"]
    shown += [c for c in ("prob_below_target", "funded_share") if c in view.columns]
    title = "Copertura per NIL sotto i bisogni campionati"
    formats: dict[str, KpiFormat] = {c: "share" for c in shown if c != "name"}
    return frame_table(title, view, shown, labels=COVERAGE_LABELS, formats=formats)


def fixed_plan_sentence(study: UncertaintyStudy) -> str:
    """The objective of the plan kept fixed across the samples: its P10, P50 and P90."""
    fixed = study.samples[study.samples["plan"] == "nominal"]["objective"]
    return (
        f"Obiettivo del piano fisso: P10 {share(fixed.quantile(0.1))}, "
        f"P50 {share(fixed.quantile(0.5))}, P90 {share(fixed.quantile(0.9))}."
    )


ROBUST_TEXT = {
    "it": {
        "title": "Piano robusto e piano per i bisogni stimati, sotto {n} campioni dei bisogni",
        "robust": "robusto",
        "nominal": "per i bisogni stimati",
        "expected_objective": "Obiettivo medio",
        "worst_share_objective": "Media del 20% peggiore",
        "objective_p10": "Obiettivo P10",
        "weighted_coverage_mean": "Copertura pesata media",
        "worst_areas_coverage_mean": "Copertura media dei quartieri più scoperti",
        "min_area_coverage_mean": "Copertura minima media",
        "objective_as_given": "Obiettivo con i bisogni stimati",
    },
    "en": {
        "title": "Robust plan and plan for the estimated needs, under {n} need samples",
        "robust": "robust",
        "nominal": "for the estimated needs",
        "expected_objective": "Mean objective",
        "worst_share_objective": "Mean of the worst 20%",
        "objective_p10": "Objective P10",
        "weighted_coverage_mean": "Mean weighted coverage",
        "worst_areas_coverage_mean": "Mean coverage of the worst-covered areas",
        "min_area_coverage_mean": "Mean least coverage",
        "objective_as_given": "Objective with the estimated needs",
    },
}


def robust_view(robust: RobustRun, lang: str = "it") -> Table:
    """The robust and the nominal plan side by side, measured under the same samples."""
    text = ROBUST_TEXT[lang]
    count = int(robust.samples["sample"].nunique())
    table = Table(title=text["title"].format(n=count))
    table.add_column("")
    plans = list(robust.comparison["plan"])
    for plan in plans:
        table.add_column(text.get(plan, plan), justify="right")
    rows = robust.comparison.set_index("plan")
    for key in (
        "expected_objective",
        "worst_share_objective",
        "objective_p10",
        "weighted_coverage_mean",
        "worst_areas_coverage_mean",
        "min_area_coverage_mean",
        "objective_as_given",
    ):
        table.add_row(text[key], *(share(float(rows.at[p, key]), lang) for p in plans))
    return table
