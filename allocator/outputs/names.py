"""The file names of the folders the allocator writes, defined once for writers and readers.

A run folder (``allocator run``) holds one CSV per table of the plan (:data:`PLAN_TABLES`) and of
the explanation (:data:`EXPLANATION_TABLES`), the KPIs, the provenance and a workbook of them all.
"""

from __future__ import annotations

from pathlib import Path

KPIS_FILE = "kpis.json"
"""The plan's KPIs, by key (postprocess/kpis.py)."""
RUN_FILE = "run.json"
"""Provenance: inputs and their hashes, overrides, versions, solver status, settings."""
RESULTS_WORKBOOK = "results.xlsx"
"""A settings sheet, the KPIs, and every table of the run as a sheet (named in the planner's
language)."""

PLAN_TABLES = (
    "allocation",
    "areas",
    "area_interventions",
    "funders",
    "funding",
    "staff",
    "excluded_partners",
)
"""The plan's tables (``Plan.tables()``), each written as ``<name>.csv``."""
EXPLANATION_TABLES = ("limits", "strengthen", "idle_capacity", "marginal_values")
"""The explanation's tables; ``marginal_values`` only with ``run --explain``."""
REPORT_TABLES = ("areas", "area_interventions", "funders")
"""The tables ``allocator report`` needs in a run folder."""

COMPARISON_WORKBOOK = "comparison.xlsx"
COMPARISON_SUMMARY = "summary.md"
SWEEP_TABLE = "sweep.csv"
SWEEP_CHART = "sweep.png"
FRONTIER_TABLE = "frontier.csv"
FRONTIER_POINTS = "scenarios.csv"
FRONTIER_CHART = "frontier.png"
FRONTIER_RULES = "rules.csv"


def table_file(name: str) -> str:
    """The file of one table: ``areas`` → ``areas.csv``."""
    return f"{name}.csv"


RESULT_FILES = (*(table_file(t) for t in PLAN_TABLES), KPIS_FILE, RUN_FILE, RESULTS_WORKBOOK)
"""The files every run folder holds."""


def is_run_folder(path: str | Path | None) -> bool:
    """Whether ``path`` is a folder written by ``allocator run`` (it holds the provenance)."""
    return path is not None and (Path(path) / RUN_FILE).is_file()


MARKER = ".allocator-run"
"""The marker file in every folder the allocator writes (JSON: kind, version, files): only such
a folder is replaced by ``--overwrite``."""
REPORT_GENERATOR = '<meta name="generator" content="allocator">'
"""In the head of every HTML report: how ``report --overwrite`` tells a report from another file."""
