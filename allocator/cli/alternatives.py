"""Near-optimal alternatives: what every good plan funds, and where the table may negotiate."""

from __future__ import annotations

from typing import Annotated

from allocator.cli import base
from allocator.errors import EXIT_INFEASIBLE, EXIT_SOLVER, UsageError
from allocator.i18n import _
from allocator.lang import lang_or_current


@base.command(
    "Plans within --slack of the optimum: ranges per area (or partner) and N alternatives."
)
def alternatives(
    scenario: base.ScenarioArg = None,
    slack: Annotated[
        float,
        base.option("Share of the optimal objective a plan may lose (0.02 = 2%)."),
    ] = 0.02,
    count: Annotated[
        int,
        base.option("How many alternative plans to write, chosen to differ most."),
    ] = 5,
    by: Annotated[
        str,
        base.option("Ranges per area or per partner."),
    ] = "area",
    out: base.OutOption = None,
    set_: base.SetOption = None,
    overwrite: base.OverwriteOption = False,
    lang: Annotated[
        str | None,
        base.option("Language of the chart and summary: it or en (default: the global --lang)."),
    ] = None,
) -> None:
    """Plans within --slack of the optimum: ranges per area (or partner) and N alternatives."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.outputs.guard import run_inputs
    from allocator.render.facts import fact_sentences
    from allocator.render.formats import number
    from allocator.render.ranges import alternatives_view, ranges_sentence, write_alternatives
    from allocator.studies.alternatives import near_optimal

    if by not in ("area", "partner"):
        raise UsageError(_("--by must be area or partner, not {value}").format(value=repr(by)))
    if not 0 <= slack < 1:
        raise UsageError(
            _("--slack must be a share at least 0 and below 1, not {value}").format(value=slack)
        )
    if count < 0:
        raise UsageError(_("--count must be 0 or more, not {value}").format(value=count))
    lang = lang_or_current(lang)
    loaded = load_scenario(scenario, set_ or [])
    inputs = run_inputs(scenario, scenarios=[loaded])
    destination = base.output_folder(out, f"alternatives {loaded.name}", overwrite, inputs=inputs)
    outcome = near_optimal(loaded, slack=slack, count=count, by=by)  # type: ignore[arg-type]
    if not outcome.ok:
        infeasible = outcome.optimum.status is SolveStatus.INFEASIBLE
        code = EXIT_INFEASIBLE if infeasible else EXIT_SOLVER
        title = _("No alternatives for '{scenario}'", lang).format(scenario=loaded.name)
        base.fail(title, fact_sentences(loaded, outcome.facts, lang), code)
    written = write_alternatives(outcome, destination, overwrite=overwrite, lang=lang)
    base.console.print(alternatives_view(outcome, lang))
    base.console.print(ranges_sentence(outcome, lang), highlight=False)
    done = _("{count} re-solves in {seconds} s.", lang).format(
        count=outcome.solves, seconds=number(outcome.seconds, lang, 1)
    )
    written_to = _("Outputs written to", lang)
    base.print_written(f"{done} {written_to}", written)
