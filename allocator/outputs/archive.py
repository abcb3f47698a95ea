"""The archive of plans (archivio dei piani): every plan computed, to recall at a later meeting.

One SQLite file (standard library :mod:`sqlite3`, WAL mode), by default ``outputs/history.sqlite``,
or the ``ALLOCATOR_HISTORY`` environment variable, or ``--history PATH``. Each record holds the id,
the time, a label and a note, the scenario's name, the sha256 of every input file, the settings in
force (and the ``--set`` overrides that made them), the solver status, the KPIs and the plan's
tables, so a plan seen in March is shown again in May exactly as it was, without solving again.

Writers take SQLite's write lock for the whole record (``BEGIN IMMEDIATE``) and wait for each other
(``busy_timeout``), so two processes recording at once both keep their record. Reading commands
open the file read-only and change nothing (:mod:`allocator.outputs.archive_file`). A file that is
not an archive (another program's database, a damaged file, anything else) is refused with a
message and never written to; one in an older schema only by ``allocator history migrate``; a
damaged record is refused by its id while the others stay readable.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.i18n import _
from allocator.optimization.pipeline import RunResult
from allocator.outputs.archive_file import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    HISTORY_ENV,
    SCHEMA_VERSION,
    ArchiveError,
    check_file,
    check_integrity,
    checked_again_later,
    connect_read_only,
    create_archive,
    damaged,
    decode_table,
    encode_table,
    older_refusal,
    refusal,
    set_up,
    state,
)
from allocator.outputs.atomic import write_folder
from allocator.outputs.names import PLAN_TABLES
from allocator.outputs.run_folder import provenance, write_run_files
from allocator.postprocess.results import Plan

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_HISTORY",
    "HISTORY_ENV",
    "MAX_ID",
    "SCHEMA_VERSION",
    "Archive",
    "ArchiveError",
    "ArchivedRun",
    "check_id",
    "history_path",
]

DEFAULT_HISTORY = Path("outputs") / "history.sqlite"
ORIGINS = ("run", "app", "batch")
"""Where a record comes from: ``allocator run``, the meeting page, ``allocator batch``."""
MAX_ID = 2**63 - 1
"""The largest id SQLite can hold."""

PARTNER_NAMES = "partner_names"
"""A stored table beside the plan's: partner_id, name (comparisons name the partners)."""


def history_path(path: str | Path | None = None) -> Path:
    """The archive to use: ``path`` if given, else ``$ALLOCATOR_HISTORY``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(HISTORY_ENV)
    return Path(env) if env else DEFAULT_HISTORY


def check_id(run_id: object) -> int:
    """``run_id`` when it is a whole number a record can have (1 to :data:`MAX_ID`), else an
    :class:`ArchiveError` (exit 2) saying so."""
    if isinstance(run_id, int) and not isinstance(run_id, bool) and 1 <= run_id <= MAX_ID:
        return run_id
    raise ArchiveError(
        _("{value} is not a plan's id: a whole number from 1 to {top}").format(
            value=run_id, top=MAX_ID
        )
    )


@dataclass(frozen=True)
class ArchivedRun:
    """One record of the archive. ``tables`` is empty in listings (:meth:`Archive.runs`);
    ``damaged`` says why a record listed cannot be read (empty when it can)."""

    run_id: int
    created: str
    label: str
    note: str
    scenario: str
    origin: str
    status: str
    inputs: dict[str, str]
    settings: dict[str, Any]
    overrides: list[str]
    kpis: dict[str, Any]
    provenance: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    damaged: str = ""

    @property
    def title(self) -> str:
        """``#12 label`` (or ``#12 scenario`` when unlabelled): how comparisons name it."""
        return f"#{self.run_id} {self.label or self.scenario}"

    def plan(self) -> Plan:
        """The plan as it was computed, rebuilt from the stored tables (nothing is solved)."""
        missing = [name for name in PLAN_TABLES if name not in self.tables]
        if missing:
            raise ArchiveError(
                _("plan #{id} of the archive lacks the tables {names}").format(
                    id=self.run_id, names=", ".join(missing)
                )
            )
        return Plan(
            scenario_name=self.scenario,
            status=self.status,
            kpis=dict(self.kpis),
            **{name: self.tables[name] for name in PLAN_TABLES},
        )


