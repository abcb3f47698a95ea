"""Single files written completely or not at all: a temporary file beside the target
(:func:`tempfile.mkstemp` in the same folder, named ``.NAME.tmp-PID-…`` so a later write can clean
it if its process was killed), then :func:`os.replace` into place, with the permissions the user's
umask gives.

These functions write where they are told; whether an existing file may be replaced is decided
before, once per command, by :func:`allocator.outputs.guard.check_output`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from allocator.errors import UsageError
from allocator.i18n import _
from allocator.outputs.atomic import check_writable, clean_debris, current_umask
from allocator.outputs.table_io import write_table


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write one file through ``write(temporary)``: a temporary file in the same folder, then
    ``os.replace``d onto ``path``. A reader sees the old file or the new one, never half of it;
    a failure leaves the old one (or none) and no temporary file."""
    path = Path(path)
    check_writable(path)
    if path.is_dir():
        raise UsageError(_("{path} is a folder, not a file").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_debris(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-{os.getpid()}-")
    temporary = Path(name)
    try:
        os.fchmod(handle, 0o666 & ~current_umask())  # mkstemp makes 0600; the umask decides
        os.close(handle)
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8, line ends as given) to ``path``: a reader sees the old file or the
    new one, never half of it. Returns the path."""
    return write_atomically(path, lambda t: t.write_text(text, encoding="utf-8", newline=""))


def write_bytes_atomically(data: bytes, path: str | Path) -> Path:
    """One binary file (a chart), complete or untouched."""
    return write_atomically(path, lambda t: t.write_bytes(data))


def write_csv_atomically(frame: pd.DataFrame, path: str | Path, *, fixed: bool = False) -> Path:
    """One CSV file (text cells neutralised; ``fixed``: the same bytes for the same table, see
    :func:`~allocator.outputs.table_io.write_table`), complete or untouched."""
    return write_atomically(path, lambda t: write_table(frame, t, fixed=fixed))
