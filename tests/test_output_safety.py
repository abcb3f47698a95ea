"""Outputs never destroy what they did not write (issue 21): each reproduction of the red team
becomes a refusal (exit 2, both paths named) that leaves every file as it was."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from allocator.errors import EXIT_INPUT, EXIT_OK, UsageError
from allocator.outputs.archive import Archive
from allocator.outputs.files import write_atomically
from allocator.outputs.names import MARKER
from tests.scenario_factory import flat, invoke, write_scenario

pytestmark = pytest.mark.cli


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its sha256: what must not change."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def synth(tmp_path: Path) -> Path:
    """The red team's scenario: ``allocator synth scn --areas 3 --partners 4``."""
    folder = tmp_path / "work" / "scn"
    made = invoke("synth", folder, "--areas", 3, "--partners", 4, "--interventions", 2)
    assert made.exit_code == EXIT_OK, made.output
    return folder


def refused(result: object, *paths: Path) -> str:
    """The output of a refusal, checked: exit 2, no traceback, every path named."""
    output = flat(result.output)  # type: ignore[attr-defined]
    assert result.exit_code == EXIT_INPUT, output  # type: ignore[attr-defined]
    assert "Traceback" not in output and "inatteso" not in output
    for path in paths:
        assert str(path) in output.replace(" ", ""), (path, output)
    return output


def test_run_out_into_its_own_scenario_with_overwrite_is_refused(synth: Path) -> None:
    before = snapshot(synth)
    result = invoke("run", synth, "--out", synth, "--overwrite", "--quiet")
    assert "è un input" in refused(result, synth)
    assert snapshot(synth) == before


def test_run_out_into_the_scenarios_parent_keeps_the_scenario_and_the_notes(synth: Path) -> None:
    parent = synth.parent
    (parent / "notes.txt").write_text("appunti")
    before = snapshot(parent)
    result = invoke("run", synth, "--out", parent, "--overwrite", "--quiet")
    assert "contiene un input" in refused(result, parent, synth)
    assert snapshot(parent) == before


def test_run_out_inside_the_scenario_or_its_parent_scenario_is_refused(tmp_path: Path) -> None:
    parent = write_scenario(tmp_path / "parent")
    settings = {"name": "figlio", "extends": "../parent"}
    child = write_scenario(tmp_path / "child", base=False, settings=settings)
    inside = parent / "results"
    result = invoke("run", child, "--out", inside, "--quiet")
    assert "sta dentro un input" in refused(result, inside, parent)
    assert not inside.exists()


