"""The archive's SQLite file: how it is opened, what state it is in, and its migration.

Read-only commands open the file with SQLite's ``mode=ro`` URI (on a read-only folder or mount,
where SQLite cannot keep its ``-shm`` file, ``immutable=1`` as well): nothing in the file changes,
not its journal mode, its tables or its version. Commands that write open it read-write, and set
a new file up whole. A file in an older schema is refused by every command but
``allocator history migrate``, which copies it aside first (:func:`migrate`). The integrity
check (``PRAGMA quick_check``) runs once per process for each state of the file, not on every open.
Tables are stored as CSV text with their column types (:func:`encode_table`, :func:`decode_table`).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from allocator.errors import UsageError
from allocator.i18n import _

HISTORY_ENV = "ALLOCATOR_HISTORY"
APPLICATION_ID = 0x414C4C43
"""Written in the SQLite header ("ALLC"): how an archive is told from another program's file."""
SCHEMA_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 60_000
MIGRATE_COMMAND = "allocator history migrate"

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
COLUMN_DEFAULTS = {
    "runs": {
        "created": "''",
        "label": "''",
        "note": "''",
        "scenario": "''",
        "origin": "'run'",
        "status": "''",
        "inputs": "'{}'",
        "settings": "'{}'",
        "overrides": "'[]'",
        "kpis": "'{}'",
        "provenance": "'{}'",
    },
    "run_tables": {"dtypes": "'{}'", "content": "''"},
}
"""What a migration gives a column an older archive lacks (``id``, ``run_id`` and ``name`` are
never added: an archive without them is not migrated)."""
KEYS = {"runs": ("id",), "run_tables": ("run_id", "name")}

_CHECKED: dict[Path, tuple[int, int, int, int]] = {}
"""Files whose integrity this process has checked, with the state (device, inode, size,
modification time) they were checked in: a file changed since is checked again."""


class ArchiveError(UsageError):
    """The archive file cannot be used (not an archive, damaged, or a missing record)."""


def refusal(path: Path, why: str) -> ArchiveError:
    """The archive ``path`` is refused, and left as it is, because ``why``."""
    text = _(
        "the file {path} is not a usable archive of plans: {why}. The file is left as it is; "
        "give another archive with --history PATH or the variable {env}."
    )
    return ArchiveError(text.format(path=path, why=why, env=HISTORY_ENV))


def damaged(exc: object) -> str:
    return _("the database is damaged ({error})").format(error=exc)


def check_file(path: Path) -> bool:
    """Whether ``path`` holds something (False: missing or empty); refused when it is a folder
    or not a SQLite file."""
    if path.is_dir():
        raise refusal(path, _("it is a folder"))
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise refusal(
            path,
            _("it is not a SQLite database (a damaged file, or one of another kind)"),
        )
    return True


def connect_read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened so that nothing can change it (``mode=ro``); where SQLite cannot keep its
    shared-memory file beside it (a read-only folder or mount) and no write-ahead log is
    pending, ``immutable=1`` too."""
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
    return sqlite3.connect(f"{uri}&immutable=1", uri=True)


def schema_gaps(db: sqlite3.Connection) -> list[str]:
    """What the archive's tables lack against :data:`SCHEMA`: ``runs``, ``runs.origin``…"""
    gaps = []
    for table, defaults in COLUMN_DEFAULTS.items():
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not columns:
            gaps.append(table)
            continue
        gaps += [f"{table}.{c}" for c in (*KEYS[table], *defaults) if c not in columns]
    return gaps


def state(db: sqlite3.Connection, path: Path) -> str:
    """``blank`` (no tables: a new archive), ``current`` or ``older`` (our archive in an older
    schema); another program's database or a newer schema refused."""
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if application_id != APPLICATION_ID and (objects or application_id):
        raise refusal(
            path,
            _("it is another program's database"),
        )
    if not objects:
        return "blank"
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise refusal(
            path,
            _(
                "it was written by a newer allocator (schema {v}; this version reads up to "
                "schema {s})"
            ).format(v=version, s=SCHEMA_VERSION),
        )
    return "older" if version < SCHEMA_VERSION or schema_gaps(db) else "current"


