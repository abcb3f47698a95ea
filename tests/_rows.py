"""Check scenario tables against the row models of inputs.schema (the loader is separate)."""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import BaseModel

from allocator.inputs import schema

ROW_MODELS: dict[str, type[BaseModel]] = {
    "areas": schema.Area,
    "interventions": schema.Intervention,
    "needs": schema.Need,
    "partners": schema.Partner,
    "capacities": schema.Capacity,
    "funders": schema.Funder,
    "earmarks": schema.Earmark,
    "staff": schema.StaffRole,
    "baseline": schema.BaselineRow,
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def validate_table(directory: Path, table: str) -> list[BaseModel]:
    """Build the row model of every row of ``directory/table.csv`` (blank cells = defaults)."""
    model = ROW_MODELS[table]
    return [
        model(**{k: v for k, v in row.items() if v != ""})
        for row in read_rows(directory / f"{table}.csv")
    ]
