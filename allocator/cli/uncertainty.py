"""How sure is each figure: ``allocator uncertainty``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from allocator.cli import base
from allocator.cli.engine import EngineOption, JobsOption, SchedulerOption
from allocator.i18n import _

if TYPE_CHECKING:
    from allocator.inputs.schema import Scenario
    from allocator.studies.robust import RobustRun


@base.command("Needs are estimates: resample them within their ranges and see how the plan holds.")
def uncertainty(
    scenario: base.ScenarioArg = None,
    samples: Annotated[
        int,
        base.option("Need vectors to sample.", "--samples"),
    ] = 100,
    seed: Annotated[
        int,
        base.option("Seed: the same seed, the same files.", "--seed"),
    ] = 0,
    target: Annotated[
        float | None,
        base.option(
            "Coverage each area should keep, 0..1 (default: 90% of its planned coverage).",
            "--target",
        ),
    ] = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    jobs: JobsOption = 2,
    out: base.OutOption = None,
    set_: base.SetOption = None,
    overwrite: base.OverwriteOption = False,
) -> None:
    """Needs are estimates: resample them within their ranges and see how the plan holds."""
    from allocator.datasets.needs import need_sampler
    from allocator.errors import UsageError
    from allocator.optimization.pipeline import run_scenario
    from allocator.outputs.guard import run_inputs
    from allocator.render.facts import executor_words, no_plan_sentences
    from allocator.render.formats import number
    from allocator.render.uncertainty import coverage_view, fixed_plan_sentence, write_uncertainty
    from allocator.studies.executor import make_executor
    from allocator.studies.uncertainty import uncertainty as study

    if target is not None and not 0 <= target <= 1:
        raise UsageError(f"--target must be a share between 0 and 1, not {target:g}")
    from allocator.studies.batch import EXIT_CODES

    loaded = base.load_scenario(scenario, set_ or [])
    sampler = need_sampler(loaded, scenario)
    inputs = run_inputs(scenario, scenarios=[loaded])
    nominal = run_scenario(loaded)  # the plan for the needs as given, or why there is none
    if nominal.plan is None:
        no_plan = _("No plan for")
        base.fail(
            f"{no_plan} '{loaded.name}'", no_plan_sentences(nominal), EXIT_CODES[nominal.status]
        )
    destination = base.output_folder(out, f"uncertainty {loaded.name}", overwrite, inputs=inputs)
    with make_executor(engine, jobs, scheduler) as executor:
        base.console.print(
            _(
                "{samples} samples of the needs ({dimensions} uncertain quantities), seed {seed}: "
                "{executor}"
            ).format(
                samples=number(samples),
                dimensions=len(sampler.dimensions),
                seed=seed,
                executor=executor_words(executor),
            ),
            highlight=False,
        )
        result = study(loaded, sampler, samples, seed, executor, target, nominal)
    written = write_uncertainty(result, loaded.name, destination, overwrite=overwrite)
    base.console.print(coverage_view(result))
    base.console.print(fixed_plan_sentence(result), highlight=False)
    base.print_written(_("Study written to"), written)


def robust_plan(loaded: Scenario, folder: Path | None) -> RobustRun | None:
    """With ``policy.robust_samples`` > 0, the robust plan and its comparison; else None."""
    if loaded.settings.policy.robust_samples <= 0:
        return None
    from allocator.datasets.needs import need_sampler
    from allocator.studies.robust import robust_run

    return robust_run(loaded, need_sampler(loaded, folder))
