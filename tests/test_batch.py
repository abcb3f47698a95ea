"""Batch: parallel jobs, one failing scenario reported without stopping the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.batch import batch_table, find_scenarios, run_batch, worst_exit_code
from allocator.cli import app
from tests.toy import toy_loader, write_toy


def folders(root: Path) -> list[Path]:
    write_toy(root / "a-100", "budget 100")
    write_toy(root / "b-150", "budget 150")
    write_toy(root / "c-bad", "bad")
    write_toy(root / "d-infeasible", "infeasible")
    return find_scenarios(root)


@pytest.mark.parametrize("jobs", [1, 2])
def test_failures_are_reported_and_the_others_solved(tmp_path: Path, jobs: int) -> None:
    results = list(run_batch(folders(tmp_path), jobs=jobs, loader=toy_loader))
    table = batch_table(results).set_index("scenario")
    assert table.loc["a-100", "beneficiaries_served"] == pytest.approx(10)
    assert table.loc["b-150", "beneficiaries_served"] == pytest.approx(15)
    assert table.loc["c-bad", "status"] == "input"
    assert "not a toy scenario" in table.loc["c-bad", "message"]
    assert table.loc["d-infeasible", "exit_code"] == 3
    assert worst_exit_code(results) == 3
    assert worst_exit_code([r for r in results if r.ok]) == 0


def test_find_scenarios_walks_the_tree(tmp_path: Path) -> None:
    write_toy(tmp_path / "x" / "deep", "budget 1")
    assert find_scenarios(tmp_path) == [tmp_path / "x" / "deep"]


@pytest.mark.usefixtures("fake_loading")
def test_batch_command_exit_code_is_the_worst_failure(tmp_path: Path) -> None:
    folders(tmp_path)
    result = CliRunner().invoke(app, ["batch", str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 3, result.output
    assert "2 of 4 scenarios failed" in result.output
    assert (tmp_path / "batch.csv").exists()
