"""Making scenarios: the template, needs estimation, synthetic scenarios, the Milan builder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.base import (
    app,
    console,
    edge,
)
from allocator.errors import UsageError


@app.command()
@edge
def template(
    directory: Annotated[Path, typer.Argument(help="Folder to write the empty tables into.")],
) -> None:
    """Write empty input tables (CSV and inputs.xlsx) with a description of every column."""
    from allocator.datasets.template import write_template

    written = write_template(directory)
    console.print(f"Wrote {len(written)} files into [bold]{directory}[/]:")
    for path in written:
        console.print(f"  {path.name}")


@app.command()
@edge
def needs(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder with areas_profile.csv.")],
    parameters: Annotated[
        Path | None,
        typer.Option(help="Parameter file; default: allocator/data/needs_parameters.csv."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write needs.csv; default: in the scenario.")
    ] = None,
) -> None:
    """Estimate needs.csv from area demographics and published rates (every rate in one file)."""
    from allocator.datasets.needs import write_needs

    written = write_needs(scenario, parameters, out)
    console.print(f"Needs (ESTIMATES) written to [bold]{written}[/]")


@app.command()
@edge
def synth(
    directory: Annotated[Path, typer.Argument(help="Folder to write the synthetic scenario into.")],
    areas: Annotated[int, typer.Option(min=1, help="Number of areas.")] = 25,
    partners: Annotated[int, typer.Option(min=1, help="Number of partners.")] = 500,
    interventions: Annotated[int, typer.Option(min=1, help="Number of interventions.")] = 10,
    funders: Annotated[int, typer.Option(min=1, help="Number of funders.")] = 4,
    staff_roles: Annotated[int, typer.Option(min=0, help="Number of staff roles.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 0,
) -> None:
    """Write a complete SYNTHETIC scenario of any size (for tests, benchmarks, training)."""
    from allocator.datasets.synth import synth_scenario

    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} exists and is not empty; choose a new folder")
    written = synth_scenario(
        directory,
        areas=areas,
        interventions=interventions,
        partners=partners,
        funders=funders,
        seed=seed,
        staff_roles=staff_roles,
    )
    console.print(f"Synthetic scenario written to [bold]{written}[/]")


@app.command("build-milano")
@edge
def build_milano_command(
    shared: Annotated[
        Path | None, typer.Option(help="The Milan open data; default: ../shared/data/milano.")
    ] = None,
    scenarios: Annotated[
        Path | None, typer.Option(help="Where the scenarios go; default: scenarios/.")
    ] = None,
) -> None:
    """Rebuild scenarios/milano and scenarios/milano-citta from the Comune's open data."""
    from allocator.datasets.milano import build_milano, default_shared_data_dir

    shared = shared or default_shared_data_dir()
    if not shared.is_dir():
        raise UsageError(f"no folder {shared}: point --shared at the Milan open data")
    written = build_milano(shared, scenarios)
    console.print(f"Rebuilt {len(written)} files (Fonte: Comune di Milano – Open Data, CC BY 4.0).")
