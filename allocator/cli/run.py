"""Solving one scenario: run and validate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.base import (
    ScenarioArg,
    SetOption,
    app,
    console,
    edge,
    errors,
    solver_overrides,
)
from allocator.errors import EXIT_INFEASIBLE, EXIT_SOLVER, UsageError


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
    from allocator.cli.base import load_scenario
    from allocator.cli.uncertainty import robust_plan, robust_view
    from allocator.optimization.pipeline import run_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.outputs.atomic import check_destination
    from allocator.outputs.run_folder import default_output_dir, write_outputs
    from allocator.render.explanations import explain as explain_run
    from allocator.render.gains import gain_over_rules
    from allocator.render.negotiation import negotiation_outputs
    from allocator.render.summary import explanation_view, print_summary
    from allocator.studies.rules import rule_plans

    if lang not in ("it", "en"):
        raise UsageError(f"--lang must be it or en, not {lang!r}")
    overrides = [*(set_ or []), *solver_overrides(solver, time_limit)]
    loaded = load_scenario(scenario, overrides)
    destination = out or default_output_dir(loaded.name)
    check_destination(destination, overwrite=overwrite)  # before solving; the write claims it
    robust = robust_plan(loaded, scenario)  # policy.robust_samples > 0: the robust plan
    result = run_scenario(loaded) if robust is None else robust.result
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
    negotiation, negotiation_lines = negotiation_outputs(result, lang)  # locks and limits
    extra.update(negotiation)
    if robust is not None:
        extra.update({"robust": robust.comparison, "robust_samples": robust.samples})
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
        for line in negotiation_lines:
            console.print(line, highlight=False)
        if robust is not None:
            console.print(robust_view(robust, lang))
    console.print(f"Outputs written to [bold]{written}[/]")


@app.command()
@edge
def validate(
    scenario: ScenarioArg = None,
    set_: SetOption = None,
) -> None:
    """Check a scenario's inputs and list every problem found."""
    from allocator.cli.base import load_scenario
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
