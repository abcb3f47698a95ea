"""The command line: a thin edge that turns outcomes into messages and exit codes.

Exit codes (DESIGN.md §3): 0 a plan was found; 2 bad input or usage; 3 infeasible; 4 the solver
failed or found no plan in time. A bad input is never a traceback (``--debug`` shows one).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from allocator.errors import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_SOLVER,
    InputError,
    UsageError,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Allocate interventions, staff and funding against child poverty across areas.",
)
console = Console()
errors = Console(stderr=True)
_state = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    _state["debug"] = debug


def report_problems(problems: list[Any], title: str = "The input has problems") -> None:
    errors.print(f"[bold red]{title}[/] ({len(problems)}):")
    for problem in problems:
        errors.print(f"  - {problem}", highlight=False, markup=False)


def edge(command: F) -> F:
    """Turn the library's errors into messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as exc:
            if _state["debug"]:
                raise
            report_problems(exc.problems)
            raise typer.Exit(EXIT_INPUT) from None
        except (UsageError, FileNotFoundError) as exc:
            if _state["debug"]:
                raise
            errors.print(f"[bold red]Error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _state["debug"]:
                raise
            errors.print(
                f"[bold red]Unexpected error:[/] {type(exc).__name__}: {exc} "
                "(run with --debug for the traceback)",
                highlight=False,
            )
            raise typer.Exit(EXIT_SOLVER) from None

    return wrapper  # type: ignore[return-value]


ScenarioArg = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario folder (scenario.toml + tables); the bundled Milan one if omitted."
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override a scenario.toml key: --set budget.scale=0.9 (repeatable)."
    ),
]


def solver_overrides(solver: str | None, time_limit: float | None) -> list[str]:
    extra = []
    if solver is not None:
        extra.append(f'solver.name="{solver}"')
    if time_limit is not None:
        extra.append(f"solver.time_limit={time_limit}")
    return extra


@app.command()
@edge
def run(
    scenario: ScenarioArg = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default outputs/<scenario>).")
    ] = None,
    solver: Annotated[str | None, typer.Option(help="highs (default) or cbc.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds.")] = None,
    set_: SetOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the output folder if it exists.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Print no summary.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Explain the plan in full: marginal values confirmed by re-solving, binding "
            "limits, where to strengthen (writes marginal_values.csv, limits.csv, strengthen.csv, "
            "idle_capacity.csv).",
        ),
    ] = False,
    lang: Annotated[
        str, typer.Option(help="Language of the summary and explanation: it or en.")
    ] = "it",
) -> None:
    """Solve one scenario and write its outputs."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.outputs.run_folder import default_output_dir, write_outputs
    from allocator.postprocess.explain import explain as explain_run
    from allocator.render.summary import explanation_view, print_summary
    from allocator.studies.rules import gain_over_rules, rule_plans

    if lang not in ("it", "en"):
        raise UsageError(f"--lang must be it or en, not {lang!r}")
    overrides = [*(set_ or []), *solver_overrides(solver, time_limit)]
    loaded = load_scenario(scenario, overrides)
    destination = out or default_output_dir(loaded.name)
    if destination.exists() and not overwrite:
        raise UsageError(
            f"the output folder {destination} already exists; choose another with --out, or "
            "replace it with --overwrite"
        )
    result = run_scenario(loaded)
    if result.status is SolveStatus.INFEASIBLE:
        errors.print(f"[bold red]Scenario '{loaded.name}' is infeasible:[/]")
        solver_proved = result.outcome is not None
        lines = explain_run(result, lang=lang).sentences if solver_proved else result.explanation
        for line in lines:
            errors.print(f"  - {line}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)
    if not result.has_plan:
        errors.print(f"[bold red]No plan for '{loaded.name}':[/]")
        for line in result.explanation:
            errors.print(f"  - {line}", highlight=False, markup=False)
        raise typer.Exit(EXIT_SOLVER)
    why = explain_run(result, lang=lang, confirm=explain)
    # limits, where to strengthen and idle capacity always (the report reads them); marginal
    # values only with --explain, when each is confirmed by a re-solve
    extra = {k: v for k, v in why.tables().items() if explain or k != "marginal_values"}
    written = write_outputs(
        result, destination, overwrite=overwrite, overrides=overrides, extra_tables=extra
    )
    if not quiet:
        print_summary(result, console, lang=lang)
        if result.plan is not None:
            console.print(
                gain_over_rules(result.plan, rule_plans(loaded), lang=lang), highlight=False
            )
        console.print(explanation_view(why, long=explain))
    console.print(f"Outputs written to [bold]{written}[/]")


@app.command()
@edge
def validate(
    scenario: ScenarioArg = None,
    set_: SetOption = None,
) -> None:
    """Check a scenario's inputs and list every problem found."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.feasibility import check_feasibility

    loaded = load_scenario(scenario, set_ or [])
    excluded = loaded.excluded_partners()
    console.print(
        f"[bold green]{loaded.name}[/]: inputs valid: {len(loaded.areas)} areas, "
        f"{len(loaded.interventions)} interventions, {len(loaded.partners)} partners "
        f"({len(excluded)} excluded as ineligible), {len(loaded.capacities)} capacity rows, "
        f"{len(loaded.funders)} funders, {len(loaded.staff)} staff roles."
    )
    conflicts = check_feasibility(loaded)
    if conflicts:
        errors.print("[bold red]But the scenario cannot be met:[/]")
        for line in conflicts:
            errors.print(f"  - {line}", highlight=False, markup=False)
        raise typer.Exit(EXIT_INFEASIBLE)


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


