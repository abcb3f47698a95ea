"""Charts of a plan for meetings: matplotlib figures, Italian labels by default.

Every function takes the plan's frames (or a sweep's), builds a :class:`Figure` without pyplot
(no window, no global state; the Agg canvas) and returns it; :func:`png` turns one into bytes.
Sizes and fonts are chosen to stay readable on a projector.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from allocator.postprocess.kpis import BY_KEY, kpi_label
from allocator.render.formats import number

LANGS = ("it", "en")
PUBLIC_COLOUR = "#1f5fa8"
PRIVATE_COLOUR = "#d9822b"
NEED_COLOUR = "#c9ced6"
SERVED_COLOUR = "#1f7a5a"
LINE_COLOUR = "#1f5fa8"
SECOND_COLOUR = "#b23a48"

STYLE: dict[str, Any] = {
    "font.size": 14,
    "axes.titlesize": 18,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "text.parse_math": False,  # names drawn literally: "Costo 5$ e 10$" is no formula
}
"""Projector-friendly defaults, applied while a figure is built."""

LABELS: dict[str, dict[str, str]] = {
    "it": {
        "coverage": "Copertura",
        "need": "Bisogno",
        "served": "Beneficiari serviti",
        "unmet_need": "Bisogno non coperto",
        "cost": "Costo (€)",
        "staff_fte": "Personale (FTE)",
        "shortfall": "Mancanza rispetto alla soglia",
        "population": "Popolazione",
        "minors": "Minori",
        "places": "Posti offerti dai partner",
        "partners": "Partner",
        "places_per_need": "Posti offerti per bisogno",
        "coverage_title": "Copertura del bisogno per quartiere",
        "coverage_mean": "copertura complessiva",
        "served_title": "Beneficiari serviti e bisogno per intervento",
        "funders_title": "Finanziatori: disponibile e speso",
        "amount": "Disponibile",
        "spent_public": "Speso (pubblico)",
        "spent_private": "Speso (privato)",
        "euro": "Euro all'anno",
        "people": "Persone o famiglie all'anno",
        "budget_title": "Quanto rende il bilancio",
        "frontier": "Frontiera",
        "dominated": "Dominati (più peso all'equità senza guadagno)",
        "budget": "Bilancio totale (€)",
        "frontier_title": "Efficienza ed equità",
    },
    "en": {
        "coverage": "Coverage",
        "need": "Need",
        "served": "Beneficiaries served",
        "unmet_need": "Unmet need",
        "cost": "Cost (€)",
        "staff_fte": "Staff (FTE)",
        "shortfall": "Shortfall below the floor",
        "population": "Population",
        "minors": "Minors",
        "places": "Places offered by partners",
        "partners": "Partners",
        "places_per_need": "Places offered per need",
        "coverage_title": "Coverage of need by area",
        "coverage_mean": "overall coverage",
        "served_title": "Beneficiaries served and need by intervention",
        "funders_title": "Funders: available and spent",
        "amount": "Available",
        "spent_public": "Spent (public)",
        "spent_private": "Spent (private)",
        "euro": "Euros per year",
        "people": "People or households per year",
        "budget_title": "What the budget buys",
        "frontier": "Frontier",
        "dominated": "Dominated (more equity weight, no gain)",
        "budget": "Total budget (€)",
        "frontier_title": "Efficiency and equity",
    },
}
"""Words on the charts, by language; also the names of areas' KPI columns."""


def label(key: str, lang: str = "it") -> str:
    """The chart word for ``key`` (a KPI or column name) in ``lang``; the key itself if none."""
    check_lang(lang)
    if key.startswith("coverage_") and key not in LABELS[lang]:
        return f"{LABELS[lang]['coverage']} {key.removeprefix('coverage_')}"
    if key in LABELS[lang]:
        return LABELS[lang][key]
    return kpi_label(key, lang).capitalize() if key in BY_KEY else key


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")


def is_share(column: str) -> bool:
    """Whether a column holds shares (shown as percentages)."""
    return column.startswith("coverage") or column.endswith("_share") or column == "share_used"


@contextmanager
def styled() -> Iterator[None]:
    """Apply :data:`STYLE` while artists are created."""
    with mpl.rc_context(cast(Any, STYLE)):
        yield


class Chart(Figure):
    """A figure that notebooks show as a picture without pyplot."""

    def _repr_png_(self) -> bytes:
        return png(self)


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with one axes on the Agg canvas (call inside :func:`styled`)."""
    figure = Chart(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def number_formatter(lang: str, decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda value, _: number(value, lang, decimals))


def percent_formatter(lang: str) -> FuncFormatter:
    """Shares as percentages in the language's format (12,5% in Italian)."""
    return FuncFormatter(lambda value, _: f"{number(100 * value, lang, None)}%")


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    with mpl.rc_context({"text.parse_math": False}):  # tick labels are made while drawing
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def short_name(name: str, width: int = 28) -> str:
    """An area name short enough for an axis: its first part, cut at ``width``."""
    first = name.split(" - ")[0].strip()
    return first if len(first) <= width else first[: width - 1] + "…"


