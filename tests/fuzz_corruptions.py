"""Random small scenarios with random cell corruptions, for the fuzzing test (issue 21).

A case is a scenario from the synthetic generator (``allocator synth``'s ``synth_scenario``, a few
areas, interventions and partners) or from the tests' small factory, as CSV files or as one
``inputs.xlsx``, then one to three corruptions: numbers rewritten the Italian or the English way
(or with two readings), blanks, extra or missing fields, wrong types, spreadsheet errors, stray
far cells, and whole files re-encoded or re-separated. Deterministic: the same seed, the same case.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from allocator.datasets.synth import synth_scenario
from allocator.inputs.tables import TABLES_BY_NAME
from tests.scenario_factory import write_scenario, write_xlsx

Grid = list[list[str]]
"""A CSV as rows of text cells, the header first."""


def italian(value: float) -> str:
    whole = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    return whole.translate(str.maketrans(",.", ".,"))


def english(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


NUMBER_WAYS: dict[str, Callable[[float], str]] = {
    "italian": italian,
    "english": english,
    "euro": lambda v: "€ " + italian(v),
    "percent": lambda v: f"{v * 100:g}%",
    "three_decimals": lambda v: f"{v:.3f}",
    "scientific": lambda v: f"{v:e}",
}
"""Ways a planner (or a program) writes a number; each is read, refused or read by the file's
convention, never guessed."""

BAD_CELLS = {
    "blank": ["", " ", "\u00a0"],
    "two_readings": ["1.250", "168,000", "2.500", "12,500", "1.000"],
    "wrong_type": ["tanti", "true", "3", "città_studi", "K99", "-1", "1e308", "NaN", "1.2.3"],
    "spreadsheet_error": ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#N/D", "Err:502"],
    "formula": ["=1+1", "=SUM(A1:A3)", "@SUM(A1)"],
}


@dataclass(frozen=True)
class Corruption:
    kind: str
    where: str
    value: str = ""

    def __str__(self) -> str:
        shown = self.value if len(self.value) < 30 else self.value[:27] + "…"
        return f"{self.kind} {self.where} {shown!r}".rstrip()


def read_grid(path: Path) -> Grid:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle)]


def grid_text(grid: Grid, delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(grid)
    return out.getvalue()


def base_scenario(rng: random.Random, folder: Path) -> Path:
    """A small valid scenario: synthetic (random sizes and seed) or the tests' small one."""
    if rng.random() < 0.7:
        synth_scenario(
            folder,
            areas=rng.randint(1, 4),
            interventions=rng.randint(1, 3),
            partners=rng.randint(1, 6),
            funders=rng.randint(1, 3),
            seed=rng.randrange(10_000),
            staff_roles=rng.randint(0, 1),
        )
        return folder
    return write_scenario(folder)


