"""Charts of trade-offs: what the budget buys (the sweep) and efficiency against equity.

The sweep is drawn in two panels, each measure on its own axis (beneficiaries served above,
coverage below), with today's budget marked. The frontier joins only the frontier's own plans
(traced by constraint, in order of the equity floor); named scenarios, rules of thumb and the
plans that dominate them are points, never joined to the frontier or to each other.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from allocator.outputs.atomic import write_folder
from allocator.outputs.names import (
    FRONTIER_CHART,
    FRONTIER_POINTS,
    FRONTIER_RULES,
    FRONTIER_TABLE,
    SWEEP_CHART,
    SWEEP_TABLE,
)
from allocator.outputs.table_io import write_table
from allocator.render.plotting import (
    LINE_COLOUR,
    SECOND_COLOUR,
    check_lang,
    label,
    new_figure,
    number_formatter,
    percent_formatter,
    png,
    styled,
)

RULE_COLOUR = "#d9822b"
BETTER_COLOUR = "#1f7a5a"


def budget_outcome(
    curve: pd.DataFrame,
    lang: str = "it",
    x: str = "budget_total",
    today: float | None = None,
) -> Figure:
    """Beneficiaries served (top panel) and coverage (bottom: weighted coverage and the equity
    KPI) against ``x`` (budget_total by default, or the swept setting); ``today`` marks today's
    value of ``x`` with a vertical line."""
    check_lang(lang)
    rows = curve.sort_values(x)
    with styled():
        figure, top = new_figure(11, 8.5)
        top.remove()
        top, bottom = figure.subplots(2, 1, sharex=True)
        top.plot(
            rows[x],
            rows["beneficiaries_served"],
            marker="o",
            linewidth=3,
            color=LINE_COLOUR,
            label=label("beneficiaries_served", lang),
        )
        top.set_ylabel(label("served_panel", lang))
        top.yaxis.set_major_formatter(number_formatter(lang))
        for key, colour, style in (
            ("weighted_coverage", LINE_COLOUR, "-"),
            ("worst_areas_coverage", SECOND_COLOUR, "--"),
        ):
            if key in rows:
                bottom.plot(
                    rows[x],
                    rows[key],
                    marker="s",
                    linewidth=2.5,
                    linestyle=style,
                    color=colour,
                    label=label(key, lang),
                )
        bottom.set_ylabel(label("coverage_panel", lang))
        bottom.yaxis.set_major_formatter(percent_formatter(lang))
        if x == "budget_total":
            bottom.xaxis.set_major_formatter(number_formatter(lang))
        bottom.set_xlabel(label("budget", lang) if x == "budget_total" else x)
        for axes in (top, bottom):
            if today is not None:
                axes.axvline(
                    today, color="grey", linestyle=":", linewidth=2, label=label("today", lang)
                )
            axes.legend(loc="best")
        top.set_title(label("budget_title", lang), loc="left")
    return figure


def _points(
    axes: Axes, frame: pd.DataFrame, y: str, name: str, left: bool = False, **style: object
) -> None:
    """Points with their names; points at the same place (to 1e-4) share one joined label."""
    groups: dict[tuple[float, float], list[str]] = {}
    for n, row in enumerate(frame.itertuples(index=False)):
        x_value, y_value = float(row.weighted_coverage), float(getattr(row, y))
        axes.scatter(x_value, y_value, zorder=3, label=name if n == 0 else None, **style)  # type: ignore[arg-type]
        groups.setdefault((round(x_value, 4), round(y_value, 4)), []).append(str(row.scenario))
    for (x_value, y_value), names in groups.items():
        axes.annotate(
            " · ".join(names),
            (x_value, y_value),
            textcoords="offset points",
            xytext=(-10, -16) if left else (8, -14),
            ha="right" if left else "left",
            fontsize=11,
        )


def efficiency_equity_frontier(
    frontier: pd.DataFrame | None,
    lang: str = "it",
    named: pd.DataFrame | None = None,
    rules: pd.DataFrame | None = None,
    y: str = "worst_areas_coverage",
) -> Figure:
    """Weighted coverage (x) against the equity KPI ``y``.

    ``frontier`` (weighted_coverage, ``y``, dominated; in the order of the equity floor) is the
    only line; dominated points are hollow. ``named`` and ``rules`` (scenario, weighted_coverage,
    ``y``) are points; ``rules`` may carry better_weighted_coverage and better_<y>: the plan that
    dominates each rule with the same money, joined to it by an arrow.
    """
    check_lang(lang)
    with styled():
        figure, axes = new_figure(11, 7.5)
        shown: list[pd.Series] = []
        if frontier is not None and len(frontier):
            off = frontier["dominated"].astype(bool) if "dominated" in frontier else None
            line = frontier[~off] if off is not None else frontier
            axes.plot(
                line["weighted_coverage"],
                line[y],
                marker="o",
                markersize=9,
                linewidth=2.5,
                color=LINE_COLOUR,
                label=label("frontier", lang),
            )
            if off is not None and off.any():
                axes.scatter(
                    frontier[off]["weighted_coverage"],
                    frontier[off][y],
                    s=110,
                    facecolors="none",
                    edgecolors="grey",
                    label=label("dominated", lang),
                )
            shown.append(frontier[["weighted_coverage", y]])
        if named is not None and len(named):
            _points(axes, named, y, label("scenarios", lang), marker="s", s=120, color="#555555")
            shown.append(named[["weighted_coverage", y]])
        if rules is not None and len(rules):
            _points(
                axes,
                rules,
                y,
                label("rules", lang),
                left=True,
                marker="^",
                s=130,
                color=RULE_COLOUR,
            )
            shown.append(rules[["weighted_coverage", y]])
            better = f"better_{y}"
            if "better_weighted_coverage" in rules and better in rules:
                axes.scatter(
                    rules["better_weighted_coverage"],
                    rules[better],
                    marker="D",
                    s=90,
                    color=BETTER_COLOUR,
                    zorder=3,
                    label=label("dominating", lang),
                )
                for row in rules.itertuples(index=False):
                    axes.annotate(
                        "",
                        xy=(row.better_weighted_coverage, getattr(row, better)),
                        xytext=(row.weighted_coverage, getattr(row, y)),
                        arrowprops={"arrowstyle": "->", "color": BETTER_COLOUR, "lw": 1.5},
                    )
        axes.xaxis.set_major_formatter(percent_formatter(lang))
        axes.yaxis.set_major_formatter(percent_formatter(lang))
        axes.margins(0.12)
        axes.set_xlabel(label("weighted_coverage", lang))
        axes.set_ylabel(label(y, lang))
        axes.set_title(label("frontier_title", lang), loc="left")
        if shown:
            axes.legend(loc="best", fontsize=11)
    return figure


def write_sweep(
    frame: pd.DataFrame,
    param: str,
    more: dict[str, float],
    out: Path,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a sweep's table and chart, all or nothing; the chart is by budget (today's marked,
    from ``more``, the next money's re-solve) when the budget varies, else by ``param``."""

    def fill(folder: Path) -> None:
        write_table(frame, folder / SWEEP_TABLE)
        by_budget = frame["budget_total"].nunique() > 1
        x = "budget_total" if by_budget else param
        today = more["budget_total"] if by_budget else None
        (folder / SWEEP_CHART).write_bytes(png(budget_outcome(frame, x=x, today=today)))

    return write_folder(out, fill, overwrite=overwrite)


def write_frontier(
    frame: pd.DataFrame,
    points: pd.DataFrame,
    rules: pd.DataFrame | None,
    key: str,
    out: Path,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a frontier's table, its placed scenarios (and rules of thumb) and its chart, all or
    nothing; ``key`` is the equity KPI on the chart's vertical axis."""

    def fill(folder: Path) -> None:
        write_table(frame, folder / FRONTIER_TABLE)
        write_table(points, folder / FRONTIER_POINTS)
        if rules is not None:
            write_table(rules, folder / FRONTIER_RULES)
        chart = efficiency_equity_frontier(frame, named=points, rules=rules, y=key)
        (folder / FRONTIER_CHART).write_bytes(png(chart))

    return write_folder(out, fill, overwrite=overwrite)
