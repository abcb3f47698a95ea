"""Sweeps: more budget never lowers the objective; warm re-solves equal cold ones; the frontier."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import UsageError
from allocator.studies.frontier import frontier
from allocator.studies.sweep import next_money, parse_values, sweep
from allocator.studies.variants import WarmSolver, with_setting
from tests.test_rules import rich_scenario
from tests.toy import toy_scenario, write_toy

pytestmark = pytest.mark.cli

MONOTONE = 1e-7


def test_parse_values() -> None:
    assert parse_values("0.5:1.5:3") == [0.5, 1.0, 1.5]
    assert parse_values("1,2.5") == [1.0, 2.5]
    with pytest.raises(UsageError):
        parse_values("a:b")


def test_with_setting_validates_dotted_keys() -> None:
    s = rich_scenario()
    assert with_setting(s, "budget.scale", 0.9).settings.budget.scale == 0.9
    assert with_setting(s, "policy.equity_weight", 0.5).settings.policy.equity_weight == 0.5
    amount = with_setting(s, "funders.Fond.amount", 0).settings.funders["Fond"].amount
    assert amount == 0
    assert s.settings.budget.scale == 1.0  # the original is untouched
    for key, value in [("budget.scal", 1), ("policy.equity_weight", 2), ("funders.X.amount", 1)]:
        with pytest.raises(UsageError):
            with_setting(s, key, value)


@pytest.mark.parametrize("equity", [0.0, 0.4])
def test_objective_never_falls_as_the_budget_grows(equity: float) -> None:
    curve = sweep(rich_scenario(equity_weight=equity), "budget.scale", parse_values("0:2:11"))
    assert (curve["status"] == "optimal").all()
    objective = curve.sort_values("budget_total")["objective"].tolist()
    assert all(b >= a - MONOTONE for a, b in pairwise(objective))
    assert curve["marginal_objective_per_100k"].iloc[:-1].ge(-MONOTONE).all()


def test_budget_variants_reuse_one_model_and_match_cold_solves() -> None:
    base = rich_scenario(equity_weight=0.2)
    warm = WarmSolver()
    values = [0.3, 1.0, 0.6]
    curve = sweep(base, "funders.Comune.amount", [v * 1500 for v in values], warm)
    assert (warm.built, warm.reused) == (1, 2)
    cold = sweep(base, "funders.Comune.amount", [v * 1500 for v in values], WarmSolver(False))
    assert curve["objective"].tolist() == pytest.approx(cold["objective"].tolist(), abs=1e-9)


def test_a_reused_model_is_the_model_built_for_the_variant() -> None:
    # the cheaper-plan tie-break is bounded by the budget: a reused model must re-weigh it, so
    # that who pays what is what a fresh build gives (a large budget makes the bound bind)
    base = rich_scenario(equity_weight=0.2)
    warm = WarmSolver()
    warm.run(base)
    for amount in (450.0, 75_000.0):
        variant = with_setting(base, "funders.Comune.amount", amount)
        reused, fresh = warm.run(variant), WarmSolver(False).run(variant)
        assert reused.model is not None and fresh.model is not None
        assert reused.model.cost_per_euro == pytest.approx(fresh.model.cost_per_euro, rel=1e-12)
        assert reused.plan is not None and fresh.plan is not None
        assert reused.plan.funding.equals(fresh.plan.funding)
    assert warm.reused == 2


def test_marginal_value_per_100k_on_a_hand_solved_curve() -> None:
    """10 € a beneficiary, need 30: each euro serves 0.1 until 300 €, so 10,000 per 100k €."""
    curve = sweep(toy_scenario(100.0), "budget.scale", [1.0, 2.0, 4.0])
    assert curve["marginal_beneficiaries_per_100k"].iloc[0] == pytest.approx(10_000)
    assert curve["marginal_beneficiaries_per_100k"].iloc[1] == pytest.approx(5_000)


def test_next_100k_is_a_re_solve_at_todays_budget() -> None:
    """10 € a beneficiary, need 30, budget 100 €: 100.000 € more serve the 20 still in need."""
    more = next_money(toy_scenario(100.0))
    assert more["budget_total"] == pytest.approx(100.0)
    assert more["beneficiaries_served_gain"] == pytest.approx(20.0)


def test_frontier_by_equity_floor_trades_efficiency_for_equity() -> None:
    curve = frontier(rich_scenario(), 4)
    floors = curve["equity_floor"].tolist()
    assert floors == sorted(floors) and len(floors) == 4
    # every plan meets its floor, and more equity never buys more efficiency
    assert (curve["worst_areas_coverage"] >= curve["equity_floor"] - 1e-6).all()
    assert curve["weighted_coverage"].diff().iloc[1:].le(1e-9).all()


@pytest.mark.usefixtures("toy_loading")
def test_sweep_and_frontier_commands_write_csv_and_png(tmp_path: Path) -> None:
    toy = write_toy(tmp_path / "toy", "budget 100")
    runner = CliRunner()
    out = tmp_path / "sweep"
    args = ["sweep", str(toy), "--param", "budget.scale", "--values", "0.5:1.5:3", "--out"]
    result = runner.invoke(app, [*args, str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {".allocator-run", "sweep.csv", "sweep.png"}
    bad = runner.invoke(app, ["sweep", str(toy), "--param", "budget.x", "--values", "1"])
    assert bad.exit_code == 2
    out = tmp_path / "frontier"
    args = ["frontier", str(toy), "--points", "3", "--scenario", str(toy), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"frontier.csv", "scenarios.csv", "frontier.png"}


def test_points_beaten_on_one_coverage_and_matched_on_the_other_are_dominated() -> None:
    from allocator.studies.sweep import dominated

    frame = pd.DataFrame(
        {
            "weighted_coverage": [0.50, 0.50, 0.15, 0.40, 0.50],
            "min_area_coverage": [0.15, 0.15, 0.15, 0.30, 0.10],
        }
    )
    assert dominated(frame, y="min_area_coverage") == [False, False, True, False, True]


@pytest.mark.slow
def test_sweep_and_frontier_on_the_milan_scenario_through_the_cli(tmp_path: Path) -> None:
    """Real files and loader: the budget curve never falls, the frontier's files are written."""
    from typer.testing import CliRunner

    from allocator.cli import app

    milano = Path(__file__).resolve().parents[1] / "scenarios" / "milano"
    runner = CliRunner()
    values = ["--param", "budget.scale", "--values", "0.6,1.0,1.4"]
    swept = runner.invoke(app, ["sweep", str(milano), *values, "--out", str(tmp_path / "sweep")])
    assert swept.exit_code == 0, swept.output
    curve = pd.read_csv(tmp_path / "sweep" / "sweep.csv").sort_values("budget_total")
    assert (curve["objective"].diff().dropna() >= -1e-7).all()
    assert (tmp_path / "sweep" / "sweep.png").stat().st_size > 0
    front = runner.invoke(
        app, ["frontier", str(milano), "--points", "3", "--out", str(tmp_path / "frontier")]
    )
    assert front.exit_code == 0, front.output
    frame = pd.read_csv(tmp_path / "frontier" / "frontier.csv")
    assert len(frame) == 3 and "dominated" in frame and "equity_floor" in frame
