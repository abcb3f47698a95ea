"""Making scenarios: the template, needs estimation, synthetic scenarios, the Milan builder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from allocator.cli import base
from allocator.errors import UsageError
from allocator.i18n import _


@base.command("Write empty input tables (CSV and inputs.xlsx) with a description of every column.")
def template(
    directory: Annotated[
        Path,
        base.argument("Folder to write the empty tables into."),
    ],
) -> None:
    """Write empty input tables (CSV and inputs.xlsx) with a description of every column."""
    from allocator.datasets.template import write_template

    written = write_template(directory)
    base.console.print(
        _("Wrote {count} files into").format(count=len(written)) + f" [bold]{directory}[/]:"
    )
    for path in written:
        base.console.print(f"  {path.name}")


@base.command(
    "Estimate needs.csv from area demographics and published rates (every rate in one file)."
)
def needs(
    scenario: Annotated[
        Path,
        base.argument("Scenario folder with areas_profile.csv."),
    ],
    parameters: Annotated[
        Path | None,
        base.option("Parameter file; default: allocator/data/needs_parameters.csv."),
    ] = None,
    out: Annotated[
        Path | None,
        base.option("Where to write needs.csv; default: in the scenario."),
    ] = None,
    overwrite: Annotated[
        bool,
        base.option(
            "Replace a needs.csv that already has rows.",
            "--overwrite",
        ),
    ] = False,
) -> None:
    """Estimate needs.csv from area demographics and published rates (every rate in one file)."""
    from allocator.datasets.needs import write_needs
    from allocator.outputs.guard import NEEDS_TABLE, scenario_chain

    target = out or scenario / "needs.csv"
    # every file of the scenario and its parents is an input, except the needs table it replaces
    read = [f for folder in scenario_chain(scenario) for f in folder.iterdir() if f.is_file()]
    inputs = [f for f in [*read, parameters] if f is not None and f.resolve() != target.resolve()]
    base.guard_output(target, inputs=inputs, overwrite=overwrite, file=NEEDS_TABLE)
    written = write_needs(scenario, parameters, target)
    base.print_written(_("Needs (ESTIMATES) written to"), written)


@base.command("Write a complete SYNTHETIC scenario of any size (for tests, benchmarks, training).")
def synth(
    directory: Annotated[
        Path,
        base.argument("Folder to write the synthetic scenario into."),
    ],
    areas: Annotated[int, base.option("Number of areas.", min=1)] = 25,
    partners: Annotated[int, base.option("Number of partners.", min=1)] = 500,
    interventions: Annotated[int, base.option("Number of interventions.", min=1)] = 10,
    funders: Annotated[int, base.option("Number of funders.", min=1)] = 4,
    staff_roles: Annotated[
        int,
        base.option("Number of staff roles.", min=0),
    ] = 1,
    seed: Annotated[
        int,
        base.option("Random seed: same seed, same files."),
    ] = 0,
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
    base.print_written(_("Synthetic scenario written to"), written)


@base.command(
    "Rebuild scenarios/milano and scenarios/milano-citta from the Comune's open data.",
    name="build-milano",
)
def build_milano_command(
    shared: Annotated[
        Path | None,
        base.option("The Milan open data; default: ../shared/data/milano."),
    ] = None,
    scenarios: Annotated[
        Path | None,
        base.option("Where the scenarios go; default: scenarios/."),
    ] = None,
) -> None:
    """Rebuild scenarios/milano and scenarios/milano-citta from the Comune's open data."""
    from allocator.datasets.milano import build_milano, default_shared_data_dir

    shared = shared or default_shared_data_dir()
    if not shared.is_dir():
        raise UsageError(f"no folder {shared}: point --shared at the Milan open data")
    written = build_milano(shared, scenarios)
    base.console.print(
        f"Rebuilt {len(written)} files (Fonte: Comune di Milano – Open Data, CC BY 4.0)."
    )
