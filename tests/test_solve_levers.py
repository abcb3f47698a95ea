"""The speed levers of issue 22 keep the model's answers: data prepared once per scenario, HiGHS's
options chosen by the model's size."""

from __future__ import annotations

import gc

import pytest

from allocator.optimization import model as model_module
from allocator.optimization.model import build_model, prepare
from allocator.optimization.solve import SMALL_MIP, highs_options, solve
from allocator.studies.variants import with_setting
from tests.test_model_exact import integer_staff

pytestmark = pytest.mark.exact


def test_prepare_is_computed_once_per_scenario_object() -> None:
    s = integer_staff()
    assert prepare(s) is prepare(s)
    scaled = with_setting(s, "budget.scale", 2.0)  # another object: its own data
    assert prepare(scaled) is not prepare(s)
    assert prepare(scaled).funder_amount["F"] == pytest.approx(2 * prepare(s).funder_amount["F"])


def test_prepared_data_goes_with_its_scenario() -> None:
    s = with_setting(integer_staff(), "budget.scale", 3.0)
    prepare(s)
    key = id(s)
    assert key in model_module._PREPARED
    del s
    gc.collect()
    assert key not in model_module._PREPARED


def test_sub_mip_heuristics_off_only_for_small_milps() -> None:
    assert highs_options(48) == {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}
    assert highs_options(SMALL_MIP + 1) == {}
    assert highs_options(0) == {}  # a linear program has no sub-MIPs to switch off


def test_a_small_milp_reaches_highs_with_its_options() -> None:
    built = build_model(integer_staff())
    outcome = solve(built)
    assert outcome.is_ok
    highs = built.problem.solverModel
    assert highs.getOptionValue("mip_heuristic_run_rins")[1] is False
    assert highs.getOptionValue("mip_heuristic_run_rens")[1] is False
    assert built.staff_posts[("cws", "A")].varValue == pytest.approx(2)
