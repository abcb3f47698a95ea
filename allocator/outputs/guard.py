"""What an output may never be: the one check every command that writes makes before it solves.

The rule (README, DESIGN.md §5 "Outputs"):

* an output is never an input of the run, never holds one and never lies inside one: the scenario
  folder, the folders it ``extends``, every table file read, the run folders and files a command
  reads back;
* an output is never the archive of plans (``--history``, ``$ALLOCATOR_HISTORY`` or the default
  ``outputs/history.sqlite``, with SQLite's ``-wal``/``-shm`` files), never holds it and never lies
  inside it;
* an existing output folder is replaced only with ``--overwrite``, and only when the allocator
  wrote it and nothing was added since (:func:`allocator.outputs.atomic.check_replaceable`);
* an existing single file (a report, a batch table, needs.csv) is replaced only with
  ``--overwrite``, and only when it is recognisably a file of the same kind (:class:`FileKind`):
  a report the allocator wrote, a batch table, a needs table. A file of another kind in the way
  (a scenario table, the archive, a planner's notes) is refused whatever the options.

Each refusal is a :class:`~allocator.errors.UsageError` (exit 2) naming the output and what it
would have destroyed; nothing has been written or solved yet.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from allocator.errors import UsageError
from allocator.i18n import N_, _
from allocator.outputs.atomic import check_destination, check_writable
from allocator.outputs.names import REPORT_GENERATOR, RUN_FILE

if TYPE_CHECKING:
    from allocator.inputs.schema import Scenario

SCENARIO_FILE = "scenario.toml"
ARCHIVE_COMPANIONS = ("", "-wal", "-shm", "-journal")
"""The archive file and the files SQLite keeps beside it."""
_HEAD_BYTES = 1 << 18


@dataclass(frozen=True)
class FileKind:
    """A kind of single-file output: what it is called (a msgid, translated where it is said)
    and how an earlier file of this kind is told from anything else in the way
    (``recognise(path)``)."""

    name: str
    recognise: Callable[[Path], bool]
    blank: Callable[[Path], bool] = lambda _path: False
    """A file of this kind holding nothing to lose (a header only): replaced without asking."""


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES)
    except OSError:
        return b""


def _first_line(path: Path) -> str:
    return _head(path).split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()


def _is_report(path: Path) -> bool:
    head = _head(path)
    legacy = b'<h2 id="status-quo">' in head  # reports written before the generator mark
    return head.startswith(b"<!DOCTYPE html>") and (REPORT_GENERATOR.encode() in head or legacy)


def _csv_starting(*columns: str) -> Callable[[Path], bool]:
    def recognise(path: Path) -> bool:
        return _first_line(path).replace('"', "").split(",")[: len(columns)] == list(columns)

    return recognise


def _header_only(path: Path) -> bool:
    lines = [line for line in _head(path).splitlines() if line.strip(b" ,\r\t")]
    return len(lines) <= 1 and _csv_starting("area_id", "intervention_id")(path)


REPORT = FileKind(N_("an allocator HTML report"), _is_report)
BATCH_TABLE = FileKind(
    N_("a table of allocator batch"),
    _csv_starting("folder", "scenario", "status", "exit_code"),
)
NEEDS_TABLE = FileKind(
    N_("a needs table (needs.csv)"),
    _csv_starting("area_id", "intervention_id", "need"),
    _header_only,
)


def scenario_chain(path: str | Path) -> list[Path]:
    """A scenario folder (or its ``scenario.toml``) and every folder it ``extends``, read from
    the files alone (a broken chain simply ends: loading reports it)."""
    folder = Path(path)
    if folder.name == SCENARIO_FILE:
        folder = folder.parent
    chain: list[Path] = []
    while folder.is_dir() and folder.resolve() not in chain:
        chain.append(folder.resolve())
        try:
            data = tomllib.loads((folder / SCENARIO_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            break
        parent = data.get("extends")
        if not isinstance(parent, str) or not parent.strip():
            break
        folder = folder / parent
    return chain


def recorded_inputs(folder: Path) -> list[Path]:
    """The input files a run folder's ``run.json`` records (a report reads them again)."""
    try:
        recorded = json.loads((folder / RUN_FILE).read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError, AttributeError):
        return []
    return [Path(f) for f in recorded] if isinstance(recorded, dict) else []


