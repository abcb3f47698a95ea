"""Folders and files written completely or not at all, safe when runs race or are killed.

A folder is filled in a staging folder beside it (``.NAME.tmp-PID-TOKEN``) and renamed into place.

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

Single files are written by :mod:`allocator.outputs.files` the same way (a staging file beside,
renamed). Folders and files get the permissions the user's umask gives (never 0700 or 0600).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from allocator.errors import UsageError

Notice = Callable[[str], None]
"""Where a writer tells the user what it did besides writing (debris removed, a folder set
aside): a function taking one sentence."""

STARTED = time.time()
"""When this process began writing (module import): debris must be older than this."""
_DEBRIS = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+")
_TAKEN = (errno.EEXIST, errno.ENOTEMPTY)


def to_stderr(sentence: str) -> None:
    """The default notice: one line on standard error."""
    print(sentence, file=sys.stderr)


def beside(out: Path, kind: str) -> Path:
    """A staging (``tmp``) or set-aside (``old``) name beside ``out``, owned by this process."""
    return out.parent / f".{out.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def check_destination(out: Path, *, overwrite: bool = False) -> None:
    """Refuse early (before any solving) a destination that cannot be written: an existing one
    without ``overwrite``, one that is a file, or one whose folder cannot be written into.
    The write itself still claims the destination atomically."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.exists() and not overwrite and any(out.iterdir()):
        raise UsageError(
            f"the output folder {out} already exists; choose another with --out, or replace it "
            "with --overwrite"
        )
    check_writable(out)


def check_writable(target: Path) -> None:
    """Refuse a file or folder to be created where the nearest existing folder above it cannot
    be written into (read-only, not a folder, no permission)."""
    ancestor = Path(target).absolute().parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"cannot write {target}: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {target}: the folder {ancestor} is not writable")


def write_folder(
    out: Path,
    fill: Callable[[Path], None],
    *,
    overwrite: bool = False,
    notice: Notice = to_stderr,
) -> Path:
    """Create the folder ``out`` with ``fill(staging)`` writing into a staging folder beside it,
    then renamed into place: ``out`` is complete or untouched. Returns ``out``."""
    out = Path(out)
    check_destination(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_debris(out, notice)
    check_destination(out, overwrite=overwrite)  # debris cleaning may have restored it
    staging = beside(out, "tmp")
    staging.mkdir()
    try:
        fill(staging)
        if not any(staging.iterdir()):
            raise ValueError(f"nothing was written for {out}")
        _place(staging, out, overwrite, notice)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _place(staging: Path, out: Path, overwrite: bool, notice: Notice) -> None:
    """Rename ``staging`` to ``out``; an existing ``out`` refused, or set aside when
    overwriting (retried if another run puts its folder there in between)."""
    retired: list[Path] = []
    for _ in range(5):
        try:
            os.rename(staging, out)
            break
        except OSError as exc:
            if exc.errno not in _TAKEN or not overwrite:
                if exc.errno in _TAKEN:
                    raise UsageError(
                        f"the output folder {out} was written by another run meanwhile; "
                        "choose another with --out, or replace it with --overwrite"
                    ) from None
                raise
        aside = beside(out, "old")
        try:
            os.rename(out, aside)
        except FileNotFoundError:
            continue  # another run set it aside first
        retired.append(aside)
        notice(f"The previous {out} is kept at {aside} until the new one is in place.")
    else:
        raise UsageError(f"the output folder {out} keeps being replaced by other runs")
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
    for _, kind, path in sorted(debris, reverse=True):  # the newest set-aside folder first
        if kind == "old" and not out.exists():
            try:
                os.rename(path, out)
            except OSError:
                pass
            else:
                notice(f"Put back {out} from {path}, where an interrupted --overwrite left it.")
                continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        what = "an interrupted write" if kind == "tmp" else "an interrupted --overwrite"
        notice(f"Removed {path}, left by {what} of {out}.")
