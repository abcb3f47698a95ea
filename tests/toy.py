"""Toy scenario folders for batch and CLI tests, read without the package's loader.

A folder holds scenario.toml (any content) and ``toy.txt``: ``budget <euros>``, ``infeasible`` or
``bad``. :func:`toy_loader` is module-level so worker processes can import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from allocator.errors import InputError, Problem
from allocator.inputs.schema import Scenario
from tests.builders import scenario


def toy_scenario(budget: float, name: str = "toy") -> Scenario:
    """One area, one intervention at 10 € with need 30, one partner (capacity 50)."""
    s = scenario(
        needs=[{"area_id": "A", "intervention_id": "k", "need": 30}],
        capacities=[{"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 50}],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": budget}],
    )
    return s.model_copy(update={"settings": s.settings.model_copy(update={"name": name})})


def write_toy(folder: Path, content: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenario.toml").write_text(f'name = "{folder.name}"\n')
    (folder / "toy.txt").write_text(content)
    return folder


def toy_loader(folder: Path) -> Scenario:
    content = (Path(folder) / "toy.txt").read_text().split()
    if content[0] == "budget":
        return toy_scenario(float(content[1]), name=Path(folder).name)
    if content[0] == "infeasible":
        s = toy_scenario(100.0, name=Path(folder).name)
        staff = scenario(
            staff=[{"role_id": "R", "name": "R", "available_fte": 0.5, "cost_per_fte": 1,
                    "min_fte_per_area": 1}]
        ).staff  # fmt: skip
        return s.model_copy(update={"staff": staff})
    raise InputError([Problem("toy.txt", "not a toy scenario", row=1, value=content[0])])


def toy_load(path: Path | None, overrides: Sequence[str] = ()) -> Scenario:
    """:func:`toy_loader` with the package loader's signature (overrides are ignored)."""
    assert path is not None
    return toy_loader(path)