def coverage_by_area(areas: pd.DataFrame, lang: str = "it") -> Figure:
    """Horizontal bars: each area's coverage (served / need), lowest first on top."""
    check_lang(lang)
    rows = areas[areas["need"] > 0].sort_values(["coverage", "area_id"], ascending=[False, True])
    overall = float(rows["served"].sum() / rows["need"].sum()) if len(rows) else 0.0
    with styled():
        figure, axes = new_figure(11, max(4.0, 0.42 * len(rows) + 1.6))
        names = [short_name(n) for n in rows["name"]]
        bars = axes.barh(names, rows["coverage"], color=SERVED_COLOUR)
        axes.bar_label(
            bars,
            labels=[f"{number(100 * c, lang)}%" for c in rows["coverage"]],
            padding=4,
            fontsize=12,
        )
        axes.axvline(
            overall,
            color=SECOND_COLOUR,
            linestyle="--",
            linewidth=2.5,
            label=f"{label('coverage_mean', lang)} {number(100 * overall, lang)}%",
        )
        axes.legend(loc="lower right", framealpha=0.95)
        axes.xaxis.set_major_formatter(percent_formatter(lang))
        axes.set_xlim(0, max(1.0, float(rows["coverage"].max()) if len(rows) else 1.0) * 1.12)
        axes.set_xlabel(label("coverage", lang))
        axes.set_title(label("coverage_title", lang), loc="left")
        axes.grid(axis="y", visible=False)
    return figure


def served_versus_need(
    area_interventions: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    lang: str = "it",
) -> Figure:
    """Grouped bars per intervention: need and beneficiaries served, summed over areas.

    ``names`` maps intervention ids to the names shown (the ids themselves otherwise).
    """
    check_lang(lang)
    totals = area_interventions.groupby("intervention_id")[["need", "served"]].sum()
    totals = totals.sort_values("need", ascending=False)
    shown = [(names or {}).get(str(k), str(k)) for k in totals.index]
    positions = np.arange(len(totals))
    with styled():
        figure, axes = new_figure(12, 6.5)
        width = 0.4
        axes.bar(
            positions - width / 2,
            totals["need"],
            width,
            label=label("need", lang),
            color=NEED_COLOUR,
        )
        served = axes.bar(
            positions + width / 2,
            totals["served"],
            width,
            label=label("served", lang),
            color=SERVED_COLOUR,
        )
        shares = totals["served"] / totals["need"].where(totals["need"] > 0)
        axes.bar_label(
            served,
            labels=[f"{number(100 * s, lang)}%" if pd.notna(s) else "" for s in shares],
            padding=3,
            fontsize=12,
        )
        axes.set_xticks(positions, [_wrap(n) for n in shown])
        axes.yaxis.set_major_formatter(number_formatter(lang))
        axes.set_ylabel(label("people", lang))
        axes.set_title(label("served_title", lang), loc="left")
        axes.legend(loc="upper right")
        axes.grid(axis="x", visible=False)
    return figure


