"""Folders and files written completely or not at all, safe when runs race or are killed.

A folder is filled in a staging folder beside it (``.NAME.tmp-PID-TOKEN``, made by
:func:`tempfile.mkdtemp`) and renamed into place.

* Without ``overwrite`` the final rename is the atomic claim: renaming a folder onto a folder that
  has files fails, so of two runs racing to the same destination exactly one succeeds and the
  other is refused with a :class:`~allocator.errors.UsageError` (exit code 2); nothing is ever
  deleted. (An existing *empty* folder is filled.)
* With ``overwrite`` the old folder is first renamed aside to ``.NAME.old-PID-TOKEN`` (the path is
  said), then the new one renamed into place, then the old one removed. A kill between the two
  renames leaves the old folder whole at that path; the next write to the same destination puts
  it back.
* Debris of earlier killed writes (staging folders, set-aside folders) is cleaned by the next
  write to the same destination, with a notice, when its process is gone and it is older than
  the current process.

Every folder written here carries a marker file, :data:`~allocator.outputs.names.MARKER`
(``.allocator-run``: a small JSON with the kind of folder, the allocator's version and the files
written). ``overwrite`` replaces only such a folder, and only while it holds nothing but the files
the marker lists: a folder the allocator did not write, or one where a planner has added a file,
is refused, never deleted.

Single files are written by :mod:`allocator.outputs.files` (a temporary file beside, then
``os.replace``). Folders and files get the permissions the user's umask gives (never 0700 or 0600).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from allocator import __version__
from allocator.errors import UsageError
from allocator.i18n import _
from allocator.outputs.names import MARKER

Notice = Callable[[str], None]
"""Where a writer tells the user what it did besides writing (debris removed, a folder set
aside): a function taking one sentence."""

STARTED = time.time()
"""When this process began writing (module import): debris must be older than this."""
_DEBRIS = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-z_]+")
"""A staging or set-aside name: ``.NAME.tmp-PID-TOKEN`` (token: hex, or tempfile's letters)."""
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files an operating system's file browser drops into any folder it shows: not a planner's."""
_TAKEN = (errno.EEXIST, errno.ENOTEMPTY)


def to_stderr(sentence: str) -> None:
    """The default notice: one line on standard error."""
    print(sentence, file=sys.stderr)


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), else by
    setting and restoring it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def beside(out: Path, kind: str) -> Path:
    """A staging (``tmp``) or set-aside (``old``) name beside ``out``, owned by this process."""
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def check_destination(out: Path, *, overwrite: bool = False) -> None:
    """Refuse early (before any solving) a destination that cannot be written: a file, an
    existing folder without ``overwrite``, with it one the allocator did not write (see
    :func:`check_replaceable`), or one whose folder cannot be written into. The write itself
    still claims the destination atomically."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(_("{out} exists and is not a folder").format(out=out))
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise UsageError(
                _(
                    "the output folder {out} already exists; choose another with --out, or "
                    "replace it with --overwrite"
                ).format(out=out)
            )
        check_replaceable(out)
    check_writable(out)


def write_marker(folder: Path, kind: str) -> None:
    """Mark ``folder`` as written by the allocator: :data:`MARKER` lists its files."""
    files = sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if not path.is_dir()
    )
    content = {"kind": kind, "version": __version__, "files": files}
    (folder / MARKER).write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of ``folder`` (kind, version, files), or None when it has none or a damaged
    one (then it is not taken for a folder the allocator wrote)."""
    try:
        content = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(content, dict) and isinstance(content.get("files"), list)
    return content if ok else None


def foreign_files(folder: Path, marker: dict[str, object]) -> list[str]:
    """The files in ``folder`` its marker does not list (what someone added since), sorted."""
    files = marker.get("files")
    listed = {str(f) for f in files} if isinstance(files, list) else set()
    found = []
    for path in Path(folder).rglob("*"):
        if (path.is_dir() and not path.is_symlink()) or path.name in SYSTEM_FILES:
            continue
        name = path.relative_to(folder).as_posix()
        if name != MARKER and name not in listed:
            found.append(name)
    return sorted(found)


def check_replaceable(out: Path) -> None:
    """Refuse to replace the existing folder ``out`` unless the allocator wrote it (it carries
    :data:`MARKER`) and nothing was added to it since."""
    marker = read_marker(out)
    if marker is None:
        raise UsageError(
            _(
                "the folder {out} was not written by the allocator (it has no {marker} file): "
                "--overwrite replaces only output folders; choose another with --out"
            ).format(out=out, marker=MARKER)
        )
    added = foreign_files(out, marker)
    if added:
        shown = ", ".join(added[:5]) + (", …" if len(added) > 5 else "")
        raise UsageError(
            _(
                "the folder {out} holds files the allocator did not write there ({files}): "
                "--overwrite does not replace it; move them elsewhere or choose another --out"
            ).format(out=out, files=shown)
        )


def check_writable(target: Path) -> None:
    """Refuse a file or folder to be created where the nearest existing folder above it cannot
    be written into (read-only, not a folder, no permission)."""
    ancestor = Path(target).absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(
            _("cannot write {target}: {ancestor} is not a folder").format(
                target=target, ancestor=ancestor
            )
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(
            _("cannot write {target}: the folder {ancestor} is not writable").format(
                target=target, ancestor=ancestor
            )
        )


def write_folder(
    out: Path,
    fill: Callable[[Path], None],
    *,
    overwrite: bool = False,
    notice: Notice = to_stderr,
    kind: str = "output",
) -> Path:
    """Create the folder ``out`` with ``fill(staging)`` writing into a staging folder beside it,
    marked as the allocator's (``kind`` says what it holds: ``run``, ``comparison``…), then
    renamed into place: ``out`` is complete or untouched. Returns ``out``."""
    out = Path(out)
    check_destination(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_debris(out, notice)
    check_destination(out, overwrite=overwrite)  # debris cleaning may have restored it
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-{os.getpid()}-"))
    staging.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700; the umask decides
    try:
        fill(staging)
        if not any(staging.iterdir()):
            raise ValueError(f"nothing was written for {out}")
        write_marker(staging, kind)
        _place(staging, out, overwrite, notice)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _place(staging: Path, out: Path, overwrite: bool, notice: Notice) -> None:
    """Rename ``staging`` to ``out``; an existing ``out`` refused, or set aside when
    overwriting one the allocator wrote (retried if another run puts its folder there in
    between)."""
    retired: list[Path] = []
    for _attempt in range(5):
        try:
            os.rename(staging, out)
            break
        except OSError as exc:
            if exc.errno not in _TAKEN or not overwrite:
                if exc.errno in _TAKEN:
                    raise UsageError(
                        _(
                            "the output folder {out} was written by another run meanwhile; "
                            "choose another with --out, or replace it with --overwrite"
                        ).format(out=out)
                    ) from None
                raise
        check_replaceable(out)  # what is there now may not be what was checked before
        aside = beside(out, "old")
        try:
            os.rename(out, aside)
        except FileNotFoundError:
            continue  # another run set it aside first
        retired.append(aside)
        notice(
            _("The previous {out} is kept at {aside} until the new one is in place.").format(
                out=out, aside=aside
            )
        )
    else:
        raise UsageError(
            _("the output folder {out} keeps being replaced by other runs").format(out=out)
        )
    for aside in retired:
        shutil.rmtree(aside, ignore_errors=True)


def _owner_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def clean_debris(out: Path, notice: Notice = to_stderr) -> None:
    """Remove what killed writes to ``out`` left beside it (older than this process, their
    process gone); a folder set aside by a killed ``--overwrite`` is put back when ``out`` is
    missing, else removed."""
    debris = []
    for path in out.parent.iterdir() if out.parent.is_dir() else ():
        found = _DEBRIS.fullmatch(path.name)
        if found is None or found["name"] != out.name:
            continue
        try:
            modified = path.lstat().st_mtime
        except FileNotFoundError:
            continue
        if modified < STARTED and _owner_gone(int(found["pid"])):
            debris.append((modified, found["kind"], path))
    for _modified, kind, path in sorted(debris, reverse=True):  # the newest set-aside folder first
        if kind == "old" and not out.exists():
            try:
                os.rename(path, out)
            except OSError:
                pass
            else:
                notice(
                    _(
                        "Put back {out} from {path}, where an interrupted --overwrite left it."
                    ).format(out=out, path=path)
                )
                continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if kind == "tmp":
            said = _("Removed {path}, left by an interrupted write of {out}.")
        else:
            said = _("Removed {path}, left by an interrupted --overwrite of {out}.")
        notice(said.format(path=path, out=out))