def test_overwrite_never_wipes_the_archive_beside_the_runs(synth: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    history = outputs / "history.sqlite"
    for name in ("a", "b"):
        done = invoke("run", synth, "--out", outputs / name, "--history", history, "--quiet")
        assert done.exit_code == EXIT_OK, done.output
    before = snapshot(outputs)
    result = invoke("run", synth, "--out", outputs, "--overwrite", "--history", history, "--quiet")
    assert "contiene l'archivio dei piani" in refused(result, outputs, history)
    assert snapshot(outputs) == before
    with Archive(history, read_only=True) as archive:
        assert [r.run_id for r in archive.runs()] == [1, 2]


def test_a_folder_the_allocator_did_not_write_is_never_replaced(
    synth: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "budget.xlsx").write_text("the planner's own")
    result = invoke("run", synth, "--out", mine, "--overwrite", "--quiet")
    assert MARKER in refused(result, mine)
    assert (mine / "budget.xlsx").read_text() == "the planner's own"
    compared = invoke("compare", synth, synth, "--out", mine, "--overwrite", "--quiet")
    refused(compared, mine)
    assert sorted(p.name for p in mine.iterdir()) == ["budget.xlsx"]


def test_every_folder_written_carries_the_marker_and_overwrite_replaces_it(
    synth: Path, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    assert invoke("run", synth, "--out", out, "--quiet").exit_code == EXIT_OK
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["kind"] == "run" and marker["version"]
    assert {"run.json", "kpis.json", "results.xlsx", "areas.csv"} <= set(marker["files"])
    half = ["--set", "budget.scale=0.5"]
    again = invoke("run", synth, "--out", out, "--overwrite", "--quiet", *half)
    assert again.exit_code == EXIT_OK, again.output
    assert json.loads((out / "run.json").read_text())["overrides"] == ["budget.scale=0.5"]


def test_a_report_onto_an_input_table_is_refused_with_or_without_overwrite(
    synth: Path, tmp_path: Path
) -> None:
    run = tmp_path / "r1"
    assert invoke("run", synth, "--out", run, "--quiet").exit_code == EXIT_OK
    table = synth / "areas.csv"
    before = table.read_bytes()
    for extra in ([], ["--overwrite"]):
        result = invoke("report", run, "--out", table, *extra)
        refused(result, table)
        assert table.read_bytes() == before


def test_a_report_onto_the_archive_is_refused(synth: Path, tmp_path: Path) -> None:
    history = tmp_path / "outputs" / "history.sqlite"
    run = tmp_path / "r1"
    done = invoke("run", synth, "--out", run, "--history", history, "--quiet")
    assert done.exit_code == EXIT_OK, done.output
    before = history.read_bytes()
    result = invoke("report", run, "--out", history, "--history", history, "--overwrite")
    assert "è l'archivio dei piani" in refused(result, history)
    assert history.read_bytes() == before


def test_a_report_replaces_only_an_earlier_report_and_only_when_asked(
    synth: Path, tmp_path: Path
) -> None:
    run = tmp_path / "r1"
    assert invoke("run", synth, "--out", run, "--quiet").exit_code == EXIT_OK
    page = tmp_path / "report.html"
    assert invoke("report", run, "--out", page).exit_code == EXIT_OK
    first = page.read_bytes()
    assert "già" in refused(invoke("report", run, "--out", page), page)
    assert page.read_bytes() == first
    assert invoke("report", run, "--out", page, "--overwrite").exit_code == EXIT_OK
    notes = tmp_path / "notes.html"
    notes.write_text("<!DOCTYPE html><p>verbale della riunione</p>")
    refused(invoke("report", run, "--out", notes, "--overwrite"), notes)
    assert "verbale" in notes.read_text()
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_batch_onto_a_table_of_its_scenario_is_refused_before_solving(synth: Path) -> None:
    needs = synth / "needs.csv"
    before = needs.read_bytes()
    result = invoke("batch", synth, "--out", needs, "--jobs", 1)
    assert "sta dentro un input" in refused(result, needs, synth)
    assert needs.read_bytes() == before
    assert "Risoluzione" not in result.output  # nothing was solved


def test_batch_replaces_its_own_table_only_with_overwrite(synth: Path, tmp_path: Path) -> None:
    table = tmp_path / "kpis.csv"
    assert invoke("batch", synth.parent, "--out", table, "--jobs", 1).exit_code == EXIT_OK
    refused(invoke("batch", synth.parent, "--out", table, "--jobs", 1), table)
    done = invoke("batch", synth.parent, "--out", table, "--jobs", 1, "--overwrite")
    assert done.exit_code == EXIT_OK, done.output
    other = tmp_path / "people.csv"
    other.write_text("name,phone\nRossi,02 1234\n")
    refused(invoke("batch", synth.parent, "--out", other, "--jobs", 1, "--overwrite"), other)
    assert "Rossi" in other.read_text()


def test_needs_keeps_a_needs_table_with_rows_unless_asked(synth: Path) -> None:
    needs = synth / "needs.csv"
    before = needs.read_bytes()
    assert "--overwrite" in refused(invoke("needs", synth), needs)
    areas = synth / "areas.csv"
    refused(invoke("needs", synth, "--out", areas, "--overwrite"), areas)
    assert needs.read_bytes() == before and b"area_id" in areas.read_bytes()


def test_history_show_out_into_the_archives_folder_is_refused(synth: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    history = outputs / "history.sqlite"
    done = invoke("run", synth, "--out", outputs / "a", "--history", history, "--quiet")
    assert done.exit_code == EXIT_OK, done.output
    result = invoke("history", "show", 1, "--history", history, "--out", outputs, "--overwrite")
    refused(result, outputs, history)
    assert sorted(p.name for p in outputs.iterdir() if not p.name.startswith("history")) == ["a"]


def test_a_single_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken(temporary: Path) -> None:
        temporary.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomically(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    previous = os.umask(0o027)
    try:
        write_atomically(target, lambda t: t.write_text("new"))
    finally:
        os.umask(previous)
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640


def test_a_folder_in_the_way_of_a_single_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_atomically(tmp_path, lambda t: t.write_text("x"))