def older_refusal(path: Path, db: sqlite3.Connection) -> ArchiveError:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    return refusal(
        path,
        _(
            "it is an archive in an older schema ({v}; this version uses schema {s}). To "
            "update it, after a backup copy: {command} --history {path}"
        ).format(v=version, s=SCHEMA_VERSION, command=MIGRATE_COMMAND, path=path),
    )


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def check_integrity(db: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check`` once per process for each state of the file."""
    key = path.resolve()
    stamp = _stamp(path)
    if stamp is not None and _CHECKED.get(key) == stamp:
        return
    verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
    if verdict != "ok":
        raise refusal(path, damaged(verdict))
    if stamp is not None:
        _CHECKED[key] = stamp


def checked_again_later(path: Path) -> None:
    """After this process wrote to ``path``: its new state counts as checked (nothing else
    changed it meanwhile if it was checked just before)."""
    key = path.resolve()
    stamp = _stamp(path)
    if key in _CHECKED and stamp is not None:
        _CHECKED[key] = stamp


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


def backup_path(path: Path, version: int) -> Path:
    """A free name beside ``path`` for its copy before migration."""
    when = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        candidate = path.with_name(f"{path.name}.schema{version}-{when}{f'-{n}' if n else ''}.bak")
        if not candidate.exists():
            return candidate
    raise ArchiveError(f"no free name beside {path} for its backup copy")


def migrate(path: Path) -> tuple[Path | None, int]:
    """Bring the archive ``path`` to :data:`SCHEMA_VERSION`, after copying it whole beside it.
    Returns (the copy, the schema it was in); (None, version) when it was already current.
    A file that is not our archive, is damaged or lacks its keys is refused and left alone."""
    if not check_file(path):
        raise ArchiveError(_("the archive {path} is missing or empty").format(path=path))
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    db.isolation_level = None
    try:
        try:
            found = state(db, path)
            check_integrity(db, path)
        except sqlite3.DatabaseError as exc:
            raise refusal(path, damaged(exc)) from None
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if found != "older":
            return None, version
        gaps = schema_gaps(db)
        keys = [g for g in gaps if g.split(".")[-1] in ("id", "run_id", "name") and "." in g]
        if keys:
            raise refusal(path, damaged(", ".join(keys)))
        db.execute("BEGIN IMMEDIATE")  # no other process writes while it is copied and updated
        try:
            copy = backup_path(path, version)
            shutil.copyfile(path, copy)  # byte for byte, with its log if one is pending
            if Path(f"{path}-wal").is_file():
                shutil.copyfile(f"{path}-wal", f"{copy}-wal")
            for gap in gaps:
                if "." in gap:
                    table, column = gap.split(".")
                    default = COLUMN_DEFAULTS[table][column]
                    db.execute(
                        f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT {default}"
                    )
            set_up(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode = WAL")
        return copy, version
    finally:
        db.close()


def encode_table(frame: pd.DataFrame) -> tuple[str, str]:
    """A table as (column dtypes, CSV text): floats keep every digit, text columns stay text."""
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
    return json.dumps(dtypes, ensure_ascii=False), frame.to_csv(index=False, lineterminator="\n")


def decode_table(dtypes_text: str, content: str) -> pd.DataFrame:
    """A stored table back as it was; a ValueError when it does not parse or its columns are not
    the ones recorded (a damaged record)."""
    dtypes: dict[str, str] = json.loads(dtypes_text)
    if not isinstance(dtypes, dict):
        raise ValueError("the column types are not a JSON object")
    if not content.strip():
        return pd.DataFrame(columns=list(dtypes))
    text = [c for c, t in dtypes.items() if t in ("object", "str", "string")]
    frame = pd.read_csv(
        io.StringIO(content), dtype={c: str for c in text}, keep_default_na=False, na_values=[""]
    )
    if [str(c) for c in frame.columns] != list(dtypes):
        raise ValueError(
            f"columns {', '.join(map(str, frame.columns))} instead of {', '.join(dtypes)}"
        )
    for column in text:
        frame[column] = frame[column].fillna("")
    for column, dtype in dtypes.items():
        if column not in text and frame[column].dtype != dtype:
            with suppress(TypeError, ValueError):
                frame[column] = frame[column].astype(dtype)
    return frame
