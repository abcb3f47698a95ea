"""allocator run records its runs; allocator history list | show | compare | label; report ID."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from allocator.cli import app
from allocator.errors import EXIT_INPUT, EXIT_OK
from allocator.outputs.archive import Archive
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.cli


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "s")


def test_run_records_every_run_unless_told_not_to(
    scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = tmp_path / "h.sqlite"
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(history))
    first = invoke("run", scenario, "--out", tmp_path / "a", "--quiet", "--label", "marzo")
    assert first.exit_code == EXIT_OK, first.output
    assert "piano #1" in first.output
    second = invoke(
        "run", scenario, "--out", tmp_path / "b", "--quiet", "--set", "budget.scale=0.5"
    )
    assert second.exit_code == EXIT_OK, second.output
    skipped = invoke("run", scenario, "--out", tmp_path / "c", "--quiet", "--no-history")
    assert skipped.exit_code == EXIT_OK and "archivio" not in skipped.output
    elsewhere = tmp_path / "other.sqlite"
    third = invoke("run", scenario, "--out", tmp_path / "d", "--quiet", "--history", elsewhere)
    assert third.exit_code == EXIT_OK
    with Archive(history) as archive:
        runs = archive.runs()
    assert [(r.run_id, r.label, r.overrides) for r in runs] == [
        (1, "marzo", []),
        (2, "", ["budget.scale=0.5"]),
    ]
    with Archive(elsewhere) as archive:
        assert len(archive.runs()) == 1


def test_history_list_show_label_compare_and_report(scenario: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite"
    for out, extra in (("a", []), ("b", ["--set", "budget.scale=0.5"])):
        result = invoke(
            "run", scenario, "--out", tmp_path / out, "--quiet", "--history", history, *extra
        )
        assert result.exit_code == EXIT_OK, result.output

    listed = invoke("history", "list", "--history", history)
    assert listed.exit_code == EXIT_OK, listed.output
    assert "Archivio dei piani" in listed.output and "ottimo" in listed.output
    assert listed.output.count("│ 1 ") + listed.output.count("│ 2 ") == 2

    labelled = invoke(
        "history", "label", "2", "metà dei fondi", "--history", history, "--note", "ipotesi"
    )
    assert labelled.exit_code == EXIT_OK, labelled.output
    shown = invoke("history", "show", "2", "--history", history, "--out", tmp_path / "recalled")
    assert shown.exit_code == EXIT_OK, shown.output
    for words in (
        "metà dei fondi",
        "ipotesi",
        "budget.scale=0.5",
        "sha256",
        "copertura del bisogno",
    ):
        assert words in shown.output
    book = load_workbook(tmp_path / "recalled" / "results.xlsx")
    settings = {r[0]: r[1] for r in book["Impostazioni"].iter_rows(values_only=True)}
    assert settings["Nome del piano"] == "metà dei fondi" and settings["Nota"] == "ipotesi"
    assert settings["Scala degli importi dei finanziatori"] == "50% di quelli dello scenario"
    partners = {r[0] for r in book["Assegnazione"].iter_rows(min_row=2, values_only=True)}
    assert "Cooperativa Aurora" in partners  # names without the inputs, from the archive

    compared = invoke(
        "history", "compare", "1", "2", "--history", history, "--out", tmp_path / "cmp"
    )
    assert compared.exit_code == EXIT_OK, compared.output
    assert "Δ" in compared.output and "ottimo" in compared.output
    assert "-50,0 pp" not in compared.output and "pp" in compared.output
    summary = (tmp_path / "cmp" / "summary.md").read_text(encoding="utf-8")
    assert "#2 metà dei fondi" in summary and "#1 Small test scenario" in summary
    assert {"kpis.csv", "areas.csv", "comparison.xlsx", "summary.md"} <= {
        p.name for p in (tmp_path / "cmp").iterdir()
    }

    report = invoke("report", "2", "--history", history, "--out", tmp_path / "r.html")
    assert report.exit_code == EXIT_OK, report.output
    assert "budget.scale=0.5" in (tmp_path / "r.html").read_text(encoding="utf-8")

    missing = invoke("history", "show", "7", "--history", history)
    assert missing.exit_code == EXIT_INPUT and "#7" in missing.output


def test_history_of_an_empty_archive(tmp_path: Path) -> None:
    result = invoke("history", "list", "--history", tmp_path / "new.sqlite")
    assert result.exit_code == EXIT_OK and "vuoto" in result.output


@pytest.mark.parametrize("kind", ["foreign", "text", "damaged"])
def test_an_unusable_archive_is_refused_with_exit_2_and_never_overwritten(
    scenario: Path, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "h.sqlite"
    if kind == "foreign":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE orders (id INTEGER)")
        db.commit()
        db.close()
    elif kind == "text":
        path.write_text("not a database")
    else:
        assert (
            invoke("run", scenario, "--out", tmp_path / "x", "--quiet", "--history", path).exit_code
            == 0
        )
        data = bytearray(path.read_bytes())
        data[4096:] = b"\x00\xff" * ((len(data) - 4096) // 2)
        path.write_bytes(bytes(data))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for args in (
        ["history", "list"],
        ["run", scenario, "--out", tmp_path / "out", "--quiet"],
    ):
        result = invoke(*args, "--history", path)
        assert result.exit_code == EXIT_INPUT, result.output
        assert "non è un archivio dei piani" in " ".join(result.output.split())
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # refused before solving
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
