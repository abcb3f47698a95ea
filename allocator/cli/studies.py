"""Many solves: compare, sweep, frontier, batch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.base import (
    OutOption,
    OverwriteOption,
    SetOption,
    app,
    console,
    edge,
    errors,
    folder_loader,
    solved,
)
from allocator.cli.engine import EngineOption, JobsOption, SchedulerOption
from allocator.errors import UsageError


@app.command()
@edge
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario folders, the first the reference.")
    ],
    with_rules: Annotated[
        bool, typer.Option("--with-rules", help="Add the first scenario's rules of thumb.")
    ] = False,
    out: OutOption = None,
    set_: SetOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Compare scenarios side by side: KPIs, areas, interventions, winners and losers."""
    from allocator.outputs.run_folder import default_output_dir
    from allocator.render.summary import frame_view
    from allocator.studies.compare import compare_results, write_comparison

    results = solved(scenarios, set_ or [])
    comparison, descriptions = compare_results(results, with_rules=with_rules)
    destination = out or default_output_dir(f"compare {results[0].scenario.name}")
    written = write_comparison(
        comparison, destination, overwrite=overwrite, descriptions=descriptions
    )
    console.print(
        frame_view("Confronto", comparison.kpis, list(comparison.kpis.columns)[: 1 + len(results)])
    )
    console.print(f"Comparison written to [bold]{written}[/]")


@app.command()
@edge
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder.")],
    param: Annotated[str, typer.Option("--param", help="Setting to vary, e.g. budget.scale.")],
    values: Annotated[
        str, typer.Option("--values", help="start:stop:count (0.5:1.5:11) or a comma list.")
    ],
    out: OutOption = None,
    set_: SetOption = None,
    overwrite: OverwriteOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    jobs: JobsOption = 1,
) -> None:
    """Solve the scenario at each value of one setting: a table and a chart."""
    from allocator.cli.base import load_scenario
    from allocator.outputs import names
    from allocator.outputs.atomic import write_folder
    from allocator.outputs.run_folder import default_output_dir
    from allocator.outputs.table_io import write_table
    from allocator.render.plotting import budget_outcome, png
    from allocator.render.summary import frame_view
    from allocator.studies.executor import make_executor
    from allocator.studies.sweep import parse_values
    from allocator.studies.sweep import sweep as sweep_curve

    points = parse_values(values)
    loaded = load_scenario(scenario, set_ or [])
    with make_executor(engine, jobs, scheduler) as executor:
        frame = sweep_curve(loaded, param, points, executor=executor)
    destination = out or default_output_dir(f"sweep {loaded.name} {param}")

    def fill(folder: Path) -> None:
        write_table(frame, folder / names.SWEEP_TABLE)
        x = "budget_total" if frame["budget_total"].nunique() > 1 else param
        (folder / names.SWEEP_CHART).write_bytes(png(budget_outcome(frame, x=x)))

    written = write_folder(destination, fill, overwrite=overwrite)
    marginal = [c for c in frame.columns if c.startswith("marginal")]
    shown = [param, "status", "objective", "beneficiaries_served", "budget_used_share", *marginal]
    console.print(frame_view(f"Sweep of {param}", frame, shown))
    console.print(f"Sweep written to [bold]{written}[/]")


@app.command()
@edge
def frontier(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder.")],
    points: Annotated[int, typer.Option("--points", help="Equity weights from 0 to 1.")] = 11,
    named: Annotated[
        list[Path] | None,
        typer.Option("--scenario", help="A scenario to place on the frontier (repeatable)."),
    ] = None,
    out: OutOption = None,
    set_: SetOption = None,
    overwrite: OverwriteOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    jobs: JobsOption = 1,
) -> None:
    """The efficiency–equity frontier, with named scenarios placed on it."""
    from allocator.cli.base import load_scenario
    from allocator.outputs import names
    from allocator.outputs.atomic import write_folder
    from allocator.outputs.run_folder import default_output_dir
    from allocator.outputs.table_io import write_table
    from allocator.render.formats import number
    from allocator.render.plotting import efficiency_equity_frontier, png
    from allocator.render.summary import frame_view
    from allocator.studies.compare import unique_labels
    from allocator.studies.executor import make_executor
    from allocator.studies.sweep import frontier as frontier_curve
    from allocator.studies.sweep import placed

    loaded = load_scenario(scenario, set_ or [])
    with make_executor(engine, jobs, scheduler) as executor:
        frame = frontier_curve(loaded, points, executor=executor)
    results = solved(list(named or []), set_ or [])
    labels = unique_labels([r.scenario.name for r in results])
    points_frame = placed({label: r.plan for label, r in zip(labels, results, strict=True)})
    destination = out or default_output_dir(f"frontier {loaded.name}")

    def fill(folder: Path) -> None:
        write_table(frame, folder / names.FRONTIER_TABLE)
        write_table(points_frame, folder / names.FRONTIER_POINTS)
        labelled = frame.assign(label=[number(w, "it", None) for w in frame["equity_weight"]])
        chart = efficiency_equity_frontier(labelled, named=points_frame)
        (folder / names.FRONTIER_CHART).write_bytes(png(chart))

    written = write_folder(destination, fill, overwrite=overwrite)
    shown = ["equity_weight", "weighted_coverage", "min_area_coverage", "beneficiaries_served"]
    console.print(frame_view("Efficiency–equity frontier", frame, [*shown, "dominated"]))
    console.print(f"Frontier written to [bold]{written}[/]")


@app.command()
@edge
def batch(
    directory: Annotated[Path, typer.Argument(help="Folder holding scenario folders.")],
    jobs: Annotated[int, typer.Option("--jobs", help="Parallel processes.")] = 2,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="CSV of the combined KPIs (default outputs/batch-<DIR>.csv)."),
    ] = None,
) -> None:
    """Solve every scenario folder under DIR in parallel; one failure does not stop the others."""
    from rich.progress import Progress

    from allocator.outputs.files import write_csv_atomically
    from allocator.outputs.run_folder import default_output_dir
    from allocator.render.summary import batch_view
    from allocator.studies.batch import batch_table, find_scenarios, run_batch, worst_exit_code
    from allocator.studies.executor import make_executor

    folders = find_scenarios(directory)
    if not folders:
        raise UsageError(f"no folder with a scenario.toml under {directory}")
    results = []
    with make_executor(engine, jobs, scheduler) as executor, Progress(console=errors) as progress:
        task = progress.add_task("solving", total=len(folders))
        for result in run_batch(folders, jobs, loader=folder_loader(), executor=executor):
            results.append(result)
            progress.advance(task)
    table = batch_table(results)
    destination = out or default_output_dir(f"batch-{Path(directory).resolve().name}")
    destination = destination.with_suffix(".csv")
    write_csv_atomically(table, destination)
    console.print(batch_view(table))
    console.print(f"Combined KPIs written to [bold]{destination}[/]")
    failed = [r for r in results if not r.ok]
    for r in failed:
        errors.print(
            f"[red]{r.folder}[/]: {r.status} (exit {r.exit_code}) {r.message}", highlight=False
        )
    code = worst_exit_code(results)
    if code:
        errors.print(
            f"[bold red]{len(failed)} of {len(results)} scenarios failed[/]; exit code {code}, "
            "the worst among them (2 input, 3 infeasible, 4 solver)."
        )
        raise typer.Exit(code)
    console.print(f"[bold green]All {len(results)} scenarios solved.[/]")
