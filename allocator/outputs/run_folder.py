"""Writing a run's outputs (DESIGN.md §4): completely or not at all.

Everything is written into a temporary folder beside the destination, then renamed into place.
An existing destination is replaced only when asked (``overwrite``), and then only after the new
outputs are complete; a failure leaves the earlier run's folder untouched.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from allocator import __version__
from allocator.errors import UsageError
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import solver_version

RESULT_FILES = (
    "allocation.csv",
    "areas.csv",
    "area_interventions.csv",
    "funders.csv",
    "funding.csv",
    "staff.csv",
    "excluded_partners.csv",
    "kpis.json",
    "run.json",
    "results.xlsx",
)


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
        "explanation": result.explanation,
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
) -> Path:
    """Write every output file of the run into ``out``, atomically. Returns ``out``.

    ``extra_tables`` (name → frame) are written as ``name.csv`` and as sheets too (the
    explanations and comparisons add theirs this way).
    """
    if result.plan is None:
        raise ValueError("a run without a plan has no outputs to write")
    return write_folder(
        out,
        lambda folder: _write_all(result, folder, overrides, extra_tables or {}),
        overwrite=overwrite,
    )


def write_folder(out: Path, fill: Callable[[Path], None], *, overwrite: bool = False) -> Path:
    """Create the folder ``out`` with ``fill(staging)`` writing into a temporary folder beside it,
    then renamed into place: ``out`` is complete or untouched. Returns ``out``."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise UsageError(
            f"the output folder {out} already exists; choose another with --out, or replace it "
            "with --overwrite"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        fill(staging)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            retired.rmdir()
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _write_all(
    result: RunResult,
    folder: Path,
    overrides: list[str] | None,
    extra_tables: dict[str, pd.DataFrame],
) -> None:
    plan = result.plan
    assert plan is not None
    write_run_files(
        folder, {**plan.tables(), **extra_tables}, plan.kpis, provenance(result, overrides)
    )


def write_run_files(
    folder: Path, tables: dict[str, pd.DataFrame], kpis: dict[str, Any], run: dict[str, Any]
) -> None:
    """Write a run's files into ``folder``: one CSV per table, kpis.json, run.json (``run``, the
    provenance) and results.xlsx. Used for a fresh run and for one recalled from the archive."""
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    kpis = _json_ready(kpis)
    (folder / "kpis.json").write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n")
    run = _json_ready(run)
    (folder / "run.json").write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    kpi_frame = pd.DataFrame(
        [(k, json.dumps(v) if isinstance(v, dict) else v) for k, v in kpis.items()],
        columns=["kpi", "value"],
    )
    with pd.ExcelWriter(folder / "results.xlsx", engine="openpyxl") as writer:
        kpi_frame.to_excel(writer, sheet_name="kpis", index=False)
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)


def write_csv_atomically(frame: pd.DataFrame, path: Path) -> Path:
    """One CSV file, written to a temporary file beside it and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    os.close(handle)
    try:
        frame.to_csv(temporary, index=False, lineterminator="\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
