"""Many solves: compare, sweep, frontier, batch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli import base
from allocator.cli.engine import EngineOption, SchedulerOption, StudyOptions, study_options
from allocator.cli.progress import QuietOption, counting_executor, progress_bar, study_executor
from allocator.errors import UsageError
from allocator.i18n import _
from allocator.lang import current_lang

BATCH_COLUMNS = (
    "scenario",
    "status",
    "weighted_coverage",
    "worst_areas_coverage",
    "min_area_coverage",
    "beneficiaries_served",
    "funded",
    "shortfall_total",
)
"""The columns of the batch table printed (the CSV holds every KPI). No objective: scenarios may
weigh equity differently, and objectives under different weights are not comparable."""


@base.command("Compare scenarios side by side: KPIs, areas, interventions, winners and losers.")
def compare(
    scenarios: Annotated[
        list[Path],
        base.argument("Scenario folders, the first the reference."),
    ],
    with_rules: Annotated[
        bool,
        base.option("Add the first scenario's rules of thumb.", "--with-rules"),
    ] = False,
    out: base.OutOption = None,
    set_: base.SetOption = None,
    overwrite: base.OverwriteOption = False,
    quiet: QuietOption = False,
) -> None:
    """Compare scenarios side by side: KPIs, areas, interventions, winners and losers."""
    from allocator.outputs.guard import run_inputs
    from allocator.outputs.run_reader import is_run_folder, read_run_folder
    from allocator.render.comparison import objective_not_compared, write_comparison
    from allocator.render.console import kpi_comparison_table
    from allocator.studies.compare_inputs import (
        compare_many,
        comparison_name,
        from_result,
        from_run_folder,
    )
    from allocator.studies.rules import RULES

    inputs = run_inputs(*scenarios)  # scenarios (with their parents) and run folders read
    if out is not None:
        base.guard_output(out, inputs=inputs, overwrite=overwrite)  # before solving
    steps = sum(not is_run_folder(p) for p in scenarios) + (len(RULES) if with_rules else 0)
    items = []
    with progress_bar(_("Comparing"), steps, quiet or steps < 2) as advance:
        for path in scenarios:
            if is_run_folder(path):  # read back as written: no re-solve
                items.append(from_run_folder(read_run_folder(path)))
                continue
            items.extend(from_result(result) for result in base.solved([path], set_ or []))
            advance()
        comparison, descriptions = compare_many(items, with_rules=with_rules, advance=advance)
    if out is None:  # named after the plans, so known only now
        names = list(comparison.labels[: len(items)])
        destination = base.output_folder(None, comparison_name(names), overwrite, inputs=inputs)
    else:
        destination = out
    written = write_comparison(
        comparison, destination, overwrite=overwrite, descriptions=descriptions
    )
    roles = {r.role_id: r.name for i in items if i.scenario for r in i.scenario.staff}
    labels = comparison.labels
    deltas = labels[1:] if len(labels) <= 3 else ()
    title = _("Comparison")
    base.console.print(
        kpi_comparison_table(
            title, comparison.kpis, labels, deltas, role_names=roles, width=base.console.width
        )
    )
    if not comparison.objective_compared:
        base.console.print(objective_not_compared(), highlight=False)
    base.print_written(_("Comparison written to"), written)


@base.command("Solve the scenario at each value of one setting: a table and a chart.")
@study_options
def sweep(
    scenario: base.ScenarioFolderArg,
    param: Annotated[
        str,
        base.option("Setting to vary, e.g. budget.scale.", "--param"),
    ],
    values: Annotated[
        str,
        base.option("start:stop:count (0.5:1.5:11) or a comma list.", "--values"),
    ],
    *,
    options: StudyOptions,
) -> None:
    """Solve the scenario at each value of one setting: a table and a chart."""
    from allocator.outputs.guard import run_inputs
    from allocator.render.console import column_label, frame_table
    from allocator.render.gains import next_money_sentence
    from allocator.render.tradeoffs import write_sweep
    from allocator.studies.sweep import next_money, parse_values
    from allocator.studies.sweep import sweep as sweep_curve

    points = parse_values(values)
    if not points:  # "" or "," parse to no value: nothing to solve, a usage error
        raise UsageError(
            _(
                "--values '{values}' gives no value: start:stop:count (0.5:1.5:11) or a comma "
                "list (0.8,1,1.2)"
            ).format(values=values)
        )
    loaded = base.load_scenario(scenario, options.overrides)
    inputs = run_inputs(scenario, scenarios=[loaded])
    destination = options.destination(f"sweep {loaded.name} {param}", inputs)
    with options.executor(_("Sweep"), len(points)) as (executor, advance):
        frame = sweep_curve(loaded, param, points, executor=counting_executor(executor, advance))
    more = next_money(loaded)  # the next 100.000 € from a re-solve at today's budget
    written = write_sweep(frame, param, more, destination, overwrite=options.overwrite)
    shown = [param, "status", "beneficiaries_served", "weighted_coverage", "budget_used_share"]
    title = _("Sweep of {setting}").format(setting=column_label(param, current_lang()))
    base.console.print(frame_table(title, frame, shown, width=base.console.width))
    base.console.print(next_money_sentence(more, current_lang()), highlight=False)
    base.print_written(_("Sweep written to"), written)


@base.command("The efficiency–equity frontier, with named scenarios placed on it.")
@study_options
def frontier(
    scenario: base.ScenarioFolderArg,
    points: Annotated[
        int,
        base.option(
            "Equity floors from the most efficient plan's to the most equitable.", "--points"
        ),
    ] = 8,
    named: Annotated[
        list[Path] | None,
        base.option("A scenario to place on the frontier (repeatable).", "--scenario"),
    ] = None,
    rules: Annotated[
        bool,
        base.option("Place the rules of thumb on it.", "--rules/--no-rules"),
    ] = True,
    *,
    options: StudyOptions,
) -> None:
    """The efficiency–equity frontier (by equity floor), with scenarios and rules placed on it."""
    from allocator.outputs.guard import run_inputs
    from allocator.render.console import frame_table
    from allocator.render.gains import domination_sentences
    from allocator.render.tradeoffs import write_frontier
    from allocator.studies.compare import unique_labels
    from allocator.studies.frontier import equity_key, placed, rules_placed
    from allocator.studies.frontier import frontier as frontier_curve

    loaded = base.load_scenario(scenario, options.overrides)
    inputs = run_inputs(scenario, *(named or []), scenarios=[loaded])
    destination = options.destination(f"frontier {loaded.name}", inputs)
    steps = max(points, 0) + len(named or [])
    with options.executor(_("Frontier"), steps) as (executor, advance):
        frame = frontier_curve(loaded, points, executor=counting_executor(executor, advance))
        results = []
        for path in named or []:
            results += base.solved([path], options.overrides)
            advance()
    key = equity_key(loaded)
    labels = unique_labels([r.scenario.name for r in results])
    points_frame = placed({lab: r.plan for lab, r in zip(labels, results, strict=True)}, key)
    rule_frame, dominations = rules_placed(loaded) if rules else (None, [])
    written = write_frontier(
        frame, points_frame, rule_frame, key, destination, overwrite=options.overwrite
    )
    shown = ["equity_floor", "weighted_coverage", key, "beneficiaries_served", "funded"]
    title = _("Efficiency–equity frontier")
    base.console.print(frame_table(title, frame, [*shown, "dominated"], width=base.console.width))
    for line in domination_sentences(dominations, current_lang()):
        base.console.print(line, highlight=False)
    base.print_written(_("Frontier written to"), written)


@base.command(
    "Solve every scenario folder under DIR in parallel; one failure does not stop the others."
)
def batch(
    directory: Annotated[
        Path,
        base.argument("Folder holding scenario folders."),
    ],
    jobs: Annotated[int, base.option("Parallel processes.", "--jobs")] = 2,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None,
        base.option("CSV of the combined KPIs (default outputs/batch-<DIR>.csv).", "--out"),
    ] = None,
    overwrite: Annotated[
        bool,
        base.option(
            "Replace the CSV if it exists and allocator batch wrote it.",
            "--overwrite",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Solve every scenario folder under DIR in parallel; one failure does not stop the others."""
    from functools import partial

    from allocator.outputs.files import write_csv_atomically
    from allocator.outputs.guard import BATCH_TABLE, run_inputs
    from allocator.outputs.run_folder import default_output_dir
    from allocator.render.console import frame_table, status_word
    from allocator.render.facts import no_plan_text
    from allocator.studies.batch import batch_table, find_scenarios, run_batch, worst_exit_code

    folders = find_scenarios(directory)
    if not folders:
        raise UsageError(
            _("no folder with a scenario.toml under {folder}").format(folder=directory)
        )
    destination = out or default_output_dir(f"batch-{Path(directory).resolve().name}")
    destination = destination.with_suffix(".csv")
    inputs = run_inputs(*folders)  # each scenario (with its parents); DIR only holds them
    base.guard_output(destination, inputs=inputs, overwrite=overwrite, file=BATCH_TABLE)
    results = []
    bar = _("Solving")
    with study_executor(engine, jobs, scheduler, bar, len(folders), quiet) as (executor, advance):
        why = partial(no_plan_text, lang=current_lang())
        for result in run_batch(folders, jobs, base.folder_loader(), executor, why):
            results.append(result)
            advance()
    table = batch_table(results)
    write_csv_atomically(table, destination)
    base.console.print(frame_table("Batch", table, BATCH_COLUMNS, width=base.console.width))
    base.print_written(_("Combined KPIs written to"), destination)
    failed = [r for r in results if not r.ok]
    lang = current_lang()
    exit_word = _("exit", lang)
    for r in failed:
        base.errors.print(
            f"[red]{r.folder}[/]: {status_word(r.status, lang)} "
            f"({exit_word} {r.exit_code}) {r.message}",
            highlight=False,
        )
    code = worst_exit_code(results)
    if code:
        base.errors.print(
            _(
                "[bold red]{failed} of {total} scenarios failed[/]; exit code {code}, the worst "
                "among them (2 input, 3 infeasible, 4 solver)."
            ).format(failed=len(failed), total=len(results), code=code)
        )
        raise typer.Exit(code)
    done = _("All {count} scenarios solved.").format(count=len(results))
    base.console.print(f"[bold green]{done}[/]")
