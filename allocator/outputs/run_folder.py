"""Writing a run's outputs (DESIGN.md §4): completely or not at all.

The folder is written by :func:`allocator.outputs.atomic.write_folder` (staged beside the
destination, marked as the allocator's, renamed into place; an existing destination refused
atomically, or replaced only when asked and only when the allocator wrote it); its file names are
:mod:`allocator.outputs.names`.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import re
import unicodedata
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from allocator import __version__
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult, fact_records
from allocator.optimization.solve import solver_version
from allocator.outputs.atomic import Notice, to_stderr, write_folder
from allocator.outputs.names import (
    KPIS_FILE,
    RESULT_FILES,
    RESULTS_WORKBOOK,
    RUN_FILE,
    table_file,
)
from allocator.outputs.table_io import write_table
from allocator.outputs.workbook import write_results_workbook

__all__ = [
    "RESULT_FILES",
    "default_output_dir",
    "provenance",
    "sha256",
    "slug",
    "write_outputs",
    "write_run_files",
]


def slug(name: str) -> str:
    """A folder name from a scenario name: 'Milano QuBì – base' → 'milano-qubi-base'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "scenario"


def default_output_dir(scenario_name: str, base: Path = Path("outputs")) -> Path:
    return base / slug(scenario_name)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance(result: RunResult, overrides: list[str] | None = None) -> dict[str, Any]:
    """What run.json records: where the inputs came from and how the plan was made."""
    scenario = result.scenario
    settings = scenario.settings
    outcome = result.outcome
    return {
        "scenario": scenario.name,
        "description": settings.description,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": {
            str(Path(p)): sha256(Path(p)) for p in scenario.source_files if Path(p).exists()
        },
        "overrides": list(overrides or []),
        "versions": {
            "allocator": __version__,
            "python": platform.python_version(),
            "pulp": metadata.version("pulp"),
            "solver": solver_version(settings.solver.name),
            "pandas": metadata.version("pandas"),
            "pydantic": metadata.version("pydantic"),
        },
        "solver": {
            "name": settings.solver.name.value,
            "status": result.status.value,
            "message": outcome.message if outcome else None,
            "time_limit": settings.solver.time_limit,
            "mip_gap_setting": settings.solver.mip_gap,
            "mip_gap_reached": outcome.mip_gap if outcome else None,
            "seconds": outcome.seconds if outcome else 0.0,
        },
        "timings": result.timings,
        "settings": json.loads(settings.model_dump_json()),
        "facts": fact_records(result.facts),
    }


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


def write_outputs(
    result: RunResult,
    out: Path,
    *,
    overwrite: bool = False,
    overrides: list[str] | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
    details: dict[str, Any] | None = None,
    notice: Notice = to_stderr,
) -> Path:
    """Write every output file of the run into ``out``, atomically. Returns ``out``.

    ``extra_tables`` (name → frame) are written as ``name.csv`` and as sheets too (the
    explanations and comparisons add theirs this way); ``details`` are added to ``run.json``
    (the plan's name, note and changes in words: ``PlanBundle.details`` of render/bundle.py).
    """
    if result.plan is None:
        raise ValueError("a run without a plan has no outputs to write")
    return write_folder(
        out,
        lambda folder: _write_all(result, folder, overrides, extra_tables or {}, details or {}),
        overwrite=overwrite,
        notice=notice,
        kind="run",
    )


def _write_all(
    result: RunResult,
    folder: Path,
    overrides: list[str] | None,
    extra_tables: dict[str, pd.DataFrame],
    details: dict[str, Any],
) -> None:
    plan = result.plan
    assert plan is not None
    write_run_files(
        folder,
        {**plan.tables(), **extra_tables},
        plan.kpis,
        {**provenance(result, overrides), **details},
        result.scenario,
    )


def write_run_files(
    folder: Path,
    tables: dict[str, pd.DataFrame],
    kpis: dict[str, Any],
    run: dict[str, Any],
    scenario: Scenario | None = None,
) -> None:
    """Write a run's files into ``folder``: one CSV per table, kpis.json, run.json (``run``, the
    provenance) and results.xlsx; text cells safe from formula injection in CSV and workbook."""
    for name, frame in tables.items():
        write_table(frame, folder / table_file(name))
    kpis = _json_ready(kpis)
    (folder / KPIS_FILE).write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n")
    run = _json_ready(run)
    (folder / RUN_FILE).write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    # headers in the planner's language, names beside ids (from ``scenario``), number formats
    write_results_workbook(folder / RESULTS_WORKBOOK, kpis, tables, scenario, run=run)
