"""Mutated Milan scenarios for the fuzzing test: a slice of the bundled Milan scenario (its first
areas, with every row that refers to them), then a few cells of any table replaced by a bad value.

Deterministic: the same seed gives the same scenarios.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MILANO = ROOT / "scenarios" / "milano"
TABLES = (
    "areas",
    "needs",
    "interventions",
    "partners",
    "capacities",
    "baseline",
    "funders",
    "earmarks",
    "staff",
)
"""The tables ``allocator run`` reads from the Milan scenario."""

BAD_VALUES: dict[str, list[str]] = {
    "huge": ["1e308", "-1e308", "9" * 400, "1e-320", "4.9e-324", "123456789012345678901234567890"],
    "control": ["\x00", "a\x07b", "\x1b[31mrosso\x1b[0m", "due\nrighe", "tab\tqui", "\r", "\x7f"],
    "formula": ['=HYPERLINK("http://x","y")', "=1+1", "+1+1", "-1+1", "@SUM(A1)", "=cmd|'/C calc'"],
    "empty": ["", " ", "   "],
    "text": ["tanti", "1,2,3", "NaN", "inf", "-inf", "true", "1.5.3", "12 €", "٣", "—"],
    "negative": ["-1", "-0.5", "-0", "-1e6"],
    "long": ["x" * 140_000, "é" * 5_000],
}
"""Bad values by kind, as the issue lists them (huge, control characters, formulas, empty, text
in numeric columns, negative), plus cells longer than the csv module's field limit."""


Tables = dict[str, tuple[list[str], list[dict[str, str]]]]
"""Table name → (columns, rows)."""


@dataclass(frozen=True)
class Mutation:
    table: str
    row: int
    """0-based data row."""
    column: str
    kind: str
    value: str

    def __str__(self) -> str:
        shown = self.value if len(self.value) < 40 else self.value[:37] + "…"
        return f"{self.table}.csv row {self.row + 2} {self.column} = {shown!r} ({self.kind})"


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def milano_slice(folder: Path, areas: int = 6) -> Tables:
    """Write the Milan scenario restricted to its first ``areas`` areas into ``folder``;
    return its tables (columns, rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MILANO / "scenario.toml", folder / "scenario.toml")
    tables = {name: read_rows(MILANO / f"{name}.csv") for name in TABLES}
    kept = {row["area_id"] for row in tables["areas"][1][:areas]}
    for columns, rows in tables.values():
        if "area_id" in columns:
            rows[:] = [r for r in rows if r["area_id"] in kept or r["area_id"] == "*"]
    serving = {r["partner_id"] for r in tables["capacities"][1]}
    tables["partners"][1][:] = [r for r in tables["partners"][1] if r["partner_id"] in serving]
    for name, (columns, rows) in tables.items():
        write_rows(folder / f"{name}.csv", columns, rows)
    return tables


def mutations(rng: random.Random, tables: Tables) -> list[Mutation]:
    """One to three cells, each of a table, row and column drawn at random, given a bad value."""
    chosen = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        table = rng.choice(TABLES)
        columns, rows = tables[table]
        if not rows:
            continue
        kind = rng.choice(sorted(BAD_VALUES))
        chosen.append(
            Mutation(
                table,
                rng.randrange(len(rows)),
                rng.choice(columns),
                kind,
                rng.choice(BAD_VALUES[kind]),
            )
        )
    return chosen


def mutated_scenario(
    folder: Path,
    base: Path,
    tables: Tables,
    changes: list[Mutation],
) -> Path:
    """A copy of the scenario ``base`` in ``folder`` with ``changes`` applied."""
    shutil.copytree(base, folder)
    for table in {c.table for c in changes}:
        columns, rows = tables[table]
        changed = [dict(r) for r in rows]
        for change in (c for c in changes if c.table == table):
            changed[change.row][change.column] = change.value
        write_rows(folder / f"{table}.csv", columns, changed)
    return folder
