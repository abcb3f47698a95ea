"""How sure is each figure: ``allocator uncertainty``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from allocator.cli import base
from allocator.cli.engine import EngineOption, JobsOption, SchedulerOption

if TYPE_CHECKING:
    from allocator.inputs.schema import Scenario
    from allocator.studies.robust import RobustRun


@base.command()
def uncertainty(
    scenario: base.ScenarioArg = None,
    samples: Annotated[
        int,
        base.option("Vettori di bisogno da campionare.", "Need vectors to sample.", "--samples"),
    ] = 100,
    seed: Annotated[
        int,
        base.option(
            "Seme: stesso seme, stessi file.", "Seed: the same seed, the same files.", "--seed"
        ),
    ] = 0,
    target: Annotated[
        float | None,
        base.option(
            "Copertura che ogni quartiere dovrebbe mantenere, 0..1 (predefinita: il 90% di quella "
            "prevista dal piano).",
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
    from allocator.outputs.guard import run_inputs
    from allocator.render.formats import number
    from allocator.render.uncertainty import coverage_view, fixed_plan_sentence, write_uncertainty
    from allocator.studies.executor import make_executor
    from allocator.studies.uncertainty import uncertainty as study

    if target is not None and not 0 <= target <= 1:
        raise UsageError(f"--target must be a share between 0 and 1, not {target:g}")
    loaded = base.load_scenario(scenario, set_ or [])
    sampler = need_sampler(loaded, scenario)
    inputs = run_inputs(scenario, scenarios=[loaded])
    destination = base.output_folder(out, f"uncertainty {loaded.name}", overwrite, inputs=inputs)
    with make_executor(engine, jobs, scheduler) as executor:
        base.console.print(
            f"{number(samples)} campioni dei bisogni ({len(sampler.dimensions)} grandezze "
            f"incerte), seme {seed}: {executor.describe()}",
            highlight=False,
        )
        result = study(loaded, sampler, samples, seed, executor, target)
    written = write_uncertainty(result, loaded.name, destination, overwrite=overwrite)
    base.console.print(coverage_view(result))
    base.console.print(fixed_plan_sentence(result), highlight=False)
    base.print_written("Studio scritto in", "Study written to", written)


def robust_plan(loaded: Scenario, folder: Path | None) -> RobustRun | None:
    """With ``policy.robust_samples`` > 0, the robust plan and its comparison; else None."""
    if loaded.settings.policy.robust_samples <= 0:
        return None
    from allocator.datasets.needs import need_sampler
    from allocator.studies.robust import robust_run

    return robust_run(loaded, need_sampler(loaded, folder))
