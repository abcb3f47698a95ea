"""How sure is each figure: ``allocator uncertainty``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from allocator.cli import base
from allocator.cli.engine import EngineOption, JobsOption, SchedulerOption

if TYPE_CHECKING:
    from allocator.inputs.schema import Scenario
    from allocator.studies.robust import RobustRun


@base.app.command()
@base.edge
def uncertainty(
    scenario: base.ScenarioArg = None,
    samples: Annotated[int, typer.Option("--samples", help="Need vectors to sample.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed, the same files.")] = 0,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            help="Coverage each area should keep, 0..1 (default: 90% of its planned coverage).",
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
    from allocator.outputs.atomic import check_destination, write_folder
    from allocator.outputs.run_folder import default_output_dir
    from allocator.outputs.table_io import write_table
    from allocator.postprocess.kpis import KpiFormat
    from allocator.render.console import frame_table
    from allocator.render.formats import number, share
    from allocator.render.plotting import png
    from allocator.render.uncertainty import area_ranges
    from allocator.studies.executor import make_executor
    from allocator.studies.uncertainty import uncertainty as study

    if target is not None and not 0 <= target <= 1:
        raise UsageError(f"--target must be a share between 0 and 1, not {target:g}")
    loaded = base.load_scenario(scenario, set_ or [])
    sampler = need_sampler(loaded, scenario)
    destination = out or default_output_dir(f"uncertainty {loaded.name}")
    check_destination(destination, overwrite=overwrite)
    with make_executor(engine, jobs, scheduler) as executor:
        base.console.print(
            f"{number(samples)} campioni dei bisogni ({len(sampler.dimensions)} grandezze "
            f"incerte), seme {seed}: {executor.describe()}",
            highlight=False,
        )
        result = study(loaded, sampler, samples, seed, executor, target)

    def fill(folder: Path) -> None:
        tables = {
            "uncertainty_areas": result.areas,
            "uncertainty_samples": result.samples,
            "uncertainty_partners": result.partners,
            "uncertainty_parameters": result.parameters,
            "uncertainty_ranges": result.dimensions,
        }
        for name, frame in tables.items():
            write_table(frame, folder / f"{name}.csv")
        (folder / "uncertainty_areas.png").write_bytes(png(area_ranges(result.areas)))
        settings = {"scenario": loaded.name, **result.settings}
        (folder / "uncertainty.json").write_text(
            json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    written = write_folder(destination, fill, overwrite=overwrite)
    view = result.areas.sort_values("coverage_p10").head(10)
    shown = ["name", "coverage_nominal", "coverage_p10", "coverage_p50", "coverage_p90"]
    shown += [c for c in ("prob_below_target", "funded_share") if c in view.columns]
    labels = {
        "name": "quartiere",
        "coverage_nominal": "copertura con i bisogni dati",
        "coverage_p10": "copertura P10",
        "coverage_p50": "copertura P50",
        "coverage_p90": "copertura P90",
        "prob_below_target": "probabilità sotto l'obiettivo",
        "funded_share": "quota dei campioni con fondi",
    }
    title = "Copertura per NIL sotto i bisogni campionati"
    formats: dict[str, KpiFormat] = {c: "share" for c in shown if c != "name"}
    base.console.print(frame_table(title, view, shown, labels=labels, formats=formats))
    fixed = result.samples[result.samples["plan"] == "nominal"]["objective"]
    base.console.print(
        f"Obiettivo del piano fisso: P10 {share(fixed.quantile(0.1))}, "
        f"P50 {share(fixed.quantile(0.5))}, P90 {share(fixed.quantile(0.9))}.",
        highlight=False,
    )
    base.console.print(f"Study written to [bold]{written}[/]")


def robust_plan(loaded: Scenario, folder: Path | None) -> RobustRun | None:
    """With ``policy.robust_samples`` > 0, the robust plan and its comparison; else None."""
    if loaded.settings.policy.robust_samples <= 0:
        return None
    from allocator.datasets.needs import need_sampler
    from allocator.studies.robust import robust_run

    return robust_run(loaded, need_sampler(loaded, folder))


ROBUST_TEXT = {
    "it": {
        "title": "Piano robusto e piano per i bisogni stimati, sotto {n} campioni dei bisogni",
        "robust": "robusto",
        "nominal": "per i bisogni stimati",
        "expected_objective": "Obiettivo medio",
        "worst_share_objective": "Media del 20% peggiore",
        "objective_p10": "Obiettivo P10",
        "weighted_coverage_mean": "Copertura pesata media",
        "min_area_coverage_mean": "Copertura minima media",
        "objective_as_given": "Obiettivo con i bisogni stimati",
    },
    "en": {
        "title": "Robust plan and plan for the estimated needs, under {n} need samples",
        "robust": "robust",
        "nominal": "for the estimated needs",
        "expected_objective": "Mean objective",
        "worst_share_objective": "Mean of the worst 20%",
        "objective_p10": "Objective P10",
        "weighted_coverage_mean": "Mean weighted coverage",
        "min_area_coverage_mean": "Mean least coverage",
        "objective_as_given": "Objective with the estimated needs",
    },
}


def robust_view(robust: RobustRun, lang: str = "it") -> Table:
    """The robust and the nominal plan side by side, measured under the same samples."""
    from allocator.render.formats import share

    text = ROBUST_TEXT[lang]
    count = int(robust.samples["sample"].nunique())
    table = Table(title=text["title"].format(n=count))
    table.add_column("")
    plans = list(robust.comparison["plan"])
    for plan in plans:
        table.add_column(text.get(plan, plan), justify="right")
    rows = robust.comparison.set_index("plan")
    for key in (
        "expected_objective",
        "worst_share_objective",
        "objective_p10",
        "weighted_coverage_mean",
        "min_area_coverage_mean",
        "objective_as_given",
    ):
        table.add_row(text[key], *(share(float(rows.at[p, key]), lang) for p in plans))
    return table
