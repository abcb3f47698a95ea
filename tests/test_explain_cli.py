"""``allocator run`` with and without ``--explain``, on an in-memory scenario (no loader)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_INFEASIBLE
from allocator.inputs.schema import Scenario
from tests.builders import scenario
from tests.test_explain import staff_role
from tests.test_model_exact import two_areas

pytestmark = pytest.mark.cli


def use_scenario(monkeypatch: pytest.MonkeyPatch, s: Scenario) -> None:
    """Make ``load_scenario`` return ``s`` whatever folder is given."""
    stub = types.ModuleType("allocator.inputs.loading")
    stub.load_scenario = lambda *_args, **_kwargs: s  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "allocator.inputs.loading", stub)


def money_bound() -> Scenario:
    return scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 5000}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 5000}],
        funders=[{"funder_id": "F", "name": "Comune", "kind": "public", "amount": 1000}],
    )


def test_run_prints_the_short_form_and_writes_no_explanation_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_scenario(monkeypatch, money_bound())
    out = tmp_path / "plain"
    result = CliRunner().invoke(app, ["run", "x", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Perché questo piano" in result.output
    assert "fondi esauriti" in result.output
    assert not (out / "marginal_values.csv").exists()
    for name in ("limits", "strengthen", "idle_capacity"):
        assert (out / f"{name}.csv").exists()


def test_run_explain_writes_the_tables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_scenario(monkeypatch, money_bound())
    out = tmp_path / "explained"
    result = CliRunner().invoke(app, ["run", "x", "--out", str(out), "--explain", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "about 1,000 minors more" in result.output
    for name in ("marginal_values", "limits", "strengthen", "idle_capacity"):
        assert (out / f"{name}.csv").exists()
    mv = pd.read_csv(out / "marginal_values.csv")
    assert mv.loc[0, "resource_id"] == "F" and mv.loc[0, "beneficiaries_gain"] == 1000


def test_run_infeasible_names_the_conflict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    use_scenario(monkeypatch, s)
    result = CliRunner().invoke(app, ["run", "x", "--out", str(tmp_path / "none")])
    assert result.exit_code == EXIT_INFEASIBLE
    assert "Conflitto 1" in result.output
