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


# ---------------------------------------------------------------- the archive read as read (21)

HUGE = "9223372036854775808"  # one more than SQLite's largest integer


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def three_plans(scenario: Path, tmp_path: Path) -> Path:
    """An archive of three plans of the small scenario (solved once, recorded three times)."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario

    result = run_scenario(load_scenario(scenario))
    path = tmp_path / "h.sqlite"
    with Archive(path) as archive:
        for label in ("uno", "due", "tre"):
            archive.record(result, label=label)
    return path


def older_archive(path: Path) -> Path:
    """An archive as an earlier version might have left it: ours, schema 0, rollback journal,
    a runs table without some columns and no run_tables."""
    from allocator.outputs.archive import APPLICATION_ID

    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, "
        "scenario TEXT NOT NULL, status TEXT NOT NULL, kpis TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO runs (created, scenario, status, kpis) VALUES "
        "('2026-03-01T10:00:00+00:00', 'piano di marzo', 'optimal', '{\"coverage\": 0.5}')"
    )
    db.commit()
    db.close()
    return path


def pragma(path: Path, name: str) -> object:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        db.close()


def test_an_older_archive_is_refused_unchanged_and_migrated_only_when_asked(
    scenario: Path, tmp_path: Path
) -> None:
    path = older_archive(tmp_path / "old.sqlite")
    before = digest(path)
    for args in (["history", "list"], ["history", "show", "1"], ["run", scenario, "--quiet"]):
        result = invoke(
            *args, "--history", path, *(["--out", tmp_path / "o"] if "run" in args else [])
        )
        assert result.exit_code == EXIT_INPUT, result.output
        assert "allocator history migrate" in " ".join(result.output.split())
    assert digest(path) == before and not (tmp_path / "o").exists()
    assert (pragma(path, "journal_mode"), pragma(path, "user_version")) == ("delete", 0)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "s") == ["old.sqlite"]
    migrated = invoke("history", "migrate", "--history", path)
    assert migrated.exit_code == EXIT_OK, migrated.output
    (copy,) = tmp_path.glob("old.sqlite.schema0-*.bak")
    assert digest(copy) == before and str(copy) in migrated.output.replace("\n", "")
    assert pragma(path, "user_version") == 1
    listed = invoke("history", "list", "--history", path)
    assert listed.exit_code == EXIT_OK and "piano di marzo" in listed.output
    again = invoke("history", "migrate", "--history", path)
    assert again.exit_code == EXIT_OK and "nulla da fare" in again.output


def test_reading_commands_never_change_a_healthy_archive(three_plans: Path, tmp_path: Path) -> None:
    db = sqlite3.connect(three_plans)
    db.execute("PRAGMA journal_mode = DELETE")  # an archive as a copy from elsewhere may be
    db.close()
    before = digest(three_plans)
    for args in (
        ["history", "list"],
        ["history", "show", "2"],
        ["history", "compare", "1", "2"],
        ["report", "3", "--out", tmp_path / "r.html"],
    ):
        result = invoke(*args, "--history", three_plans)
        assert result.exit_code == EXIT_OK, (args, result.output)
    assert digest(three_plans) == before
    assert pragma(three_plans, "journal_mode") == "delete"


def test_a_missing_archive_is_listed_empty_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "none" / "h.sqlite"
    result = invoke("history", "list", "--history", path)
    assert result.exit_code == EXIT_OK and "vuoto" in result.output
    shown = invoke("history", "show", "1", "--history", path)
    assert shown.exit_code == EXIT_INPUT and "#1" in shown.output
    assert not (tmp_path / "none").exists()


def test_a_record_with_bad_json_is_refused_by_its_id_and_the_others_stay_readable(
    three_plans: Path,
) -> None:
    db = sqlite3.connect(three_plans)
    db.execute("UPDATE runs SET kpis = '{not json' WHERE id = 2")
    db.commit()
    db.close()
    listed = invoke("history", "list", "--history", three_plans)
    assert listed.exit_code == EXIT_OK, listed.output
    assert "uno" in listed.output and "tre" in listed.output
    assert "Il piano #2 è danneggiato" in " ".join(listed.output.split())
    shown = invoke("history", "show", "2", "--history", three_plans)
    assert shown.exit_code == EXIT_INPUT and "#2" in shown.output and "danneggiato" in shown.output
    assert invoke("history", "show", "1", "--history", three_plans).exit_code == EXIT_OK


def test_a_damaged_stored_table_is_refused_by_its_id(three_plans: Path, tmp_path: Path) -> None:
    db = sqlite3.connect(three_plans)
    db.execute("UPDATE run_tables SET content = 'x,y\n1,2\n' WHERE run_id = 3 AND name = 'areas'")
    db.commit()
    db.close()
    for args in (
        ["history", "show", "3"],
        ["history", "compare", "1", "3"],
        ["report", "3", "--out", tmp_path / "r.html"],
    ):
        result = invoke(*args, "--history", three_plans)
        assert result.exit_code == EXIT_INPUT, (args, result.output)
        assert "#3" in result.output and "Traceback" not in result.output
    assert invoke("history", "show", "1", "--history", three_plans).exit_code == EXIT_OK
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["history", "show", HUGE],
        ["history", "compare", "1", HUGE],
        ["history", "label", HUGE, "x"],
        ["report", HUGE, "--out", "never.html"],
        ["history", "show", "0"],
    ],
)
def test_ids_out_of_range_are_refused_with_a_message(three_plans: Path, args: list[str]) -> None:
    before = digest(three_plans)
    result = invoke(*args, "--history", three_plans)
    assert result.exit_code == EXIT_INPUT, result.output
    assert "non è il numero di un piano" in " ".join(result.output.split())
    assert digest(three_plans) == before


def test_archive_messages_follow_the_language(three_plans: Path) -> None:
    from allocator.lang import set_lang

    try:
        result = invoke("--lang", "en", "history", "show", "99", "--history", three_plans)
    finally:
        set_lang(None)  # the option holds for the process: later tests read Italian
    assert result.exit_code == EXIT_INPUT
    assert "holds no plan #99" in " ".join(result.output.split())


def test_a_healthy_archive_on_a_read_only_folder_is_readable(three_plans: Path) -> None:
    import shutil
    import subprocess
    import sys
    import tempfile

    from tests.test_run_folders import ROOT, _as_unprivileged

    base = Path(tempfile.mkdtemp(prefix="allocator-read-only-archive-"))
    try:
        base.chmod(0o755)
        folder = base / "read-only"
        folder.mkdir()
        shutil.copy(three_plans, folder / "h.sqlite")
        (folder / "h.sqlite").chmod(0o444)
        folder.chmod(0o555)
        before = digest(folder / "h.sqlite")
        command = [*_as_unprivileged(), sys.executable, str(ROOT / "cli.py"), "history", "list"]
        command += ["--history", str(folder / "h.sqlite")]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
        after = digest(folder / "h.sqlite"), sorted(p.name for p in folder.iterdir())
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)
    assert done.returncode == EXIT_OK, done.stderr + done.stdout
    assert "uno" in done.stdout and "tre" in done.stdout
    assert after == (before, ["h.sqlite"])
