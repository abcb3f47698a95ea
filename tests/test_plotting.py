"""Charts: each returns a Figure whose plotted data are the plan's numbers, labelled in Italian."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle

from allocator.optimization.pipeline import RunResult
from allocator.render import plotting, tradeoffs

pytestmark = pytest.mark.unit


def rectangles(axes: Axes) -> list[Rectangle]:
    """The bars of a bar chart (matplotlib types them as plain patches)."""
    return [p for p in axes.patches if isinstance(p, Rectangle)]


def legend_of(axes: Axes) -> Legend:
    legend = axes.get_legend()
    assert legend is not None
    return legend


def test_coverage_by_area_plots_each_areas_coverage(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    areas = milano_run.plan.areas
    figure = plotting.coverage_by_area(areas)
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    widths = sorted(p.get_width() for p in rectangles(axes))
    assert widths == pytest.approx(sorted(areas.loc[areas["need"] > 0, "coverage"]))
    assert axes.get_title(loc="left") == "Copertura del bisogno per quartiere"
    assert axes.get_xlabel() == "Copertura"
    assert len(axes.get_yticklabels()) == len(areas)


def test_served_versus_need_sums_over_areas(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    ai = milano_run.plan.area_interventions
    names = {i.intervention_id: i.name for i in milano_run.scenario.interventions}
    figure = plotting.served_versus_need(ai, names)
    axes = figure.axes[0]
    heights = sorted(p.get_height() for p in rectangles(axes))
    totals = ai.groupby("intervention_id")[["need", "served"]].sum()
    assert heights == pytest.approx(sorted([*totals["need"], *totals["served"]]))
    labels = {t.get_text().replace("\n", " ") for t in axes.get_xticklabels()}
    assert labels == set(names.values())
    assert [t.get_text() for t in legend_of(axes).get_texts()] == [
        "Bisogno",
        "Beneficiari serviti",
    ]


def test_funders_spending_shows_amount_and_spent_by_kind(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    funders = milano_run.plan.funders
    figure = plotting.funders_spending(funders)
    axes = figure.axes[0]
    widths = sorted(p.get_width() for p in rectangles(axes))
    assert widths == pytest.approx(sorted([*funders["amount"], *funders["spent"]]))
    colours = {tuple(np.round(np.asarray(p.get_facecolor()), 3)) for p in axes.patches}
    assert len(colours) == 3  # available, public, private
    legend = [t.get_text() for t in legend_of(axes).get_texts()]
    assert legend == ["Disponibile", "Speso (pubblico)", "Speso (privato)"]


def test_budget_outcome_has_two_panels_a_legend_and_todays_budget() -> None:
    curve = pd.DataFrame(
        {
            "budget_total": [3e6, 1e6, 2e6],
            "weighted_coverage": [0.5, 0.2, 0.4],
            "worst_areas_coverage": [0.3, 0.1, 0.2],
            "beneficiaries_served": [900.0, 300.0, 700.0],
        }
    )
    figure = tradeoffs.budget_outcome(curve, lang="en", today=2e6)
    top, bottom = figure.axes
    x, y = top.lines[0].get_data()
    assert list(np.asarray(x)) == [1e6, 2e6, 3e6] and list(np.asarray(y)) == [300, 700, 900]
    assert list(np.asarray(bottom.lines[0].get_ydata())) == [0.2, 0.4, 0.5]
    assert bottom.get_xlabel() == "Total budget (€)"
    for axes in (top, bottom):
        texts = [t.get_text() for t in legend_of(axes).get_texts()]
        assert "today's budget" in texts
    italian = tradeoffs.budget_outcome(curve, today=2e6).axes[1].get_xlabel()
    assert "Budget" in italian and "Bilancio" not in italian


def test_frontier_joins_only_the_frontier_and_places_rules_with_their_better_plan() -> None:
    frontier = pd.DataFrame(
        {
            "weighted_coverage": [0.6, 0.55, 0.4],
            "worst_areas_coverage": [0.1, 0.3, 0.4],
            "dominated": [False, False, False],
        }
    )
    rules = pd.DataFrame(
        {
            "scenario": ["pro capite"],
            "weighted_coverage": [0.3],
            "worst_areas_coverage": [0.2],
            "better_weighted_coverage": [0.5],
            "better_worst_areas_coverage": [0.2],
        }
    )
    figure = tradeoffs.efficiency_equity_frontier(frontier, rules=rules)
    axes = figure.axes[0]
    assert len(axes.lines) == 1  # only the frontier is a line
    assert list(np.asarray(axes.lines[0].get_xdata())) == [0.6, 0.55, 0.4]
    assert axes.get_ylabel() == "Copertura dei quartieri più scoperti"
    assert "pro capite" in [t.get_text() for t in axes.texts]
    assert plotting.png(figure).startswith(b"\x89PNG")


def test_italian_numbers_on_axes() -> None:
    assert plotting.number_formatter("it")(1234567, 0) == "1.234.567"
    assert plotting.number_formatter("en")(1234567, 0) == "1,234,567"


def test_unknown_language_is_refused(milano_run: RunResult) -> None:
    assert milano_run.plan is not None
    with pytest.raises(ValueError, match="lang"):
        plotting.coverage_by_area(milano_run.plan.areas, lang="fr")
