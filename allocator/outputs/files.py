"""Single files written completely or not at all: a staging file beside the target
(``.NAME.tmp-PID-TOKEN``, cleaned by a later write if its process was killed), renamed into place
with the permissions the user's umask gives."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from allocator.errors import UsageError
from allocator.outputs.atomic import beside, check_writable, clean_debris
from allocator.outputs.table_io import write_table


def _write_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Write one file through ``write(temporary)`` beside it, then rename it into place."""
    path = Path(path)
    check_writable(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_debris(path)
    temporary = beside(path, "tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # umask applies
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8, line ends as given) to ``path``: a reader sees the old file or the
    new one, never half of it. Returns the path."""
    return _write_file(Path(path), lambda t: t.write_text(text, encoding="utf-8", newline=""))


def write_bytes_atomically(data: bytes, path: str | Path) -> Path:
    """One binary file (a chart), complete or untouched."""
    return _write_file(Path(path), lambda t: t.write_bytes(data))


def write_csv_atomically(frame: pd.DataFrame, path: str | Path) -> Path:
    """One CSV file (text cells neutralised), complete or untouched."""
    return _write_file(Path(path), lambda t: write_table(frame, t))
