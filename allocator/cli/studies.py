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
) -> None:
    """Solve the scenario at each value of one setting: a table and a chart."""
    from allocator.cli.base import load_scenario
    from allocator.outputs import names
    from allocator.outputs.atomic import write_folder
    from allocator.outputs.run_folder import default_output_dir
    from allocator.outputs.table_io import write_table
    from allocator.render.gains import next_money_sentence
    from allocator.render.plotting import png
    from allocator.render.summary import frame_view
    from allocator.render.tradeoffs import budget_outcome
    from allocator.studies.sweep import next_money, parse_values
    from allocator.studies.sweep import sweep as sweep_curve

    points = parse_values(values)
    loaded = load_scenario(scenario, set_ or [])
    frame = sweep_curve(loaded, param, points)
    more = next_money(loaded)
    destination = out or default_output_dir(f"sweep {loaded.name} {param}")

    def fill(folder: Path) -> None:
        write_table(frame, folder / names.SWEEP_TABLE)
        by_budget = frame["budget_total"].nunique() > 1
        x = "budget_total" if by_budget else param
        today = more["budget_total"] if by_budget else None
        (folder / names.SWEEP_CHART).write_bytes(png(budget_outcome(frame, x=x, today=today)))

    written = write_folder(destination, fill, overwrite=overwrite)
    shown = [param, "status", "beneficiaries_served", "weighted_coverage", "budget_used_share"]
    console.print(frame_view(f"Sweep of {param}", frame, shown))
    console.print(next_money_sentence(more), highlight=False)
    console.print(f"Sweep written to [bold]{written}[/]")


@app.command()
@edge
def frontier(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder.")],
    points: Annotated[
        int, typer.Option("--points", help="Equity floors from the efficient plan's to the most.")
    ] = 8,
    named: Annotated[
        list[Path] | None,
        typer.Option("--scenario", help="A scenario to place on the frontier (repeatable)."),
    ] = None,
    rules: Annotated[
        bool, typer.Option("--rules/--no-rules", help="Place the rules of thumb on it.")
    ] = True,
    out: OutOption = None,
    set_: SetOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """The efficiency–equity frontier (by equity floor), with scenarios and rules placed on it."""
    from allocator.cli.base import load_scenario
    from allocator.outputs import names
    from allocator.outputs.atomic import write_folder
    from allocator.outputs.run_folder import default_output_dir
    from allocator.outputs.table_io import write_table
    from allocator.render.gains import domination_sentences
    from allocator.render.plotting import png
    from allocator.render.summary import frame_view
    from allocator.render.tradeoffs import efficiency_equity_frontier
    from allocator.studies.compare import unique_labels
    from allocator.studies.frontier import equity_key, placed, rules_placed
    from allocator.studies.frontier import frontier as frontier_curve

    loaded = load_scenario(scenario, set_ or [])
    key = equity_key(loaded)
    frame = frontier_curve(loaded, points)
    results = solved(list(named or []), set_ or [])
    labels = unique_labels([r.scenario.name for r in results])
    points_frame = placed({lab: r.plan for lab, r in zip(labels, results, strict=True)}, key)
    rule_frame, dominations = rules_placed(loaded) if rules else (None, [])
    destination = out or default_output_dir(f"frontier {loaded.name}")

    def fill(folder: Path) -> None:
        write_table(frame, folder / names.FRONTIER_TABLE)
        write_table(points_frame, folder / names.FRONTIER_POINTS)
        if rule_frame is not None:
            write_table(rule_frame, folder / names.FRONTIER_RULES)
        chart = efficiency_equity_frontier(frame, named=points_frame, rules=rule_frame, y=key)
        (folder / names.FRONTIER_CHART).write_bytes(png(chart))

    written = write_folder(destination, fill, overwrite=overwrite)
    shown = ["equity_floor", "weighted_coverage", key, "beneficiaries_served", "funded"]
    console.print(frame_view("Efficiency–equity frontier", frame, [*shown, "dominated"]))
    for line in domination_sentences(dominations):
        console.print(line, highlight=False)
    console.print(f"Frontier written to [bold]{written}[/]")


@app.command()
@edge
def batch(
    directory: Annotated[Path, typer.Argument(help="Folder holding scenario folders.")],
    jobs: Annotated[int, typer.Option("--jobs", help="Parallel processes.")] = 2,
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

    folders = find_scenarios(directory)
    if not folders:
        raise UsageError(f"no folder with a scenario.toml under {directory}")
    results = []
    with Progress(console=errors) as progress:
        task = progress.add_task("solving", total=len(folders))
        for result in run_batch(folders, jobs, loader=folder_loader()):
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
