"""The smaller input defects of issue 21, each reproduction refused in a test: a need spread for
an intervention that does not exist, a mip_gap that would call a poor plan optimal, a sweep with
no values."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocator.errors import EXIT_INPUT, EXIT_OK
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import MAX_MIP_GAP
from tests.scenario_factory import flat, invoke, write_scenario

pytestmark = pytest.mark.cli


@pytest.fixture(autouse=True)
def italian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOCATOR_LANG", raising=False)


def test_a_need_spread_for_an_unknown_intervention_is_refused(tmp_path: Path) -> None:
    """The red team: validate accepted [uncertainty.need_spreads] K1 = 0.5, K1 unknown."""
    folder = write_scenario(tmp_path / "s", settings={"uncertainty": {"need_spreads": {"K1": 0.5}}})
    result = invoke("validate", folder)
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    assert "scenario.toml, colonna 'uncertainty.need_spreads.K1'" in text
    assert "nessun intervento 'K1' in interventions.csv" in text
    assert "doposcuola, emporio" in text


def test_a_need_spread_from_set_names_set(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    result = invoke("validate", folder, "--set", "uncertainty.need_spreads.doposcuol=0.2")
    assert result.exit_code == EXIT_INPUT
    text = flat(result.output)
    assert "--set, colonna 'uncertainty.need_spreads.doposcuol'" in text
    assert "forse 'doposcuola'" in text


def test_a_need_spread_for_a_known_intervention_is_read(tmp_path: Path) -> None:
    spreads = {"uncertainty": {"need_spreads": {"doposcuola": 0.3}}}
    folder = write_scenario(tmp_path / "s", settings=spreads)
    assert load_scenario(folder).settings.uncertainty.need_spreads == {"doposcuola": 0.3}


@pytest.mark.parametrize("gap", ["0.9", "0.051", "1"])
def test_a_mip_gap_above_the_bound_is_refused_naming_the_setting(tmp_path: Path, gap: str) -> None:
    """The red team: solver.mip_gap=0.9 reported "optimal" a plan 253 beneficiaries worse."""
    folder = write_scenario(tmp_path / "s")
    result = invoke("run", folder, "--set", f"solver.mip_gap={gap}", "--out", tmp_path / "o")
    assert result.exit_code == EXIT_INPUT, result.output
    text = flat(result.output)
    assert "--set, colonna 'solver.mip_gap'" in text and "al massimo 0,05" in text
    assert not (tmp_path / "o").exists()


def test_the_bound_itself_is_accepted(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", settings={"solver": {"mip_gap": MAX_MIP_GAP}})
    assert load_scenario(folder).settings.solver.mip_gap == 0.05


@pytest.mark.parametrize("values", ["", ",", " , "])
def test_a_sweep_without_values_is_a_usage_error(tmp_path: Path, values: str) -> None:
    """The red team: sweep --values "" exited 4 (KeyError 'budget_total')."""
    folder = write_scenario(tmp_path / "s")
    out = tmp_path / "sweep"
    result = invoke(
        "sweep", folder, "--param", "budget.scale", "--values", values, "--out", out, "--quiet"
    )
    assert result.exit_code == EXIT_INPUT, result.output
    assert "non dà nessun valore" in flat(result.output)
    assert not out.exists()


def test_a_sweep_with_one_value_still_runs(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    out = tmp_path / "sweep"
    result = invoke(
        "sweep", folder, "--param", "budget.scale", "--values", "1", "--out", out, "--quiet"
    )
    assert result.exit_code == EXIT_OK, result.output
    assert (out / "sweep.csv").read_text().count("\n") == 2
