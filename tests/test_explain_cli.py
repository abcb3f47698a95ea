"""``allocator run`` with and without ``--explain``, on an in-memory scenario (no loader)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from allocator.cli import app
from allocator.cli.base import using_loader
from allocator.errors import EXIT_INFEASIBLE
from allocator.inputs.schema import Scenario
from tests.builders import scenario
from tests.test_explain import staff_role
from tests.test_model_exact import two_areas

pytestmark = pytest.mark.cli


def run_on(s: Scenario, args: list[str]) -> Result:
    """Invoke the CLI with a loader that returns ``s`` whatever folder is given."""
    with using_loader(lambda *_args: s):
        return CliRunner().invoke(app, args)


def money_bound() -> Scenario:
    return scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 5000}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 5000}],
        funders=[{"funder_id": "F", "name": "Comune", "kind": "public", "amount": 1000}],
    )


def test_run_prints_the_short_form_and_writes_no_explanation_tables(tmp_path: Path) -> None:
    out = tmp_path / "plain"
    result = run_on(money_bound(), ["run", "x", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Perché questo piano" in result.output
    assert "fondi esauriti" in result.output
    assert not (out / "marginal_values.csv").exists()
    for name in ("limits", "strengthen", "idle_capacity"):
        assert (out / f"{name}.csv").exists()


def test_run_explain_writes_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "explained"
    result = run_on(money_bound(), ["run", "x", "--out", str(out), "--explain", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "about 1,000 minors more" in result.output
    for name in ("marginal_values", "limits", "strengthen", "idle_capacity"):
        assert (out / f"{name}.csv").exists()
    mv = pd.read_csv(out / "marginal_values.csv")
    assert mv.loc[0, "resource_id"] == "F" and mv.loc[0, "beneficiaries_gain"] == 1000


def test_run_infeasible_names_the_conflict(tmp_path: Path) -> None:
    s = scenario(
        areas=two_areas(),
        staff=[staff_role("R1", 100)],
        funders=[{"funder_id": "F2", "name": "F2", "kind": "public", "amount": 1000}],
        earmarks=[{"funder_id": "F2", "intervention_id": "*", "area_id": "A"}],
    )
    result = run_on(s, ["run", "x", "--out", str(tmp_path / "none")])
    assert result.exit_code == EXIT_INFEASIBLE
    assert "Conflitto 1" in result.output