def _wrap(text: str, width: int = 14) -> str:
    """Break a long tick label into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def funders_spending(funders: pd.DataFrame, lang: str = "it") -> Figure:
    """Per funder: the amount available (grey) and what the plan spends (public/private)."""
    check_lang(lang)
    rows = funders.sort_values(["amount", "funder_id"], ascending=[True, True])
    colours = [PUBLIC_COLOUR if k == "public" else PRIVATE_COLOUR for k in rows["kind"]]
    with styled():
        figure, axes = new_figure(12, max(4.0, 0.6 * len(rows) + 1.8))
        axes.barh(rows["name"], rows["amount"], color=NEED_COLOUR, label=label("amount", lang))
        spent = axes.barh(rows["name"], rows["spent"], height=0.5, color=colours)
        axes.bar_label(
            spent,
            labels=[
                f"{number(s, lang)} € ({number(100 * u, lang)}%)"
                for s, u in zip(rows["spent"], rows["share_used"], strict=True)
            ],
            padding=6,
            fontsize=12,
        )
        axes.legend(
            handles=[
                Patch(color=NEED_COLOUR, label=label("amount", lang)),
                Patch(color=PUBLIC_COLOUR, label=label("spent_public", lang)),
                Patch(color=PRIVATE_COLOUR, label=label("spent_private", lang)),
            ],
            loc="lower right",
        )
        axes.xaxis.set_major_formatter(number_formatter(lang))
        axes.set_xlim(0, float(rows["amount"].max() if len(rows) else 1.0) * 1.45)
        axes.set_xlabel(label("euro", lang))
        axes.set_title(label("funders_title", lang), loc="left")
        axes.grid(axis="y", visible=False)
    return figure


def budget_outcome(curve: pd.DataFrame, lang: str = "it", x: str = "budget_total") -> Figure:
    """The budget–outcome curve: objective (left axis) and beneficiaries (right) per budget.

    ``curve`` has columns objective, beneficiaries_served and ``x``: budget_total by default, or
    the swept setting (a sweep of anything but the budget).
    """
    check_lang(lang)
    rows = curve.sort_values(x)
    with styled():
        figure, axes = new_figure(11, 6.5)
        axes.plot(
            rows[x],
            rows["objective"],
            marker="o",
            linewidth=3,
            markersize=9,
            color=LINE_COLOUR,
            label=label("objective", lang),
        )
        axes.set_ylabel(label("objective", lang), color=LINE_COLOUR)
        axes.yaxis.set_major_formatter(number_formatter(lang, 2))
        if x == "budget_total":
            axes.xaxis.set_major_formatter(number_formatter(lang))
        axes.set_xlabel(label("budget", lang) if x == "budget_total" else x)
        right = axes.twinx()
        right.plot(
            rows[x],
            rows["beneficiaries_served"],
            marker="s",
            linewidth=2,
            linestyle="--",
            markersize=8,
            color=SECOND_COLOUR,
            label=label("beneficiaries_served", lang),
        )
        right.set_ylabel(label("beneficiaries_served", lang), color=SECOND_COLOUR)
        right.yaxis.set_major_formatter(number_formatter(lang))
        right.grid(visible=False)
        right.spines["right"].set_visible(True)
        axes.set_title(label("budget_title", lang), loc="left")
    return figure


def coinciding(frame: pd.DataFrame) -> dict[tuple[float, float], list[str]]:
    """Labels of the frontier's points, those at the same place (to 1e-6) joined."""
    groups: dict[tuple[float, float], list[str]] = {}
    for row in frame.itertuples(index=False):
        key = (round(float(row.weighted_coverage), 6), round(float(row.min_area_coverage), 6))
        groups.setdefault(key, []).append(str(row.label))
    return groups


def widen_flat_axis(axes: Axes, values: pd.Series, which: str, half: float = 0.02) -> None:
    """A share that hardly varies gets ± ``half`` around it, so ticks are not all the same."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-3:
        middle = (low + high) / 2
        limits = (max(middle - half, 0.0), min(middle + half, 1.0))
        (axes.set_xlim if which == "x" else axes.set_ylim)(*limits)


def efficiency_equity_frontier(
    frontier: pd.DataFrame, lang: str = "it", named: pd.DataFrame | None = None
) -> Figure:
    """Each plan as a point: weighted coverage (x) against the least-served area's coverage (y).

    ``frontier`` has columns weighted_coverage, min_area_coverage and label, in the order the
    line should join them (e.g. by equity weight); rows with ``dominated`` true are drawn apart,
    off the line. ``named`` (columns scenario, weighted_coverage, min_area_coverage) places
    scenarios on the chart as squares.
    """
    check_lang(lang)
    dominated = (
        frontier["dominated"].astype(bool)
        if "dominated" in frontier
        else pd.Series(False, index=frontier.index)
    )
    with styled():
        figure, axes = new_figure(11, 7)
        line = frontier[~dominated]
        axes.plot(
            line["weighted_coverage"],
            line["min_area_coverage"],
            marker="o",
            markersize=10,
            linewidth=2.5,
            color=LINE_COLOUR,
            label=label("frontier", lang),
        )
        off = frontier[dominated]
        if len(off):
            axes.scatter(
                off["weighted_coverage"],
                off["min_area_coverage"],
                s=100,
                facecolors="none",
                edgecolors="grey",
                label=label("dominated", lang),
            )
        for (x, y), labels in coinciding(frontier).items():
            axes.annotate(
                " · ".join(labels),
                (x, y),
                textcoords="offset points",
                xytext=(8, 6),
                fontsize=12,
            )
        for row in (named if named is not None else pd.DataFrame()).itertuples(index=False):
            axes.scatter(row.weighted_coverage, row.min_area_coverage, marker="s", s=120, zorder=3)
            axes.annotate(
                str(row.scenario),
                (row.weighted_coverage, row.min_area_coverage),
                textcoords="offset points",
                xytext=(8, -14),
                fontsize=12,
            )
        axes.xaxis.set_major_formatter(percent_formatter(lang))
        axes.yaxis.set_major_formatter(percent_formatter(lang))
        axes.margins(0.15)
        points = pd.concat([frontier, named]) if named is not None else frontier
        widen_flat_axis(axes, points["weighted_coverage"], "x")
        widen_flat_axis(axes, points["min_area_coverage"], "y")
        axes.set_xlabel(label("weighted_coverage", lang))
        axes.set_ylabel(label("min_area_coverage", lang))
        axes.set_title(label("frontier_title", lang), loc="left")
        if len(off):
            axes.legend(loc="best")
    return figure
