"""Near-optimal alternatives: what every good plan funds, and where the table may negotiate."""

from __future__ import annotations

from typing import Annotated

from allocator.cli import base
from allocator.errors import EXIT_INFEASIBLE, EXIT_SOLVER, UsageError
from allocator.lang import lang_or_current, words


@base.command()
def alternatives(
    scenario: base.ScenarioArg = None,
    slack: Annotated[
        float,
        base.option(
            "Quota dell'obiettivo ottimo che un piano può perdere (0.02 = 2%).",
            "Share of the optimal objective a plan may lose (0.02 = 2%).",
        ),
    ] = 0.02,
    count: Annotated[
        int,
        base.option(
            "Quanti piani alternativi scrivere, scelti perché differiscano il più possibile.",
            "How many alternative plans to write, chosen to differ most.",
        ),
    ] = 5,
    by: Annotated[
        str,
        base.option(
            "Intervalli per quartiere (area) o per ente (partner).",
            "Ranges per area or per partner.",
        ),
    ] = "area",
    out: base.OutOption = None,
    set_: base.SetOption = None,
    overwrite: base.OverwriteOption = False,
    lang: Annotated[
        str | None,
        base.option(
            "Lingua del grafico e del riepilogo: it o en (predefinita: --lang globale).",
            "Language of the chart and summary: it or en (default: the global --lang).",
        ),
    ] = None,
) -> None:
    """Plans within --slack of the optimum: ranges per area (or partner) and N alternatives."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.outputs.guard import run_inputs
    from allocator.render.ranges import alternatives_view, ranges_sentence, write_alternatives
    from allocator.studies.alternatives import near_optimal

    if by not in ("area", "partner"):
        raise UsageError(
            words(
                f"--by vale area o partner, non {by!r}", f"--by must be area or partner, not {by!r}"
            )
        )
    if not 0 <= slack < 1:
        raise UsageError(
            words(
                f"--slack è una quota, almeno 0 e sotto 1, non {slack}",
                f"--slack must be a share at least 0 and below 1, not {slack}",
            )
        )
    if count < 0:
        raise UsageError(
            words(f"--count vale 0 o più, non {count}", f"--count must be 0 or more, not {count}")
        )
    lang = lang_or_current(lang)
    loaded = load_scenario(scenario, set_ or [])
    inputs = run_inputs(scenario, scenarios=[loaded])
    destination = base.output_folder(out, f"alternatives {loaded.name}", overwrite, inputs=inputs)
    outcome = near_optimal(loaded, slack=slack, count=count, by=by)  # type: ignore[arg-type]
    if not outcome.ok:
        infeasible = outcome.optimum.status is SolveStatus.INFEASIBLE
        code = EXIT_INFEASIBLE if infeasible else EXIT_SOLVER
        title = words("Nessuna alternativa per", "No alternatives for", lang)
        base.fail(f"{title} '{loaded.name}'", outcome.explanation, code)
    written = write_alternatives(outcome, destination, overwrite=overwrite, lang=lang)
    base.console.print(alternatives_view(outcome, lang))
    base.console.print(ranges_sentence(outcome, lang), highlight=False)
    seconds = f"{outcome.seconds:.1f}".replace(".", "," if lang == "it" else ".")
    base.console.print(
        f"{outcome.solves} {'riottimizzazioni in' if lang == 'it' else 're-solves in'} "
        f"{seconds} s. {words('Risultati scritti in', 'Outputs written to', lang)} "
        f"[bold]{written}[/]"
    )
