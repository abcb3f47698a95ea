"""Comparison tables on a hand-built pair: the same scenario with a budget of 100 € and 150 €."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.optimization.pipeline import run_scenario
from allocator.render.comparison import write_comparison
from allocator.render.formats import number
from allocator.studies.compare import (
    RuleApplied,
    comparable_objectives,
    compare_plans,
    compare_results,
)
from allocator.studies.variants import with_setting
from tests.toy import toy_scenario, write_toy

pytestmark = pytest.mark.cli

EXACT = 1e-6


def pair() -> tuple[pd.DataFrame, ...]:
    """At 10 € a beneficiary, 100 € serve 10 and 150 € serve 15 of a need of 30."""
    low, high = run_scenario(toy_scenario(100.0)).plan, run_scenario(toy_scenario(150.0)).plan
    assert low is not None and high is not None
    c = compare_plans({"base": low, "più budget": high}, {"P": "Cooperativa P"})
    return c.kpis, c.areas, c.interventions, c.partners, c.winners_losers


def test_kpis_side_by_side_with_differences_to_the_first() -> None:
    kpis = pair()[0].set_index("kpi")
    assert kpis.loc["beneficiaries_served", "base"] == pytest.approx(10, abs=EXACT)
    assert kpis.loc["beneficiaries_served", "più budget"] == pytest.approx(15, abs=EXACT)
    assert kpis.loc["beneficiaries_served", "Δ più budget"] == pytest.approx(5, abs=EXACT)
    assert kpis.loc["funded", "Δ più budget"] == pytest.approx(50, abs=EXACT)
    assert kpis.loc["coverage", "Δ più budget"] == pytest.approx(5 / 30, abs=EXACT)


def test_areas_interventions_and_partners_show_the_change() -> None:
    _, areas, interventions, partners, winners = pair()
    a = areas.set_index("area_id").loc["A"]
    assert a["need"] == pytest.approx(30)
    assert a["Δ served più budget"] == pytest.approx(5, abs=EXACT)
    assert a["Δ coverage più budget"] == pytest.approx(1 / 6, abs=EXACT)
    assert a["Δ cost più budget"] == pytest.approx(50, abs=EXACT)
    k = interventions.set_index("intervention_id").loc["k"]
    assert k["served base"] == pytest.approx(10, abs=EXACT)
    p = partners.set_index("partner_id").loc["P"]
    assert p["name"] == "Cooperativa P"
    assert p["Δ euros più budget"] == pytest.approx(50, abs=EXACT)
    assert list(zip(winners["kind"], winners["side"], winners["id"], strict=True)) == [
        ("area", "gains", "A"),
        ("partner", "gains", "P"),
    ]
    assert winners["delta_beneficiaries"].tolist() == pytest.approx([5, 5], abs=EXACT)


def test_workbook_csvs_and_minutes_are_written_atomically(tmp_path: Path) -> None:
    runs = [run_scenario(toy_scenario(100.0, "base")), run_scenario(toy_scenario(150.0, "base"))]
    comparison, descriptions = compare_results(runs, with_rules=True)
    assert comparison.labels[:2] == ("base", "base (2)")
    assert any(label.startswith("regola:") for label in comparison.labels)
    out = write_comparison(comparison, tmp_path / "cmp", descriptions=descriptions)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            ".allocator-run",
            "comparison.xlsx",
            "summary.md",
            *(f"{n}.csv" for n in comparison.tables()),
        ]
    )
    sheets = pd.ExcelFile(out / "comparison.xlsx").sheet_names
    assert sheets == list(comparison.tables())
    summary = (out / "summary.md").read_text()
    assert "| beneficiari raggiunti | 10 | 15 |" in summary
    rules = [d for d in descriptions.values() if isinstance(d, RuleApplied)]
    assert rules and {d.applied_to for d in rules} == {"base"}
    assert "regola empirica applicata a base" in summary
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]  # no staging folder left


def test_objectives_that_weigh_equity_differently_are_not_set_side_by_side(
    tmp_path: Path,
) -> None:
    plain = run_scenario(toy_scenario(100.0))
    weighted = run_scenario(with_setting(toy_scenario(100.0), "policy.equity_weight", 0.5))
    same = compare_results([plain, run_scenario(toy_scenario(150.0))])[0]
    assert same.objective_compared and "objective" in set(same.kpis["kpi"])
    other, descriptions = compare_results([plain, weighted])
    assert not other.objective_compared
    assert "objective" not in set(other.kpis["kpi"])
    assert "beneficiaries_served" in set(other.kpis["kpi"])  # the rest is still compared
    written = write_comparison(other, tmp_path / "c", descriptions=descriptions)
    minutes = (written / "summary.md").read_text(encoding="utf-8")
    assert "| obiettivo (0-1) |" not in minutes
    assert "L'obiettivo (0-1) non è confrontato" in minutes
    assert comparable_objectives([{"equity_weight": 0.2}, None]) is False
    # without weight on equity the measure does not enter the objective: still comparable
    unweighted = [
        {"equity_weight": 0.0, "equity_measure": "min", "equity_share": 0.2},
        {"equity_weight": 0.0, "equity_measure": "worst_share", "equity_share": 0.3},
    ]
    assert comparable_objectives(unweighted) is True
    with_weight = [dict(policy, equity_weight=0.2) for policy in unweighted]
    assert comparable_objectives(with_weight) is False


def test_italian_numbers() -> None:
    assert number(1234567.8, "it") == "1.234.568"
    assert number(0.5, "it", 1) == "0,5"


@pytest.mark.usefixtures("toy_loading")
def test_compare_command(tmp_path: Path) -> None:
    low = write_toy(tmp_path / "low", "budget 100")
    high = write_toy(tmp_path / "high", "budget 150")
    result = CliRunner().invoke(
        app, ["compare", str(low), str(high), "--with-rules", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "summary.md").exists()
    again = CliRunner().invoke(app, ["compare", str(low), "--out", str(tmp_path / "out")])
    assert again.exit_code == 2


@pytest.mark.usefixtures("toy_loading")
def test_compare_command_exits_3_when_a_scenario_is_infeasible(tmp_path: Path) -> None:
    low = write_toy(tmp_path / "low", "budget 100")
    bad = write_toy(tmp_path / "bad", "infeasible")
    result = CliRunner().invoke(app, ["compare", str(low), str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3
    assert not (tmp_path / "o").exists()
