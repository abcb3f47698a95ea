"""The archive of plans: what a record holds, concurrent writers, files that are not archives."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from allocator.inputs.loading import load_scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.outputs.archive import (
    APPLICATION_ID,
    DEFAULT_HISTORY,
    HISTORY_ENV,
    Archive,
    ArchiveError,
    history_path,
)
from allocator.outputs.run_folder import sha256
from tests.scenario_factory import write_scenario

pytestmark = pytest.mark.unit


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_record_holds_inputs_settings_status_kpis_and_tables(
    milano_run: RunResult, tmp_path: Path
) -> None:
    path = tmp_path / "h.sqlite"
    with Archive(path) as archive:
        run_id = archive.record(
            milano_run, label="marzo", note="proposta del Comune", overrides=["budget.scale=1"]
        )
        stored = archive.get(run_id)
        listed = archive.runs()
    assert [r.run_id for r in listed] == [run_id] and listed[0].tables == {}
    assert (stored.label, stored.note, stored.origin) == ("marzo", "proposta del Comune", "run")
    assert stored.scenario == milano_run.scenario.name and stored.status == "optimal"
    assert stored.overrides == ["budget.scale=1"]
    assert (
        stored.settings["policy"]["equity_weight"]
        == milano_run.scenario.settings.policy.equity_weight
    )
    files = [Path(p) for p in milano_run.scenario.source_files]
    assert stored.inputs == {str(p): sha256(p) for p in files}
    assert stored.kpis == milano_run.plan.kpis  # type: ignore[union-attr]
    plan = stored.plan()
    for name, frame in milano_run.plan.tables().items():  # type: ignore[union-attr]
        pd.testing.assert_frame_equal(plan.tables()[name], frame.reset_index(drop=True))
    names = stored.tables["partner_names"]
    assert len(names) == len(milano_run.scenario.partners)


def test_the_archive_is_sqlite_in_wal_mode_and_marked_as_ours(
    milano_run: RunResult, tmp_path: Path
) -> None:
    path = tmp_path / "deep" / "folder" / "h.sqlite"
    with Archive(path) as archive:
        archive.record(milano_run)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


def test_where_the_archive_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(HISTORY_ENV)
    assert history_path() == DEFAULT_HISTORY == Path("outputs/history.sqlite")
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "env.sqlite"))
    assert history_path() == tmp_path / "env.sqlite"
    assert history_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"


def test_label_and_missing_ids(milano_run: RunResult, tmp_path: Path) -> None:
    with Archive(tmp_path / "h.sqlite") as archive:
        run_id = archive.record(milano_run)
        archive.set_label(run_id, "  maggio ", note="rivisto")
        assert (archive.get(run_id).label, archive.get(run_id).note) == ("maggio", "rivisto")
        assert archive.get(run_id).title == f"#{run_id} maggio"
        with pytest.raises(ArchiveError, match="non c'è il piano #99"):
            archive.get(99)
        with pytest.raises(ArchiveError, match="#99"):
            archive.set_label(99, "x")


def test_export_writes_a_run_folder(milano_run: RunResult, tmp_path: Path) -> None:
    with Archive(tmp_path / "h.sqlite") as archive:
        run_id = archive.record(milano_run, label="x")
        out = archive.export(run_id, tmp_path / "run")
    assert {"allocation.csv", "areas.csv", "kpis.json", "run.json", "results.xlsx"} <= {
        p.name for p in out.iterdir()
    }
    areas = pd.read_csv(out / "areas.csv")
    assert areas["served"].sum() == pytest.approx(milano_run.plan.kpis["beneficiaries_served"])  # type: ignore[union-attr]


def _writer(path: str, scenario_folder: str, worker: int, count: int) -> None:
    result = run_scenario(load_scenario(scenario_folder))
    for i in range(count):
        with Archive(path) as archive:
            archive.record(result, label=f"w{worker}-{i}")


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "s")
    path = tmp_path / "shared.sqlite"  # created by the writers themselves, at the same time
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_writer, args=(str(path), str(scenario), w, 6)) for w in range(2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0]
    with Archive(path) as archive:
        runs = archive.runs()
        assert sorted(r.label for r in runs) == sorted(
            f"w{w}-{i}" for w in range(2) for i in range(6)
        )
        assert len({r.run_id for r in runs}) == 12
        assert all(len(archive.get(r.run_id).plan().allocation) > 0 for r in runs)


def _opener(paths: list[str], start: Any) -> None:
    for path in paths:
        start.wait(timeout=60)  # every process opens each new archive at the same moment
        with Archive(path) as archive:
            archive.runs()


def test_processes_creating_one_archive_at_the_same_moment_all_open_it(tmp_path: Path) -> None:
    # a process must never see another's half-written new file (it would refuse it as damaged)
    paths = [str(tmp_path / f"new-{n}.sqlite") for n in range(8)]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    workers = [context.Process(target=_opener, args=(paths, start)) for _ in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    for path in paths:
        with Archive(path) as archive:
            assert archive.runs() == []
    assert not list(tmp_path.glob(".*.new*"))  # no set-up file left behind


def test_a_foreign_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (name TEXT)")
    db.execute("INSERT INTO customers VALUES ('Rossi')")
    db.commit()
    db.close()
    before = digest(path)
    with pytest.raises(ArchiveError, match="un altro programma"):
        Archive(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("appunti della riunione\n" * 100)
    before = digest(path)
    with pytest.raises(ArchiveError, match="non è un database SQLite"):
        Archive(path)
    assert digest(path) == before


def test_a_damaged_archive_is_refused_and_left_alone(milano_run: RunResult, tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with Archive(path) as archive:
        for _ in range(3):
            archive.record(milano_run)
    data = bytearray(path.read_bytes())
    assert len(data) > 40_000
    data[8192:24576] = b"\xa5" * 16384  # pages of the tables overwritten
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(ArchiveError, match="danneggiato"), Archive(path) as archive:
        archive.runs()
        archive.get(2)
    assert digest(path) == before


def test_the_integrity_check_runs_once_per_process_for_each_state_of_the_file(
    milano_run: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from allocator.outputs import archive_file

    path = tmp_path / "h.sqlite"
    with Archive(path) as archive:
        archive.record(milano_run)
    checks: list[str] = []
    opened = archive_file.connect_read_only

    def traced(where: Path) -> sqlite3.Connection:
        db = opened(where)
        db.set_trace_callback(lambda sql: checks.append(sql) if "quick_check" in sql else None)
        return db

    monkeypatch.setattr("allocator.outputs.archive.connect_read_only", traced)
    archive_file._CHECKED.clear()
    for _ in range(3):
        with Archive(path, read_only=True) as archive:
            assert len(archive.runs()) == 1
    assert len(checks) == 1
    with Archive(path) as archive:  # this process writes: its own change needs no new check
        archive.record(milano_run)
    with Archive(path, read_only=True) as archive:
        assert len(archive.runs()) == 2
    assert len(checks) == 1
    data = path.read_bytes()  # another program rewrites the file: checked again
    path.write_bytes(data)
    with Archive(path, read_only=True) as archive:
        archive.runs()
    assert len(checks) == 2
