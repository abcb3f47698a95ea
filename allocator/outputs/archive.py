"""The archive of plans (archivio dei piani): every plan computed, to recall at a later meeting.

One SQLite file (standard library :mod:`sqlite3`, WAL mode), by default ``outputs/history.sqlite``,
or the ``ALLOCATOR_HISTORY`` environment variable, or ``--history PATH``. Each record holds the id,
the time, a label and a note, the scenario's name, the sha256 of every input file, the settings in
force (and the ``--set`` overrides that made them), the solver status, the KPIs and the plan's
tables, so a plan seen in March is shown again in May exactly as it was, without solving again.

Writers take SQLite's write lock for the whole record (``BEGIN IMMEDIATE``) and wait for each other
(``busy_timeout``), so two processes recording at once both keep their record. A file that is not
an archive (another program's database, a damaged file, anything else) is refused with a message
and never written to.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import UsageError
from allocator.optimization.pipeline import RunResult
from allocator.outputs.atomic import write_folder
from allocator.outputs.names import PLAN_TABLES
from allocator.outputs.run_folder import provenance, write_run_files
from allocator.postprocess.results import Plan

HISTORY_ENV = "ALLOCATOR_HISTORY"
DEFAULT_HISTORY = Path("outputs") / "history.sqlite"
APPLICATION_ID = 0x414C4C43
"""Written in the SQLite header ("ALLC"): how an archive is told from another program's file."""
SCHEMA_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 60_000
ORIGINS = ("run", "app", "batch")
"""Where a record comes from: ``allocator run``, the meeting page, ``allocator batch``."""

PARTNER_NAMES = "partner_names"
"""A stored table beside the plan's: partner_id, name (comparisons name the partners)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    scenario TEXT NOT NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    settings TEXT NOT NULL,
    overrides TEXT NOT NULL,
    kpis TEXT NOT NULL,
    provenance TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_tables (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    dtypes TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (run_id, name)
);
"""


class ArchiveError(UsageError):
    """The archive file cannot be used (not an archive, damaged, or a missing record)."""


def history_path(path: str | Path | None = None) -> Path:
    """The archive to use: ``path`` if given, else ``$ALLOCATOR_HISTORY``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get(HISTORY_ENV)
    return Path(env) if env else DEFAULT_HISTORY


@dataclass(frozen=True)
class ArchivedRun:
    """One record of the archive. ``tables`` is empty in listings (:meth:`Archive.runs`)."""

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

    @property
    def title(self) -> str:
        """``#12 label`` (or ``#12 scenario`` when unlabelled): how comparisons name it."""
        return f"#{self.run_id} {self.label or self.scenario}"

    def plan(self) -> Plan:
        """The plan as it was computed, rebuilt from the stored tables (nothing is solved)."""
        missing = [name for name in PLAN_TABLES if name not in self.tables]
        if missing:
            raise ArchiveError(
                f"il piano #{self.run_id} dell'archivio non ha le tabelle {', '.join(missing)}"
            )
        return Plan(
            scenario_name=self.scenario,
            status=self.status,
            kpis=dict(self.kpis),
            **{name: self.tables[name] for name in PLAN_TABLES},
        )


def _refusal(path: Path, why: str) -> ArchiveError:
    return ArchiveError(
        f"il file {path} non è un archivio dei piani utilizzabile: {why}. Il file non viene "
        "modificato; indicare un altro archivio con --history PATH o con la variabile "
        f"{HISTORY_ENV}."
    )


