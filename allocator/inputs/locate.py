"""Where a scenario is: the folder or file named on the command line, or the bundled default."""

from __future__ import annotations

from pathlib import Path

from allocator.errors import InputError, Problem

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "milano"
"""The bundled Milan scenario, loaded when no scenario is given."""

SCENARIO_FILE = "scenario.toml"
WORKBOOK_FILE = "inputs.xlsx"


def scenario_file(path: str | Path | None) -> Path:
    """The root ``scenario.toml`` for the ``path`` argument, or an InputError."""
    target = DEFAULT_SCENARIO if path is None else Path(path)
    target = target.resolve()
    if target.is_dir():
        toml = target / SCENARIO_FILE
        if toml.is_file():
            return toml
        what = "the bundled default scenario" if path is None else "the scenario folder"
        raise InputError(
            [
                Problem(
                    str(target),
                    f"{what} has no {SCENARIO_FILE}",
                    expected=f"a folder holding {SCENARIO_FILE} and the input tables",
                )
            ]
        )
    if target.is_file() and target.suffix == ".toml":
        return target
    if target.is_file() and target.name == WORKBOOK_FILE:
        return scenario_file(target.parent)
    message = (
        "the bundled default scenario is missing"
        if path is None
        else "no such scenario folder or file"
    )
    raise InputError([Problem(str(target), message, expected=f"a folder holding {SCENARIO_FILE}")])
