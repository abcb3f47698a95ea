"""The command line end to end: outputs, exit codes, messages, atomic writing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_OK, EXIT_SOLVER
from allocator.outputs.run_folder import RESULT_FILES
from tests.scenario_factory import small_tables, write_scenario

pytestmark = pytest.mark.cli

KPI_KEYS = {
    "status",
    "objective",
    "weighted_coverage",
    "min_area_coverage",
    "beneficiaries_served",
    "need_total",
    "unmet_need",
    "coverage",
    "shortfall_total",
    "cost_gross",
    "cofunding",
    "funded",
    "budget_total",
    "budget_used_share",
    "staff_fte",
    "partners_engaged",
    "partners_excluded",
    "solve_seconds",
}
ROOT = Path(__file__).resolve().parents[1]


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_run_writes_every_output_of_the_contract(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    out = tmp_path / "out"
    result = invoke("run", scenario, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    assert {p.name for p in out.iterdir()} >= set(RESULT_FILES)
    kpis = json.loads((out / "kpis.json").read_text())
    assert set(kpis) >= KPI_KEYS
    assert kpis["status"] == "optimal"
    assert kpis["cost_gross"] == pytest.approx(kpis["cofunding"] + kpis["funded"])
    assert kpis["partners_excluded"] == 1
    allocation = pd.read_csv(out / "allocation.csv")
    assert list(allocation.columns) == [
        "partner_id",
        "area_id",
        "intervention_id",
        "beneficiaries",
        "gross_cost",
        "cofunding",
        "funded_cost",
    ]
    assert allocation["beneficiaries"].sum() == pytest.approx(kpis["beneficiaries_served"])
    excluded = pd.read_csv(out / "excluded_partners.csv")
    assert excluded["partner_id"].tolist() == ["srl_x"]
    run = json.loads((out / "run.json").read_text())
    hashed = {Path(p).name for p in run["inputs"]}
    assert hashed >= {f"{t}.csv" for t in small_tables()} | {"scenario.toml"}
    assert run["solver"]["status"] == "optimal" and run["solver"]["name"] == "highs"
    assert run["versions"]["pulp"] and run["settings"]["name"] == "Small test scenario"
    sheets = pd.ExcelFile(out / "results.xlsx").sheet_names
    assert {"Indicatori", "Assegnazione", "Quartieri", "Finanziatori", "Personale"} <= set(sheets)
    assert "esito: ottimo" in result.output
    assert "copertura più bassa" in result.output
    english = invoke("run", scenario, "--out", tmp_path / "en", "--lang", "en")
    assert "status: optimal" in english.output and "lowest coverage" in english.output


def test_run_never_replaces_an_earlier_run_unless_asked(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    out = tmp_path / "out"
    assert invoke("run", scenario, "--out", out).exit_code == EXIT_OK
    marker = out / "mine.txt"
    marker.write_text("planner's notes")
    refused = invoke("run", scenario, "--out", out)
    assert refused.exit_code == EXIT_INPUT
    assert "--overwrite" in refused.output
    assert marker.exists()
    # the planner's notes are not the allocator's: --overwrite leaves them, and the folder, alone
    kept = invoke("run", scenario, "--out", out, "--overwrite")
    assert kept.exit_code == EXIT_INPUT and "mine.txt" in kept.output
    assert marker.read_text() == "planner's notes"
    marker.rename(tmp_path / "mine.txt")
    replaced = invoke("run", scenario, "--out", out, "--overwrite", "--set", "budget.scale=0.5")
    assert replaced.exit_code == EXIT_OK, replaced.output
    assert json.loads((out / "run.json").read_text())["overrides"] == ["budget.scale=0.5"]
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_failure_while_writing_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = write_scenario(tmp_path / "s")
    out = tmp_path / "out"
    assert invoke("run", scenario, "--out", out).exit_code == EXIT_OK
    before = sorted(p.name for p in out.iterdir())

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken)  # results.xlsx, written last
    result = invoke("run", scenario, "--out", out, "--overwrite")
    # a file-system error is named as such (exit 2), never "Unexpected error"
    assert result.exit_code == EXIT_INPUT
    assert "Errore del file system" in result.output and "disk full" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == before
    fresh = invoke("run", scenario, "--out", tmp_path / "new")
    assert fresh.exit_code == EXIT_INPUT
    assert not (tmp_path / "new").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    before = {p.name: p.read_bytes() for p in scenario.iterdir()}
    assert invoke("run", scenario, "--out", tmp_path / "out").exit_code == EXIT_OK
    assert {p.name: p.read_bytes() for p in scenario.iterdir()} == before


BAD_INPUTS: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "negative cost",
        {"interventions": [{**small_tables()["interventions"][0], "unit_cost": -5}]},
        ["interventions.csv", "row 2", "unit_cost", "-5"],
    ),
    (
        "unknown legal form",
        {"partners": [{**small_tables()["partners"][0], "legal_form": "spa"}]},
        ["partners.csv", "row 2", "legal_form", "spa"],
    ),
    (
        "unknown area in needs",
        {"needs": [{"area_id": "a9", "intervention_id": "emporio", "need": 3}]},
        ["needs.csv", "row 2", "area_id", "a9"],
    ),
    (
        "minors above population",
        {"areas": [{"area_id": "a1", "name": "X", "population": 10, "minors": 20}]},
        ["areas.csv", "row 2", "minors"],
    ),
    (
        "share above one",
        {"interventions": [{**small_tables()["interventions"][1], "max_coverage": 1.5}]},
        ["interventions.csv", "max_coverage", "1.5"],
    ),
    (
        "blank required",
        {"funders": [{"funder_id": "comune", "name": "", "kind": "public", "amount": 5}]},
        ["funders.csv", "row 2", "name"],
    ),
    (
        "not a number",
        {"funders": [{"funder_id": "comune", "name": "C", "kind": "public", "amount": "tanti"}]},
        ["funders.csv", "row 2", "amount", "tanti"],
    ),
    (
        "duplicate id",
        {"partners": [small_tables()["partners"][0], small_tables()["partners"][0]]},
        ["partners.csv", "row 3", "partner_id", "coop_aurora"],
    ),
]


@pytest.mark.parametrize(("case", "tables", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_named_exits_2_and_writes_nothing(
    tmp_path: Path,
    case: str,
    tables: dict[str, Any],
    expected: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLOCATOR_LANG", "en")  # the messages in English (Italian by default)
    scenario = write_scenario(tmp_path / "s", tables)
    out = tmp_path / "out"
    for command in (["run", scenario, "--out", out], ["validate", scenario]):
        result = invoke(*command)
        assert result.exit_code == EXIT_INPUT, (case, result.output)
        text = " ".join(result.output.split())
        for fragment in expected:
            assert fragment in text, (case, fragment, text)
        assert "Traceback" not in result.output
    assert not out.exists()


def test_validate_lists_every_problem_at_once(tmp_path: Path) -> None:
    tables = {
        "interventions": [{**small_tables()["interventions"][1], "unit_cost": -1}],
        "funders": [{"funder_id": "comune", "name": "C", "kind": "municipal", "amount": 1}],
    }
    result = invoke("validate", write_scenario(tmp_path / "s", tables))
    assert result.exit_code == EXIT_INPUT
    text = " ".join(result.output.split())
    assert "unit_cost" in text and "municipal" in text and "doposcuola" in text


def test_unknown_set_key_is_refused(tmp_path: Path) -> None:
    result = invoke("run", write_scenario(tmp_path / "s"), "--set", "policy.equity=0.3")
    assert result.exit_code == EXIT_INPUT
    assert "policy.equity" in result.output
    assert "Traceback" not in result.output


def test_infeasible_scenario_exits_3_and_says_why(tmp_path: Path) -> None:
    staff = [
        {
            "role_id": "educatore",
            "name": "Educator",
            "available_fte": 1,
            "cost_per_fte": 40000,
            "min_fte_per_area": 1,
        }
    ]
    out = tmp_path / "out"
    result = invoke("run", write_scenario(tmp_path / "s", {"staff": staff}), "--out", out)
    assert result.exit_code == EXIT_INFEASIBLE
    said = " ".join(result.output.split())
    assert "Educator: 2 quartieri × minimo 1 FTE = 2 FTE, ma solo 1 FTE disponibili" in said
    assert "educatore" not in said, "the role's name, not its id"
    assert not out.exists()


def test_solver_failure_exits_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from allocator.optimization import pipeline
    from allocator.optimization.solve import SolveOutcome, SolveStatus

    def no_plan(*_args: Any, **_kwargs: Any) -> SolveOutcome:
        return SolveOutcome(SolveStatus.ERROR, "highs", "test", 60.0, "Time limit reached")

    monkeypatch.setattr(pipeline, "solve", no_plan)
    out = tmp_path / "out"
    result = invoke("run", write_scenario(tmp_path / "s"), "--out", out)
    assert result.exit_code == EXIT_SOLVER
    assert "Time limit reached" in result.output
    assert not out.exists()


def test_csv_and_workbook_give_the_same_plan(tmp_path: Path) -> None:
    outs = []
    for xlsx in (False, True):
        scenario = write_scenario(tmp_path / f"s{xlsx}", xlsx=xlsx)
        out = tmp_path / f"out{xlsx}"
        assert invoke("run", scenario, "--out", out).exit_code == EXIT_OK
        outs.append(out)
    for name in ("allocation.csv", "areas.csv", "funders.csv", "staff.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(outs[0] / name), pd.read_csv(outs[1] / name))


def test_cbc_finds_the_same_optimum(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    kpis = []
    for solver in ("highs", "cbc"):
        out = tmp_path / solver
        result = invoke("run", scenario, "--out", out, "--solver", solver)
        assert result.exit_code == EXIT_OK, result.output
        kpis.append(json.loads((out / "kpis.json").read_text()))
    assert kpis[0]["objective"] == pytest.approx(kpis[1]["objective"], abs=1e-6)
    assert json.loads((tmp_path / "cbc" / "run.json").read_text())["solver"]["name"] == "cbc"


def test_template_writes_tables_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = invoke("template", tmp_path / "t")
    assert result.exit_code == EXIT_OK, result.output
    names = {p.name for p in (tmp_path / "t").iterdir()}
    assert {"areas.csv", "capacities.csv", "inputs.xlsx", "scenario.toml"} <= names
    again = invoke("template", tmp_path / "t")
    assert again.exit_code == EXIT_INPUT


@pytest.mark.slow
def test_the_bundled_milan_scenario_runs_by_default(tmp_path: Path) -> None:
    result = invoke("run", "--out", tmp_path / "milano")
    assert result.exit_code == EXIT_OK, result.output
    kpis = json.loads((tmp_path / "milano" / "kpis.json").read_text())
    assert kpis["status"] == "optimal"
    assert kpis["partners_excluded"] > 0


def test_cli_shim_at_the_repository_root(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "validate", str(write_scenario(tmp_path / "s"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert "dati validi" in done.stdout
