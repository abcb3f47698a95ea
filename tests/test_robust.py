"""The robust plan: a plan of the scenario, feasible under every sample, never worse on its measure
than the plan for the needs as given."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pulp
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.inputs.schema import Scenario
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.invariants import check_plan
from allocator.studies.robust import NOMINAL, ROBUST, robust_run, worst_share_mean
from allocator.studies.uncertainty import draw, measure, spread_sampler
from allocator.studies.variants import with_needs, with_setting
from tests.test_uncertainty import small, synth_with_spread

pytestmark = pytest.mark.property


def robust_scenario(measure_name: str, samples: int = 12) -> Scenario:
    s = with_setting(small(0.4), "policy.robust_samples", samples)
    s = with_setting(s, "policy.robust_seed", 7)
    s = with_setting(s, "policy.robust_measure", measure_name)
    s = with_setting(s, "policy.min_coverage", 0.0)
    return with_setting(s, "policy.tie_break", 0.0)


def test_worst_share_mean_counts_the_boundary_sample_in_part() -> None:
    assert worst_share_mean([5, 1, 2, 3, 4], 0.2) == pytest.approx(1.0)
    assert worst_share_mean([4, 1, 2, 3, 5, 6, 7], 0.2) == pytest.approx((1 + 0.4 * 2) / 1.4)
    assert worst_share_mean([3.0], 0.2) == pytest.approx(3.0)


@pytest.mark.parametrize("measure_name", ["expected", "worst_share"])
def test_robust_plan_is_feasible_for_every_sample_and_beats_the_nominal_plan(
    measure_name: str,
) -> None:
    s = robust_scenario(measure_name)
    sampler = spread_sampler(s)
    assert sampler is not None
    robust = robust_run(s, sampler)
    assert robust.result.status is SolveStatus.OPTIMAL
    plan = robust.result.plan
    assert plan is not None
    assert check_plan(s, plan) == []
    _, vectors = draw(sampler, 12, 7)
    for vector in vectors:
        variant = with_needs(s, vector)
        assert check_plan(variant, measure(plan, variant)) == []
    table = robust.comparison.set_index("plan")
    key = "expected_objective" if measure_name == "expected" else "worst_share_objective"
    assert table.at[ROBUST, key] >= table.at[NOMINAL, key] - 1e-7
    assert len(robust.samples) == 2 * 12


@pytest.mark.parametrize("equity_measure", ["worst_share", "min"])
def test_robust_model_maximises_the_objective_the_plan_is_measured_by(equity_measure: str) -> None:
    # with equity_share 0.6 the worst-covered areas' share spans two of the three areas, so it
    # differs from the least-covered area's: the robust model must score each sample by the
    # scenario's own equity measure, the one its KPI objective reports
    s = with_setting(robust_scenario("expected"), "policy.equity_share", 0.6)
    s = with_setting(s, "policy.equity_measure", equity_measure)
    sampler = spread_sampler(s)
    assert sampler is not None
    robust = robust_run(s, sampler)
    model = robust.result.model
    assert model is not None and robust.result.status is SolveStatus.OPTIMAL
    solved = pulp.value(model.problem.objective) / model.objective_scale
    measured = robust.comparison.set_index("plan").at[ROBUST, "expected_objective"]
    assert solved == pytest.approx(measured, abs=1e-6)


def test_robust_plan_is_seeded() -> None:
    s = robust_scenario("expected", samples=6)
    sampler = spread_sampler(s)
    assert sampler is not None
    one = robust_run(s, sampler)
    two = robust_run(s, sampler)
    assert one.result.plan is not None and two.result.plan is not None
    pd.testing.assert_frame_equal(one.result.plan.allocation, two.result.plan.allocation)
    pd.testing.assert_frame_equal(one.comparison, two.comparison)


@pytest.mark.cli
@pytest.mark.slow
def test_run_writes_the_robust_comparison(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = synth_with_spread(tmp_path / "s", 0.3)
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        ["run", str(folder), "--out", str(out), "--set", "policy.robust_samples=8",
         "--set", "solver.threads=1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "robusto" in result.output
    comparison = pd.read_csv(out / "robust.csv")
    assert list(comparison["plan"]) == [ROBUST, NOMINAL]
    assert (out / "robust_samples.csv").is_file()
