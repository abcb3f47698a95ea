"""How sure is each figure: ``allocator uncertainty``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.base import (
    OutOption,
    OverwriteOption,
    ScenarioArg,
    SetOption,
    app,
    console,
    edge,
)

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine", help="local (worker processes here) or dask (a Dask cluster; see README)."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: tcp://HOST:PORT of a running scheduler (default: a "
        "LocalCluster here).",
    ),
]
JobsOption = Annotated[
    int, typer.Option("--jobs", help="Worker processes (local, or of the Dask LocalCluster).")
]


@app.command()
@edge
def uncertainty(
    scenario: ScenarioArg = None,
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
    out: OutOption = None,
    set_: SetOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Needs are estimates: resample them within their ranges and see how the plan holds."""
    from allocator.datasets.needs import need_sampler
    from allocator.errors import UsageError
    from allocator.inputs.loading import load_scenario
    from allocator.outputs.run_folder import default_output_dir, write_folder
    from allocator.render.formats import number, share
    from allocator.render.plotting import png
    from allocator.render.summary import frame_view
    from allocator.render.uncertainty import area_ranges
    from allocator.studies.executor import make_executor
    from allocator.studies.uncertainty import uncertainty as study

    if target is not None and not 0 <= target <= 1:
        raise UsageError(f"--target must be a share between 0 and 1, not {target:g}")
    loaded = load_scenario(scenario, set_ or [])
    sampler = need_sampler(loaded, scenario)
    destination = out or default_output_dir(f"uncertainty {loaded.name}")
    if destination.exists() and not overwrite:
        raise UsageError(
            f"the output folder {destination} already exists; choose another with --out, or "
            "replace it with --overwrite"
        )
    with make_executor(engine, jobs, scheduler) as executor:
        console.print(
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
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        (folder / "uncertainty_areas.png").write_bytes(png(area_ranges(result.areas)))
        settings = {"scenario": loaded.name, **result.settings}
        (folder / "uncertainty.json").write_text(
            json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    written = write_folder(destination, fill, overwrite=overwrite)
    view = result.areas.sort_values("coverage_p10").head(10)
    shown = ["name", "coverage_nominal", "coverage_p10", "coverage_p50", "coverage_p90"]
    shown += [c for c in ("prob_below_target", "funded_share") if c in view.columns]
    console.print(frame_view("Copertura per NIL sotto i bisogni campionati", view, shown))
    fixed = result.samples[result.samples["plan"] == "nominal"]["objective"]
    console.print(
        f"Obiettivo del piano fisso: P10 {share(fixed.quantile(0.1))}, "
        f"P50 {share(fixed.quantile(0.5))}, P90 {share(fixed.quantile(0.9))}.",
        highlight=False,
    )
    console.print(f"Study written to [bold]{written}[/]")
