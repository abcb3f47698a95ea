"""Batch: parallel jobs, one failing scenario reported without stopping the others."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.studies.batch import batch_table, find_scenarios, run_batch, worst_exit_code
from tests.toy import toy_loader, write_toy

pytestmark = pytest.mark.cli


def folders(root: Path) -> list[Path]:
    write_toy(root / "a-100", "budget 100")
    write_toy(root / "b-150", "budget 150")
    write_toy(root / "c-bad", "bad")
    write_toy(root / "d-infeasible", "infeasible")
    return find_scenarios(root)


@pytest.mark.slow
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


@pytest.mark.usefixtures("toy_loading")
def test_batch_command_exit_code_is_the_worst_failure(tmp_path: Path) -> None:
    folders(tmp_path)
    out = tmp_path / "kpis" / "batch.csv"
    result = CliRunner().invoke(app, ["batch", str(tmp_path), "--jobs", "1", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "2 scenari su 4 non riusciti" in result.output
    assert out.exists()
    english = ["--lang", "en", "batch", str(tmp_path), "--jobs", "1", "--out", str(out)]
    english.append("--overwrite")  # the first run's table is there: replaced only when asked
    result = CliRunner().invoke(app, english)
    assert result.exit_code == 3, result.output
    assert "2 of 4 scenarios failed" in result.output


@pytest.mark.slow
def test_the_shipped_milan_variants_run_in_one_batch_and_compare_with_the_rules(
    tmp_path: Path,
) -> None:
    """Through the real loader: every variant under scenarios/variants solves; compare shows the
    base and two variants beside the rules of thumb; nothing is written into the scenarios."""
    variants = Path(__file__).resolve().parents[1] / "scenarios" / "variants"
    before = sorted(p.name for p in variants.rglob("*"))
    out = tmp_path / "batch.csv"
    result = CliRunner().invoke(app, ["batch", str(variants), "--jobs", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    kpis = pd.read_csv(out)
    assert len(kpis) == len(find_scenarios(variants)) >= 6
    assert set(kpis["status"]) == {"optimal"}
    assert sorted(p.name for p in variants.rglob("*")) == before
    compared = tmp_path / "compare"
    base = variants.parent / "milano"
    scenarios = [str(base), str(variants / "milano-budget-90"), str(variants / "milano-soglia-30")]
    command = ["compare", *scenarios, "--with-rules", "--out", str(compared)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(compared / "kpis.csv")
    assert table.shape[1] >= 1 + 3 + 3
    assert (compared / "summary.md").read_text(encoding="utf-8").strip()