def _with_folders(files: Iterable[Path]) -> list[Path]:
    found = []
    for file in files:
        found.append(file)
        if file.name == SCENARIO_FILE:
            found.append(file.parent)
    return found


def run_inputs(*given: str | Path | None, scenarios: Iterable[Scenario] = ()) -> list[Path]:
    """Everything a run reads: each path given (a scenario, a run folder, a file) with the chain
    of scenarios it extends and, for a run folder, the inputs it records; each loaded scenario's
    files and their folders."""
    found: list[Path] = []
    for path in given:
        if path is not None:
            found += [Path(path), *scenario_chain(path)]
            found += _with_folders(recorded_inputs(Path(path)))
    for scenario in scenarios:
        found += _with_folders(map(Path, scenario.source_files))
    return list(dict.fromkeys(p.resolve() for p in found))


def _relation(out: Path, other: Path) -> str | None:
    if out == other:
        return "is"
    if other in out.parents:
        return "inside"
    if out in other.parents:
        return "contains"
    return None


def _refuse(out: Path, relation: str, what: str, other: Path) -> UsageError:
    if relation == "is":
        text = _("the output {out} is {what} ({other})")
    elif relation == "inside":
        text = _("the output {out} lies inside {what} ({other})")
    else:
        text = _("the output {out} contains {what} ({other})")
    then = _(": nothing is written; choose another with --out")
    return UsageError(text.format(out=out, what=_(what), other=other) + then)


def check_apart(out: Path, inputs: Iterable[Path], archive: Path | None) -> None:
    """Refuse ``out`` when it is, holds or lies inside an input or the archive."""
    resolved = Path(out).resolve()
    protected = [(Path(p).resolve(), N_("an input of the run")) for p in inputs]
    if archive is not None:
        what = N_("the archive of plans")
        protected += [(Path(f"{archive}{end}").resolve(), what) for end in ARCHIVE_COMPANIONS]
    for other, what in protected:
        relation = _relation(resolved, other)
        if relation is not None:
            raise _refuse(Path(out), relation, what, other)


def check_file(out: Path, kind: FileKind, overwrite: bool) -> None:
    """Refuse a single-file output where a file must not be replaced (see the module's rule)."""
    if out.is_dir():
        raise UsageError(_("{out} is a folder, not a file").format(out=out))
    if out.exists() and not kind.recognise(out):
        raise UsageError(
            _(
                "the file {out} exists and is not {kind}: it is not replaced, not even with "
                "--overwrite; choose another file with --out"
            ).format(out=out, kind=_(kind.name))
        )
    if out.exists() and not overwrite and not kind.blank(out):
        raise UsageError(
            _(
                "the file {out} already exists; choose another with --out, or replace it with "
                "--overwrite"
            ).format(out=out)
        )
    check_writable(out)


def check_output(
    out: str | Path,
    *,
    inputs: Iterable[Path] = (),
    archive: Path | None = None,
    overwrite: bool = False,
    file: FileKind | None = None,
) -> Path:
    """The one check of an output before anything is solved or written: ``out`` apart from the
    ``inputs`` and the ``archive``; a folder (``file`` None) refused when it exists, unless
    ``overwrite`` and the allocator wrote it; a single file of kind ``file`` refused when a
    file is in the way, unless ``overwrite`` and it is of that kind. Returns ``out``."""
    out = Path(out)
    check_apart(out, inputs, archive)
    if file is None:
        check_destination(out, overwrite=overwrite)
    else:
        check_file(out, file, overwrite)
    return out