OutOption = Annotated[Path | None, typer.Option("--out", help="Output folder.")]
OverwriteOption = Annotated[
    bool, typer.Option("--overwrite", help="Replace the output folder if it exists.")
]


def _solved(scenarios: list[Path], overrides: list[str]) -> list[Any]:
    """Load and solve each scenario; exit with the contract's code if one has no plan."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.studies.batch import EXIT_CODES

    results = [run_scenario(load_scenario(path, overrides)) for path in scenarios]
    failed = [r for r in results if not r.has_plan]
    for r in failed:
        errors.print(f"[bold red]No plan for '{r.scenario.name}' ({r.status.value}):[/]")
        for line in r.explanation:
            errors.print(f"  - {line}", highlight=False, markup=False)
    if failed:
        raise typer.Exit(max(EXIT_CODES[r.status] for r in failed))
    return results


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

    results = _solved(scenarios, set_ or [])
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
def report(
    run_or_scenario: Annotated[
        Path | None,
        typer.Argument(
            help="A run folder (written by allocator run) or a scenario folder (solved now); "
            "the bundled Milan scenario if omitted."
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    compare: Annotated[
        list[Path] | None,
        typer.Option("--compare", help="Another run or scenario shown side by side (repeatable)."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: it or en.")] = "it",
    boundaries: Annotated[
        Path | None,
        typer.Option(
            help="Boundary GeoJSON of the areas (the Comune's NIL, dataset ds964); without it "
            "the map shows the areas' centroids."
        ),
    ] = None,
    set_: SetOption = None,
) -> None:
    """Write one self-contained HTML report (KPIs, map, tables, summary document)."""
    from allocator.render.report import build_report, read_run, write_report

    if lang not in ("it", "en"):
        raise UsageError(f"--lang must be it or en, not {lang!r}")
    if boundaries is not None and not boundaries.is_file():
        raise UsageError(f"the boundary file {boundaries} does not exist")
    runs = [read_run(path, set_ or [], lang) for path in [run_or_scenario, *(compare or [])]]
    written = write_report(build_report(runs, lang=lang, boundaries=boundaries), out)
    console.print(f"Report written to [bold]{written}[/]")


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
    from allocator.inputs.loading import load_scenario
    from allocator.outputs.run_folder import default_output_dir, write_folder
    from allocator.render.plotting import budget_outcome, png
    from allocator.render.summary import frame_view
    from allocator.studies.sweep import parse_values
    from allocator.studies.sweep import sweep as sweep_curve

    points = parse_values(values)
    loaded = load_scenario(scenario, set_ or [])
    frame = sweep_curve(loaded, param, points)
    destination = out or default_output_dir(f"sweep {loaded.name} {param}")

    def fill(folder: Path) -> None:
        frame.to_csv(folder / "sweep.csv", index=False, lineterminator="\n")
        x = "budget_total" if frame["budget_total"].nunique() > 1 else param
        (folder / "sweep.png").write_bytes(png(budget_outcome(frame, x=x)))

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
) -> None:
    """The efficiency–equity frontier, with named scenarios placed on it."""
    from allocator.inputs.loading import load_scenario
    from allocator.outputs.run_folder import default_output_dir, write_folder
    from allocator.postprocess.explain import number
    from allocator.render.plotting import efficiency_equity_frontier, png
    from allocator.render.summary import frame_view
    from allocator.studies.compare import unique_labels
    from allocator.studies.sweep import frontier as frontier_curve
    from allocator.studies.sweep import placed

    loaded = load_scenario(scenario, set_ or [])
    frame = frontier_curve(loaded, points)
    results = _solved(list(named or []), set_ or [])
    labels = unique_labels([r.scenario.name for r in results])
    points_frame = placed({label: r.plan for label, r in zip(labels, results, strict=True)})
    destination = out or default_output_dir(f"frontier {loaded.name}")

    def fill(folder: Path) -> None:
        frame.to_csv(folder / "frontier.csv", index=False, lineterminator="\n")
        points_frame.to_csv(folder / "scenarios.csv", index=False, lineterminator="\n")
        labelled = frame.assign(label=[number(w, "it", None) for w in frame["equity_weight"]])
        chart = efficiency_equity_frontier(labelled, named=points_frame)
        (folder / "frontier.png").write_bytes(png(chart))

    written = write_folder(destination, fill, overwrite=overwrite)
    shown = ["equity_weight", "weighted_coverage", "min_area_coverage", "beneficiaries_served"]
    console.print(frame_view("Efficiency–equity frontier", frame, [*shown, "dominated"]))
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

    from allocator.outputs.run_folder import default_output_dir, write_csv_atomically
    from allocator.render.summary import batch_view
    from allocator.studies.batch import batch_table, find_scenarios, run_batch, worst_exit_code

    folders = find_scenarios(directory)
    if not folders:
        raise UsageError(f"no folder with a scenario.toml under {directory}")
    results = []
    with Progress(console=errors) as progress:
        task = progress.add_task("solving", total=len(folders))
        for result in run_batch(folders, jobs):
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)
