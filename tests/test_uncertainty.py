"""Needs resampled within their ranges: seeded, ordered quantiles, zero width gives the plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.datasets.needs import (
    ParameterSampler,
    load_parameter_table,
    load_ranges,
    need_sampler,
)
from allocator.errors import UsageError
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import run_scenario
from allocator.render.uncertainty import uncertainty_section
from allocator.studies.executor import LocalExecutor
from allocator.studies.uncertainty import (
    NOMINAL,
    REOPTIMISED,
    draw,
    latin_hypercube,
    spread_sampler,
    uncertainty,
)
from allocator.studies.variants import WarmSolver, with_needs, with_setting
from tests.builders import scenario

pytestmark = pytest.mark.property


def small(spread: float = 0.3) -> Scenario:
    """Three areas, two interventions, partners with room to move money between areas."""
    areas = ["A", "B", "C"]
    s = scenario(
        areas=[
            {"area_id": a, "name": f"Area {a}", "population": 1000, "minors": 300} for a in areas
        ],
        interventions=[
            {"intervention_id": "k", "name": "K", "unit": "minors", "unit_cost": 10,
             "max_coverage": 0.8},
            {"intervention_id": "m", "name": "M", "unit": "households", "unit_cost": 25},
        ],
        needs=[
            {"area_id": a, "intervention_id": k, "need": n}
            for a, base in zip(areas, (40, 70, 100), strict=True)
            for k, n in (("k", base), ("m", base / 2))
        ],
        partners=[
            {"partner_id": p, "name": p, "legal_form": "aps", "years_experience": 5}
            for p in ("P1", "P2", "P3")
        ],
        capacities=[
            {"partner_id": p, "area_id": a, "intervention_id": k, "capacity": 60}
            for p, a in (("P1", "A"), ("P2", "B"), ("P3", "C"), ("P1", "B"))
            for k in ("k", "m")
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1500}],
        policy={"equity_weight": 0.3, "min_coverage": 0.1},
    )  # fmt: skip
    s = with_setting(with_setting(s, "uncertainty.need_spread", spread), "solver.threads", 1)
    return with_setting(s, "solver.mip_gap", 0.0)


def test_latin_hypercube_has_one_point_per_stratum_and_is_seeded() -> None:
    points = latin_hypercube(10, 3, seed=5)
    for d in range(3):
        assert sorted(np.floor(points[:, d] * 10).astype(int)) == list(range(10))
    assert np.array_equal(points, latin_hypercube(10, 3, seed=5))
    assert not np.array_equal(points, latin_hypercube(10, 3, seed=6))


def test_spread_draws_stay_within_the_declared_spread() -> None:
    s = small(0.3)
    sampler = spread_sampler(s)
    assert sampler is not None
    _, vectors = draw(sampler, 20, seed=1)
    given = {(n.area_id, n.intervention_id): n.need for n in s.needs}
    for vector in vectors:
        for key, need in vector.items():
            assert 0.7 * given[key] - 1e-9 <= need <= 1.3 * given[key] + 1e-9


def test_study_is_seeded_and_its_quantiles_are_ordered() -> None:
    s = small()
    sampler = spread_sampler(s)
    assert sampler is not None
    first = uncertainty(s, sampler, samples=12, seed=3)
    again = uncertainty(s, sampler, samples=12, seed=3)
    pd.testing.assert_frame_equal(first.areas, again.areas)
    pd.testing.assert_frame_equal(first.samples, again.samples)
    pd.testing.assert_frame_equal(first.parameters, again.parameters)
    other = uncertainty(s, sampler, samples=12, seed=4)
    assert not first.parameters["value"].equals(other.parameters["value"])
    areas = first.areas
    for prefix in ("", "baseline_", "funded_"):
        if f"{prefix}coverage_p10" not in areas and f"{prefix}p10" not in areas:
            continue
        low, mid, high = (
            areas[f"{prefix}coverage_{q}" if prefix != "funded_" else f"funded_{q}"]
            for q in ("p10", "p50", "p90")
        )
        assert (low <= mid + 1e-12).all() and (mid <= high + 1e-12).all()
    assert areas["prob_below_target"].between(0, 1).all()
    assert areas["prob_below_floor"].between(0, 1).all()
    assert set(first.samples["plan"]) == {NOMINAL, REOPTIMISED}
    assert (first.samples["status"] != "error").all()


def test_the_plan_re_optimised_for_each_sample_does_at_least_as_well_as_the_fixed_plan() -> None:
    s = small()
    sampler = spread_sampler(s)
    assert sampler is not None
    study = uncertainty(s, sampler, samples=8, seed=2)
    wide = study.samples.pivot(index="sample", columns="plan", values="objective")
    assert (wide[REOPTIMISED] >= wide[NOMINAL] - 1e-6).all()


def test_zero_width_ranges_give_the_nominal_plan_in_every_sample() -> None:
    s = small(0.0)
    sampler = spread_sampler(s)
    assert sampler is not None and sampler.dimensions == ()
    study = uncertainty(s, sampler, samples=4, seed=9)
    nominal = run_scenario(s).plan
    assert nominal is not None
    for plan in (NOMINAL, REOPTIMISED):
        rows = study.samples[study.samples["plan"] == plan]
        assert np.allclose(rows["objective"], nominal.kpis["objective"], atol=1e-9)
        assert np.allclose(rows["weighted_coverage"], nominal.kpis["weighted_coverage"])
    areas = study.areas
    for q in ("p10", "p50", "p90"):
        assert np.allclose(areas[f"coverage_{q}"], areas["coverage_nominal"], atol=1e-12)


def test_milano_parameter_ranges_of_zero_width_give_the_needs_back_exactly() -> None:
    s = load_scenario(None)
    sampler = need_sampler(s)
    assert isinstance(sampler, ParameterSampler)
    assert len(sampler.dimensions) > 10
    point = dataclasses.replace(
        sampler, ranges={k: (v, v, "") for k, v in sampler.parameters.items()}
    )
    assert point.dimensions == ()
    _, vectors = draw(point, 3, seed=1)
    given = {(n.area_id, n.intervention_id): n.need for n in s.needs}
    assert all(vector == given for vector in vectors)
    _, wide = draw(sampler, 3, seed=1)
    assert any(vector != given for vector in wide)


def test_every_estimate_has_a_range_with_a_reason() -> None:
    table = load_parameter_table()
    ranges = load_ranges()
    for row in table.itertuples(index=False):
        low, high, reason = ranges[row.parameter]
        assert low <= float(row.value) <= high, row.parameter
        assert reason.strip(), row.parameter
        if row.status == "ESTIMATE":
            assert low < high, f"{row.parameter} is an ESTIMATE without a range"


def test_a_scenario_without_demographics_or_spread_is_told_what_to_declare(
    tmp_path: Path,
) -> None:
    with pytest.raises(UsageError, match="need_spread"):
        need_sampler(small(0.0).model_copy(update={"settings": scenario().settings}), tmp_path)


@pytest.mark.slow
def test_changing_needs_on_a_built_model_equals_building_anew() -> None:
    s = with_setting(load_scenario(None), "solver.threads", 1)
    rng = np.random.default_rng(0)
    warm = WarmSolver()
    warm.run(s)
    for _ in range(2):
        variant = with_needs(
            s, {(n.area_id, n.intervention_id): n.need * rng.uniform(0.6, 1.4) for n in s.needs}
        )
        reused, fresh = warm.run(variant), run_scenario(variant)
        assert reused.plan is not None and fresh.plan is not None
        pd.testing.assert_frame_equal(reused.plan.allocation, fresh.plan.allocation)
    assert warm.built == 1 and warm.reused == 2


@pytest.mark.slow
def test_local_worker_processes_give_the_same_study() -> None:
    s = small()
    sampler = spread_sampler(s)
    assert sampler is not None
    here = uncertainty(s, sampler, samples=6, seed=1)
    with LocalExecutor(2) as executor:
        there = uncertainty(s, sampler, samples=6, seed=1, executor=executor)
    pd.testing.assert_frame_equal(here.areas, there.areas)
    pd.testing.assert_frame_equal(here.samples, there.samples)


def synth_with_spread(folder: Path, spread: float) -> Path:
    """A small synthetic scenario written by ``allocator synth``, its needs declared ± spread."""
    made = CliRunner().invoke(
        app, ["synth", str(folder), "--areas", "4", "--partners", "12", "--interventions", "3"]
    )
    assert made.exit_code == 0, made.output
    with (folder / "scenario.toml").open("a", encoding="utf-8") as toml:
        toml.write(f"\n[uncertainty]\nneed_spread = {spread}\n")
    return folder


@pytest.mark.cli
@pytest.mark.slow
def test_cli_same_seed_same_files(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = synth_with_spread(tmp_path / "s", 0.25)
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = runner.invoke(
            app,
            ["uncertainty", str(folder), "--samples", "6", "--seed", "4", "--jobs", "1",
             "--out", str(out), "--set", "solver.threads=1"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(out)
    names = sorted(p.name for p in outputs[0].iterdir())
    assert "uncertainty_areas.csv" in names and "uncertainty_samples.csv" in names
    assert names == sorted(p.name for p in outputs[1].iterdir())
    for name in names:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    areas = pd.read_csv(outputs[0] / "uncertainty_areas.csv")
    assert {"area_id", "coverage_p10", "coverage_p50", "coverage_p90"} <= set(areas.columns)
    section = uncertainty_section(outputs[0], "it")
    assert "Incertezza dei bisogni" in section and "data:image/png;base64," in section
    assert "ricampionati 6 volte" in section and "seme 4" in section


@pytest.mark.cli
def test_cli_without_a_plan_for_the_given_needs_exits_3_and_says_why(tmp_path: Path) -> None:
    """One FTE of the role, a minimum of one in each of the 4 areas: no plan at all."""
    folder = synth_with_spread(tmp_path / "s", 0.25)
    staff = folder / "staff.csv"
    header, *rows = staff.read_text(encoding="utf-8").splitlines()
    first = rows[0].split(",")
    first[header.split(",").index("min_fte_per_area")] = "1"
    staff.write_text("\n".join([header, ",".join(first), *rows[1:]]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["uncertainty", str(folder), "--out", str(out)])
    assert result.exit_code == 3, result.output
    said = " ".join(result.output.split())
    assert "ruolo del personale Ruolo sintetico 1: 4 quartieri × minimo 1 FTE" in said
    assert "role_1" not in said and not out.exists()