def tables_of(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.csv") if p.stem in TABLES_BY_NAME)


def _number_columns(table: str) -> set[str]:
    return {c.name for c in TABLES_BY_NAME[table].columns if c.type.value in ("number", "share")}


def corrupt_cell(rng: random.Random, grid: Grid, table: str) -> Corruption | None:
    """One data cell given a planner's number, a blank, two readings, a wrong type, …"""
    if len(grid) < 2 or not grid[0]:
        return None
    row = rng.randrange(1, len(grid))
    numeric = [i for i, name in enumerate(grid[0]) if name in _number_columns(table)]
    rewrite = bool(numeric) and rng.random() < 0.5
    column = rng.choice(numeric) if rewrite else rng.randrange(len(grid[0]))
    name = grid[0][column]
    cells = grid[row]
    cells.extend([""] * (len(grid[0]) - len(cells)))
    where = f"{table}.csv row {row + 1} {name}"
    try:
        number = float(cells[column])
    except ValueError:
        number = None
    if rewrite and number is not None:
        way = rng.choice(sorted(NUMBER_WAYS))
        cells[column] = NUMBER_WAYS[way](number)
        return Corruption(f"number_{way}", where, cells[column])
    kind = rng.choice(sorted(BAD_CELLS))
    cells[column] = rng.choice(BAD_CELLS[kind])
    return Corruption(kind, where, cells[column])


def corrupt_row(rng: random.Random, grid: Grid, table: str) -> Corruption | None:
    """A row with an extra field, a field missing, duplicated, dropped; a header misspelt."""
    if len(grid) < 2:
        return None
    row = rng.randrange(1, len(grid))
    kind = rng.choice(["extra_field", "unquoted_decimal", "missing_field", "duplicate", "drop"])
    where = f"{table}.csv row {row + 1}"
    if kind == "extra_field":
        grid[row].append(rng.choice(["", "x", "5"]))
    elif kind == "unquoted_decimal":  # "37,5" in a comma CSV: two fields
        grid[row][-1:] = ["37", "5"]
    elif kind == "missing_field":
        grid[row] = grid[row][:-1]
    elif kind == "duplicate":
        grid.insert(row, list(grid[row]))
    else:
        del grid[row]
    return Corruption(kind, where)


def rewrite_file(rng: random.Random, path: Path, grid: Grid) -> Corruption:
    """The whole file re-encoded or re-separated as other programs save it."""
    kind = rng.choice(["cp1252", "utf16", "bom", "bad_bytes", "semicolon", "nul", "sep_hint"])
    text = grid_text(grid)
    if kind == "cp1252":
        path.write_bytes(text.replace("sintetic", "città – sintètic").encode("cp1252"))
    elif kind == "utf16":
        path.write_bytes(text.encode("utf-16"))
    elif kind == "bom":
        path.write_bytes(text.encode("utf-8-sig"))
    elif kind == "bad_bytes":
        path.write_bytes(text.encode() + b"\x81\x8d\xff")
    elif kind == "semicolon":  # Italian Excel: ';' and decimal commas
        italianised = [[cell.replace(".", ",") for cell in row] for row in grid]
        path.write_text(grid_text(italianised, ";"), encoding="utf-8")
    elif kind == "nul":
        path.write_bytes(text.encode().replace(b"\n", b"\x00\n", 1))
    else:
        path.write_text("sep=;\n" + grid_text(grid, ";"), encoding="utf-8")
    return Corruption(kind, path.name)


def corrupt_csv(rng: random.Random, folder: Path) -> list[Corruption]:
    """One to three corruptions of the scenario's CSV tables."""
    done = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        table = rng.choice(tables_of(folder))
        path = folder / f"{table}.csv"
        try:
            grid = read_grid(path)
        except (UnicodeDecodeError, csv.Error):
            continue  # already re-encoded by an earlier corruption
        roll = rng.random()
        if roll < 0.15:
            done.append(rewrite_file(rng, path, grid))
            continue
        change = corrupt_cell(rng, grid, table) if roll < 0.75 else corrupt_row(rng, grid, table)
        if change is not None:
            path.write_text(grid_text(grid), encoding="utf-8")
            done.append(change)
    return done


def typed(text: str) -> object:
    """A CSV cell as a workbook cell: a number typed as a number, else its text."""
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return text


def as_workbook(rng: random.Random, folder: Path) -> list[Corruption]:
    """The CSV tables moved into ``inputs.xlsx``, one to three cells corrupted (a far stray cell
    among them)."""
    sheets: dict[str, list[dict[str, object]]] = {}
    for table in tables_of(folder):
        grid = read_grid(folder / f"{table}.csv")
        sheets[table] = [dict(zip(grid[0], map(typed, row), strict=False)) for row in grid[1:]]
        (folder / f"{table}.csv").unlink()
    done = []
    for _ in range(rng.choice((1, 2, 3))):
        table = rng.choice(sorted(sheets))
        rows = sheets[table]
        if not rows:
            continue
        row = rng.choice(rows)
        column = rng.choice(sorted(row))
        kind = rng.choice(sorted(BAD_CELLS))
        row[column] = rng.choice(BAD_CELLS[kind])
        done.append(Corruption(f"sheet_{kind}", f"{table} {column}", str(row[column])))
    write_xlsx(folder / "inputs.xlsx", sheets)
    if rng.random() < 0.3:
        done.append(_far_cell(rng, folder / "inputs.xlsx", sorted(sheets)))
    return done


def _far_cell(rng: random.Random, path: Path, sheets: list[str]) -> Corruption:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = rng.choice(sheets)
    coordinate = rng.choice(["Z200000", "XFD1048576", "CW5", "A100001"])
    value = rng.choice([" ", "x", "0"])
    book[sheet][coordinate] = value
    book.save(path)
    return Corruption("far_cell", f"{sheet}!{coordinate}", value)


def corrupted_case(rng: random.Random, folder: Path) -> list[Corruption]:
    """A small scenario in ``folder`` with random corruptions; what was done."""
    base_scenario(rng, folder)
    if rng.random() < 0.2:
        return as_workbook(rng, folder)
    return corrupt_csv(rng, folder)
