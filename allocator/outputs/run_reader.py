"""Reading a run folder (written by :func:`allocator.outputs.run_folder.write_outputs`) back.

File names come from :mod:`allocator.outputs.names`; tables are read on demand, names as text
and never as missing values (:func:`~allocator.outputs.table_io.read_table`), so a folder written
by an older version, without some explanation table, still reads. The scenario's inputs can be
loaded again from the files recorded in ``run.json`` (names of roles and partners, today's
allocation) without solving anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import InputError, UsageError
from allocator.inputs.schema import Scenario
from allocator.outputs.names import (
    KPIS_FILE,
    PLAN_TABLES,
    RESULT_FILES,
    RUN_FILE,
    is_run_folder,
    table_file,
)
from allocator.outputs.run_folder import sha256
from allocator.outputs.table_io import read_table
from allocator.postprocess.results import Plan

__all__ = ["RunFolder", "is_run_folder", "read_run_folder", "result_file"]


def result_file(name: str) -> str:
    """``name`` if it is one of the files every run folder holds, else a ValueError."""
    if name not in RESULT_FILES:
        raise ValueError(f"{name} is not a file of a run folder ({', '.join(RESULT_FILES)})")
    return name


@dataclass
class RunFolder:
    """A run folder as written: provenance, KPIs and its tables, read on demand."""

    folder: Path
    provenance: dict[str, Any]
    kpis: dict[str, Any]
    _tables: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    @property
    def scenario_name(self) -> str:
        return str(self.provenance.get("scenario", self.folder.name))

    def table(self, stem: str) -> pd.DataFrame | None:
        """The table ``<stem>.csv`` of the folder, or None when the folder has no such file."""
        if stem not in self._tables:
            file = self.folder / table_file(stem)
            self._tables[stem] = read_table(file) if file.is_file() else None
        return self._tables[stem]

    def require(self, *stems: str) -> list[pd.DataFrame]:
        """The tables ``stems`` (each a result file), or a UsageError naming those missing."""
        frames = [self.table(Path(result_file(table_file(s))).stem) for s in stems]
        missing = [table_file(s) for s, f in zip(stems, frames, strict=True) if f is None]
        if missing:
            raise UsageError(f"the run folder {self.folder} lacks {', '.join(missing)}")
        return [f for f in frames if f is not None]

    @property
    def label(self) -> str:
        """The scenario's name, with the ``--set`` overrides of the run if any."""
        overrides = self.provenance.get("overrides") or []
        name = self.scenario_name
        return f"{name} ({', '.join(overrides)})" if overrides else name

    @property
    def description(self) -> str:
        return str(self.provenance.get("description") or "")

    def plan(self) -> Plan:
        """The plan as written (no re-solve): its tables and KPIs."""
        tables = dict(zip(PLAN_TABLES, self.require(*PLAN_TABLES), strict=True))
        return Plan(
            scenario_name=self.scenario_name,
            status=str(self.kpis.get("status", "")),
            kpis=self.kpis,
            **tables,
        )

    def input_files(self) -> dict[str, str]:
        """Input file → sha256 as recorded when the run was made (the scenario.toml first)."""
        return dict(self.provenance.get("inputs") or {})

    def changed_inputs(self) -> list[str]:
        """The recorded input files missing now or changed since the run."""
        return [
            file
            for file, digest in self.input_files().items()
            if not Path(file).is_file() or sha256(Path(file)) != digest
        ]

    def scenario(self) -> Scenario | None:
        """The scenario's inputs, loaded again from the recorded files with the run's overrides,
        when they are all still there and unchanged; else None (no re-solve in either case)."""
        from allocator.inputs.loading import load_scenario

        files = [Path(f) for f in self.input_files()]
        roots = [f for f in files if f.name == "scenario.toml"]
        if not roots or self.changed_inputs():
            return None
        try:
            return load_scenario(roots[0], list(self.provenance.get("overrides") or []))
        except (InputError, UsageError):
            return None


def read_run_folder(folder: str | Path) -> RunFolder:
    """The run folder ``folder``, or a UsageError saying why it is not one."""
    path = Path(folder)
    if not is_run_folder(path):
        raise UsageError(f"{path} is not a run folder (it has no {RUN_FILE})")
    kpis_file = path / KPIS_FILE
    if not kpis_file.is_file():
        raise UsageError(f"the run folder {path} lacks {KPIS_FILE}")
    try:
        provenance = json.loads((path / RUN_FILE).read_text(encoding="utf-8"))
        kpis = json.loads(kpis_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UsageError(f"the run folder {path} holds a damaged JSON file: {error}") from None
    return RunFolder(path, provenance, kpis)