class Archive:
    """An open archive; use as a context manager.

    Read-write (the default: ``run``, ``history label``, the meeting page) it creates the file
    (and its folder) if missing. ``read_only`` (``history list``, ``show``, ``compare``, ``report
    ID``) it opens the file with SQLite's ``mode=ro`` and changes nothing: a missing or empty
    file reads as an empty archive. Either way an archive in an older schema is refused, naming
    ``allocator history migrate``.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = history_path(path)
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None
        self._wrote = False
        if read_only:
            if check_file(self.path):
                self._db = self._connect(lambda: connect_read_only(self.path))
            return
        check_file(self.path)
        if not self.path.parent.is_dir():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            create_archive(self.path)
        self._db = self._connect(lambda: sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000))

    def _connect(self, opener: Any) -> sqlite3.Connection:
        try:
            db: sqlite3.Connection = opener()
        except sqlite3.Error as exc:
            why = _("SQLite cannot open it ({error})").format(error=exc)
            raise refusal(self.path, why) from None
        db.isolation_level = None  # transactions are explicit
        try:
            found = state(db, self.path)
            if found == "older":
                raise older_refusal(self.path, db)
            if found == "current":
                check_integrity(db, self.path)
            if not self.read_only:
                self._prepare(db, found)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise refusal(self.path, damaged(exc)) from None
        except BaseException:
            db.close()
            raise
        return db

    def _prepare(self, db: sqlite3.Connection, found: str) -> None:
        """A writer's connection: write-ahead log, foreign keys; a blank file set up."""
        for attempt in range(50):  # a new file: another process may be setting it up too
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05)
        db.execute("PRAGMA foreign_keys = ON")
        if found == "blank":
            db.execute("BEGIN IMMEDIATE")
            try:
                if state(db, self.path) == "blank":  # not set up by another process meanwhile
                    set_up(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ArchiveError(self._absent())
        return self._db

    def _absent(self) -> str:
        return _("the archive {path} does not exist yet (no plan recorded)").format(path=self.path)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from the start."""
        if self.read_only:
            raise ValueError("an archive opened read-only is not written")
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        self._wrote = True

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            if self._wrote:
                checked_again_later(self.path)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ writing

    def record(
        self,
        result: RunResult,
        *,
        label: str = "",
        note: str = "",
        origin: str = "run",
        overrides: Sequence[str] = (),
        extra_tables: Mapping[str, pd.DataFrame] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a solved run (with its plan) and return its id; ``details`` join its provenance
        (the plan's name, note and changes in words, as ``run.json`` has them)."""
        if result.plan is None:
            raise ValueError("a run without a plan has nothing to archive")
        info = {**provenance(result, list(overrides)), **(details or {})}
        names = pd.DataFrame(
            [(p.partner_id, p.name) for p in result.scenario.partners],
            columns=["partner_id", "name"],
        )
        return self.record_plan(
            result.plan,
            info,
            label=label,
            note=note,
            origin=origin,
            extra_tables={**(extra_tables or {}), PARTNER_NAMES: names},
        )

    def record_plan(
        self,
        plan: Plan,
        info: Mapping[str, Any],
        *,
        label: str = "",
        note: str = "",
        origin: str = "run",
        extra_tables: Mapping[str, pd.DataFrame] | None = None,
    ) -> int:
        """Store a plan with its provenance (``run.json``'s content) and return its id."""
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
        tables = {**plan.tables(), **(extra_tables or {})}
        encoded = [(name, *encode_table(frame)) for name, frame in tables.items()]
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            label.strip(),
            note.strip(),
            plan.scenario_name,
            origin,
            plan.status,
            _dumps(info.get("inputs", {})),
            _dumps(info.get("settings", {})),
            _dumps(list(info.get("overrides", []))),
            _dumps(plan.kpis),
            _dumps(dict(info)),
        )
        with self._guard(), self._writing() as db:
            cursor = db.execute(
                "INSERT INTO runs (created, label, note, scenario, origin, status, inputs, "
                "settings, overrides, kpis, provenance) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO run_tables (run_id, name, dtypes, content) VALUES (?,?,?,?)",
                [(run_id, name, dtypes, content) for name, dtypes, content in encoded],
            )
        return run_id

    def set_label(self, run_id: int, label: str, note: str | None = None) -> None:
        """Name (and optionally annotate) record ``run_id``."""
        run_id = check_id(run_id)
        with self._guard(), self._writing() as db:
            changed = db.execute(
                "UPDATE runs SET label = ? WHERE id = ?", (label.strip(), run_id)
            ).rowcount
            if note is not None:
                db.execute("UPDATE runs SET note = ? WHERE id = ?", (note.strip(), run_id))
        if not changed:
            raise self._missing(run_id)

    # ------------------------------------------------------------------------------ reading

    def runs(self) -> list[ArchivedRun]:
        """Every record, oldest first, without its tables; a record that cannot be read is
        listed with its id and ``damaged`` saying why."""
        if self._db is None:
            return []
        with self._guard():
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [_listed(row) for row in rows]

    def get(self, run_id: int) -> ArchivedRun:
        """Record ``run_id`` with its tables; a missing or damaged record (its JSON, a stored
        table) is an :class:`ArchiveError` naming it, and the others stay readable."""
        run_id = check_id(run_id)
        if self._db is None:
            raise self._missing(run_id)
        with self._guard():
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise self._missing(run_id)
            parts = self._db.execute(
                "SELECT name, dtypes, content FROM run_tables WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            ).fetchall()
        try:
            tables = {str(name): decode_table(dtypes, content) for name, dtypes, content in parts}
            return _record(row, tables)
        except Exception as exc:  # bad JSON, a table that does not parse or match its columns
            raise self._damaged(run_id, exc) from None

    def export(self, run_id: int, out: Path, *, overwrite: bool = False) -> Path:
        """Write record ``run_id`` as a run folder (the files ``allocator run`` writes)."""
        run = self.get(run_id)
        # the plan's name and note as the archive has them now (``history label`` changes them)
        named = {"label": run.label, "note": run.note}
        info = {**run.provenance, **named, "archive": {"path": str(self.path), "id": run.run_id}}
        return write_folder(
            out,
            lambda folder: write_run_files(folder, run.tables, run.kpis, info),
            overwrite=overwrite,
            kind="run",
        )

    def _missing(self, run_id: int) -> ArchiveError:
        return ArchiveError(
            _("the archive {path} holds no plan #{id}").format(path=self.path, id=run_id)
        )

    def _damaged(self, run_id: int, exc: BaseException) -> ArchiveError:
        return ArchiveError(
            _(
                "plan #{id} of the archive {path} is damaged and cannot be read ({why}); the "
                "other plans stay readable (allocator history list)"
            ).format(id=run_id, path=self.path, why=f"{type(exc).__name__}: {exc}")
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise refusal(self.path, damaged(exc)) from None


_COLUMNS = (
    "id, created, label, note, scenario, origin, status, inputs, settings, overrides, kpis, "
    "provenance"
)
_JSON_COLUMNS = ("inputs", "settings", "overrides", "kpis", "provenance")


def _record(row: Sequence[Any], tables: dict[str, pd.DataFrame] | None = None) -> ArchivedRun:
    run_id, created, label, note, scenario, origin, status, *blobs = row
    values = [json.loads(b) for b in blobs]
    for name, value in zip(_JSON_COLUMNS, values, strict=True):
        expected = list if name == "overrides" else dict
        if not isinstance(value, expected):
            raise ValueError(f"{name} is not a JSON {expected.__name__}")
    inputs, settings, overrides, kpis, info = values
    return ArchivedRun(
        run_id=int(run_id),
        created=str(created),
        label=str(label),
        note=str(note),
        scenario=str(scenario),
        origin=str(origin),
        status=str(status),
        inputs=inputs,
        settings=settings,
        overrides=overrides,
        kpis=kpis,
        provenance=info,
        tables=tables or {},
    )


def _listed(row: Sequence[Any]) -> ArchivedRun:
    """A listed record, or (its JSON damaged) one with its id, its plain columns and why."""
    try:
        return _record(row)
    except (ValueError, TypeError) as exc:
        plain = (*row[: -len(_JSON_COLUMNS)], "{}", "{}", "[]", "{}", "{}")
        return replace(_record(plain), damaged=f"{type(exc).__name__}: {exc}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