def set_up(db: sqlite3.Connection) -> None:
    """The archive's tables and marks, inside the caller's write transaction (idempotent)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def create_archive(path: Path) -> None:
    """Create an empty archive at ``path`` whole, never half-written: set up in a file of its
    own beside it, then linked into place only if ``path`` is still free (another process
    creating it at the same moment keeps its own, and both then open the same archive).

    Where the file system cannot link (some network or FAT drives) the archive is created in
    place by the first open, as SQLite does.
    """
    fresh = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.new")
    try:
        db = sqlite3.connect(fresh)
        try:
            db.isolation_level = None
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            set_up(db)
            db.execute("COMMIT")
        finally:
            db.close()
        with suppress(FileExistsError):
            os.link(fresh, path)
    except (OSError, sqlite3.Error):
        pass  # no hard links here (or no room): the first open creates the file, or says why
    finally:
        for leftover in (fresh, *(fresh.with_name(fresh.name + end) for end in ("-wal", "-shm"))):
            with suppress(OSError):
                leftover.unlink()


class Archive:
    """An open archive; use as a context manager. Creates the file (and its folder) if missing."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = history_path(path)
        self._check_file()
        if not self.path.parent.is_dir():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            create_archive(self.path)
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise _refusal(self.path, f"SQLite non lo apre ({exc})") from None
        self._db.isolation_level = None  # transactions are explicit
        try:
            self._check_database()
            self._prepare()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise _refusal(self.path, f"il database è danneggiato ({exc})") from None
        except BaseException:
            self._db.close()
            raise

    def _check_file(self) -> None:
        if self.path.is_dir():
            raise _refusal(self.path, "è una cartella")
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise _refusal(self.path, "non è un database SQLite (file danneggiato o di altro tipo)")

    def _check_database(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id != APPLICATION_ID and (objects or application_id):
            raise _refusal(self.path, "è un database SQLite di un altro programma")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _refusal(
                self.path,
                f"è stato scritto da una versione più recente dell'allocator (schema {version}, "
                f"questa versione legge fino allo schema {SCHEMA_VERSION})",
            )
        if objects:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise _refusal(self.path, f"il database è danneggiato ({verdict})")

    def _prepare(self) -> None:
        db = self._db
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
        with self._writing():
            set_up(db)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from the start."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

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
        encoded = [(name, *_encode(frame)) for name, frame in tables.items()]
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
        """Every record, oldest first, without its tables."""
        with self._guard():
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [_record(row) for row in rows]

    def get(self, run_id: int) -> ArchivedRun:
        """Record ``run_id`` with its tables; a missing id is an :class:`ArchiveError`."""
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
        tables = {name: _decode(dtypes, content) for name, dtypes, content in parts}
        return _record(row, tables)

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
        )

    def _missing(self, run_id: int) -> ArchiveError:
        return ArchiveError(f"nell'archivio {self.path} non c'è il piano #{run_id}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise _refusal(self.path, f"il database è danneggiato ({exc})") from None


_COLUMNS = (
    "id, created, label, note, scenario, origin, status, inputs, settings, overrides, kpis, "
    "provenance"
)


def _record(row: Sequence[Any], tables: dict[str, pd.DataFrame] | None = None) -> ArchivedRun:
    run_id, created, label, note, scenario, origin, status, *blobs = row
    inputs, settings, overrides, kpis, info = (json.loads(b) for b in blobs)
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


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _encode(frame: pd.DataFrame) -> tuple[str, str]:
    """A table as (column dtypes, CSV text): floats keep every digit, text columns stay text."""
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
    return _dumps(dtypes), frame.to_csv(index=False, lineterminator="\n")


def _decode(dtypes_text: str, content: str) -> pd.DataFrame:
    dtypes: dict[str, str] = json.loads(dtypes_text)
    if not content.strip():
        return pd.DataFrame(columns=list(dtypes))
    text = [c for c, t in dtypes.items() if t in ("object", "str", "string")]
    frame = pd.read_csv(
        io.StringIO(content), dtype={c: str for c in text}, keep_default_na=False, na_values=[""]
    )
    for column in text:
        frame[column] = frame[column].fillna("")
    for column, dtype in dtypes.items():
        if column not in text and column in frame.columns and frame[column].dtype != dtype:
            with suppress(TypeError, ValueError):
                frame[column] = frame[column].astype(dtype)
    return frame
