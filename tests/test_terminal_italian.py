"""What a planner reads in the terminal: Italian by default (KPI labels of the registry, Italian
numbers, tables wrapped to 80 columns, never cut), English with --lang en or ALLOCATOR_LANG."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from allocator.cli import app
from allocator.optimization.pipeline import RunResult
from allocator.outputs.table_io import write_table
from allocator.postprocess.kpis import KPIS
from allocator.render.explain_view import change_text, explanation_view
from allocator.render.explanations import explain
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.cli
ROOT = Path(__file__).resolve().parents[1]

ENGLISH_KEYS = [k.key for k in KPIS if "_" in k.key or k.key in ("objective", "status")]
"""kpis.json keys, which a planner must never read in an Italian table."""


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def flat(output: str) -> str:
    """The words of a printed table, whatever lines and cells they were wrapped into."""
    return " ".join(re.sub(r"[│┃┏┓┗┛┡┩┳┻╇╋━─┌┐└┘├┤┬┴┼]", " ", output).split())


def has(output: str, *labels: str) -> bool:
    """Whether each label's words all appear (a wrapped header splits a label over lines)."""
    words = set(flat(output).split())
    return all(set(label.split()) <= words for label in labels)


def assert_italian_table(output: str) -> None:
    for key in ENGLISH_KEYS:
        assert key not in output, f"{key} printed in an Italian table:\n{output}"
    # no English thousands ("20,714"): Italian writes 20.714
    assert not re.search(r"\b\d{1,3}(,\d{3})+(?![\d%])", output), output
    # tables fit 80 columns; sentences are not hard-wrapped when the output is not a terminal
    for line in output.splitlines():
        if re.search(r"[│┃━─┏┗┌└]", line):
            assert len(line) <= 80, f"table wider than 80 columns: {line!r}"
    assert "…" not in output  # nothing cut


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "small")


def test_sweep_prints_italian_labels_and_numbers(scenario: Path, tmp_path: Path) -> None:
    out = invoke(
        "sweep", str(scenario), "--param", "budget.scale", "--values", "0.5,1",
        "--out", str(tmp_path / "s"),
    )  # fmt: skip
    assert_italian_table(out)
    assert has(out, "beneficiari raggiunti", "scala degli importi dei finanziatori", "ottimo")
    assert "0,5" in out  # Italian decimals
    assert "Variazione scritta in" in out
    english = invoke(
        "--lang", "en", "sweep", str(scenario), "--param", "budget.scale", "--values", "0.5,1",
        "--out", str(tmp_path / "s2"),
    )  # fmt: skip
    assert has(english, "beneficiaries served", "scale of the funders' amounts")
    assert "Sweep written to" in english


def test_frontier_prints_italian_labels(scenario: Path, tmp_path: Path) -> None:
    out = invoke("frontier", str(scenario), "--points", "3", "--out", str(tmp_path / "f"))
    assert_italian_table(out)
    assert has(out, "soglia di equità", "dominato", "copertura ponderata")


def test_compare_of_run_folders_names_every_scenario_without_solving(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write_scenario(tmp_path / "more", settings={"name": "Più fondi"})
    runs = []
    for name, folder in (("base", scenario), ("more", other)):
        runs.append(tmp_path / "runs" / name)
        invoke("run", str(folder), "--out", str(runs[-1]), "--quiet")

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("a run folder was solved again")

    monkeypatch.setattr("allocator.optimization.pipeline.run_scenario", no_solve)
    monkeypatch.chdir(tmp_path)
    out = invoke("compare", *map(str, runs))
    assert_italian_table(out)
    folder = tmp_path / "outputs" / "compare-small-test-scenario-vs-piu-fondi"
    assert folder.is_dir(), sorted(p.name for p in (tmp_path / "outputs").iterdir())
    assert has(out, "Small test scenario", "Più fondi", "Δ Più fondi")
    assert has(out, "personale (FTE): Educator")  # the role's name, read from the run's inputs
    # a second comparison with the same base and another scenario gets its own folder
    invoke("compare", str(runs[0]), str(runs[0]))
    assert (tmp_path / "outputs" / "compare-small-test-scenario-vs-small-test-scenario-2").is_dir()


def test_compare_progress_bar_and_quiet(scenario: Path, tmp_path: Path) -> None:
    loud = CliRunner().invoke(
        app, ["compare", str(scenario), str(scenario), "--with-rules", "--out", str(tmp_path / "a")]
    )
    assert loud.exit_code == 0, loud.output
    assert "6/6" in loud.output  # the bar: 2 scenarios and 4 rules of thumb
    quiet = CliRunner().invoke(
        app,
        ["compare", str(scenario), str(scenario), "--with-rules", "--quiet", "--out",
         str(tmp_path / "b")],
    )  # fmt: skip
    assert quiet.exit_code == 0 and "5/5" not in quiet.output
    assert has(quiet.output, "regola: situazione attuale")


def test_help_is_italian_by_default_and_english_when_asked() -> None:
    def helped(*args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), *args],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "COLUMNS": "100", **env},
        )
        return done.stdout + done.stderr

    italian = helped("run", "--help")
    assert "Risolve uno scenario" in italian and "Opzioni" in italian
    assert "Solve one scenario" in helped("run", "--help", ALLOCATOR_LANG="en")
    assert "Solve one scenario" in helped("--lang", "en", "run", "--help")


def test_a_bad_language_is_refused_by_name(scenario: Path) -> None:
    result = CliRunner().invoke(app, ["--lang", "fr", "validate", str(scenario)])
    assert result.exit_code == 2 and "it or en" in result.output


def test_explain_tables_show_half_posts_and_whole_names(milano_run: RunResult) -> None:
    """`run --explain` on Milan: the 0,5 FTE step of the Welfare Community Manager is shown as
    0,5 (not "0"), partners by their full name, Italian headers, nothing cut at 80 columns."""
    why = explain(milano_run, lang="it", confirm=True)
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(explanation_view(why, long=True, width=80))
    out = console.export_text()
    assert_italian_table(out)
    assert "0,5 FTE" in out and has(out, "personale Welfare Community Manager")
    assert has(out, "risorsa", "beneficiari in più", "Capacità inutilizzata")
    for word in ("resource", "dual estimate", "weighted gain", "partner_capacity"):
        assert word not in out
    assert change_text(0.5, "FTE", "it") == "0,5 FTE" and change_text(1e4, "€", "it") == "10.000 €"
    assert change_text(10, "places", "en") == "10 places"


def test_csv_numbers_carry_no_float_noise(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a"], "cost": [7065.599999999999], "unit": [1.2000000000000002]})
    text = write_table(frame, tmp_path / "t.csv").read_text()
    assert text == "id,cost,unit\na,7065.6,1.2\n"


def test_the_global_language_reaches_run_and_report(scenario: Path, tmp_path: Path) -> None:
    """`--lang en` before the command (or ALLOCATOR_LANG) is the default of run's and report's
    own --lang; Italian otherwise."""
    english = invoke("--lang", "en", "run", str(scenario), "--out", str(tmp_path / "run"))
    assert "status: optimal" in english and "Outputs written to" in english
    page = tmp_path / "report.html"
    invoke("--lang", "en", "report", str(tmp_path / "run"), "--out", str(page))
    text = page.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "Third-sector partners" in text
    assert "Proposal and status quo" in text and "Educator" in text
    invoke("report", str(tmp_path / "run"), "--out", str(page), "--overwrite")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="it">' in text and "Enti del Terzo settore" in text
