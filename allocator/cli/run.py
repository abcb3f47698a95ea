"""Solving one scenario: run and validate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from allocator.cli import base
from allocator.errors import EXIT_INFEASIBLE, EXIT_SOLVER
from allocator.i18n import _
from allocator.lang import lang_or_current

if TYPE_CHECKING:
    from allocator.render.bundle import PlanBundle


@base.command("Solve one scenario and write its outputs.")
def run(
    scenario: base.ScenarioArg = None,
    out: Annotated[
        Path | None,
        base.option("Output folder (default outputs/<scenario>)."),
    ] = None,
    solver: Annotated[
        str | None,
        base.option("highs (default) or cbc."),
    ] = None,
    time_limit: Annotated[
        float | None,
        base.option(
            "Seconds for checking, building and solving (both solver passes and the "
            "search for conflicts); the explanation and the comparison printed after are "
            "not counted.",
            "--time-limit",
        ),
    ] = None,
    set_: base.SetOption = None,
    overwrite: base.OverwriteOption = False,
    quiet: Annotated[bool, base.option("Print no summary.", "--quiet")] = False,
    explain: Annotated[
        bool,
        base.option(
            "Explain the plan in full: marginal values confirmed by re-solving, binding "
            "limits, where to strengthen (writes marginal_values.csv, limits.csv, "
            "strengthen.csv, idle_capacity.csv).",
            "--explain",
        ),
    ] = False,
    lang: Annotated[
        str | None,
        base.option(
            "Language of the summary and explanation: it or en (default: the global --lang)."
        ),
    ] = None,
    label: Annotated[
        str,
        base.option("Name of this run in the archive.", "--label"),
    ] = "",
    no_history: Annotated[
        bool,
        base.option("Do not record this run in the archive.", "--no-history"),
    ] = False,
    history_path: Annotated[
        Path | None,
        base.option(
            "The archive of plans (default outputs/history.sqlite, or $ALLOCATOR_HISTORY).",
            "--history",
        ),
    ] = None,
) -> None:
    """Solve one scenario, write its outputs and record it in the archive of plans."""
    from allocator.cli.history import check_history, said_recorded
    from allocator.cli.uncertainty import robust_plan
    from allocator.optimization.pipeline import run_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.outputs.guard import run_inputs
    from allocator.render.bundle import RoomNote, plan
    from allocator.render.facts import no_plan_sentences
    from allocator.render.summary import print_summary

    lang = lang_or_current(lang)
    overrides = [*(set_ or []), *base.solver_overrides(solver, time_limit)]
    loaded = base.load_scenario(scenario, overrides)
    base.print_notices(loaded)
    inputs = run_inputs(scenario, scenarios=[loaded])
    # never an input, the archive, or a folder the allocator did not write; the write claims it
    destination = base.output_folder(
        out, loaded.name, overwrite, inputs=inputs, history=history_path
    )
    check_history(history_path, no_history)  # an unusable archive stops the run before solving
    robust = robust_plan(loaded, scenario)  # policy.robust_samples > 0: the robust plan
    result = run_scenario(loaded) if robust is None else robust.result
    if result.status is SolveStatus.INFEASIBLE:
        infeasible = _("Scenario '{scenario}' is infeasible", lang).format(scenario=loaded.name)
        base.fail(infeasible, no_plan_sentences(result, lang), EXIT_INFEASIBLE)
    if not result.has_plan:
        no_plan = _("No plan for '{scenario}'", lang).format(scenario=loaded.name)
        base.fail(no_plan, no_plan_sentences(result, lang), EXIT_SOLVER)
    if not quiet:  # the plan and its key figures first, while the comparisons are computed
        print_summary(result, base.console, lang=lang)
    room = RoomNote(label=label, origin="run", overrides=tuple(overrides))
    bundle = plan(loaded, room, result=result, robust=robust, explain_fully=explain, lang=lang)
    written = bundle.write(destination, overwrite=overwrite)
    if not quiet:
        print_why(bundle, long=explain)
    base.print_written(_("Outputs written to", lang), written)
    if not no_history:
        said_recorded(*bundle.record(history_path))


def print_why(bundle: PlanBundle, long: bool = False) -> None:
    """What follows the plan's summary on the terminal: the rules of thumb with the same money,
    why the plan is what it is, the negotiation, the robust view."""
    from allocator.render.explain_view import explanation_view
    from allocator.render.gains import rule_sentences
    from allocator.render.uncertainty import robust_view
    from allocator.studies.frontier import equity_key

    lang = bundle.why.lang
    budget = float(bundle.plan.kpis["budget_total"])
    for line in rule_sentences(bundle.rules, equity_key(bundle.scenario), budget, lang=lang):
        base.console.print(line, highlight=False)
    base.console.print(explanation_view(bundle.why, long=long, width=base.console.width))
    for line in bundle.negotiation_lines:
        base.console.print(line, highlight=False)
    if bundle.robust is not None:
        base.console.print(robust_view(bundle.robust, lang))


@base.command("Check a scenario's inputs and list every problem found.")
def validate(
    scenario: base.ScenarioArg = None,
    set_: base.SetOption = None,
) -> None:
    """Check a scenario's inputs and list every problem found."""
    from allocator.optimization.feasibility import check_feasibility
    from allocator.render.facts import fact_sentences

    loaded = base.load_scenario(scenario, set_ or [])
    base.print_notices(loaded)
    excluded = loaded.excluded_partners()
    counts = {
        "areas": len(loaded.areas),
        "interventions": len(loaded.interventions),
        "partners": len(loaded.partners),
        "excluded": len(excluded),
        "capacities": len(loaded.capacities),
        "funders": len(loaded.funders),
        "roles": len(loaded.staff),
    }
    text = _(
        "inputs valid: {areas} areas, {interventions} interventions, {partners} partners "
        "({excluded} excluded as ineligible), {capacities} capacity rows, {funders} funders, "
        "{roles} staff roles."
    ).format(**counts)
    base.console.print(f"[bold green]{loaded.name}[/]: {text}")
    conflicts = check_feasibility(loaded)
    if conflicts:
        cannot = _("But the scenario cannot be met")
        base.fail(cannot, fact_sentences(loaded, conflicts), EXIT_INFEASIBLE)
