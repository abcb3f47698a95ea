"""The HTML report for the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.base import (
    SetOption,
    app,
    console,
    edge,
)
from allocator.errors import UsageError


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
    uncertainty: Annotated[
        Path | None,
        typer.Option(
            "--uncertainty", help="A folder written by allocator uncertainty: adds its section."
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
    extra = []
    if uncertainty is not None:
        from allocator.render.uncertainty import uncertainty_section

        if not (uncertainty / "uncertainty_areas.csv").is_file():
            raise UsageError(
                f"{uncertainty} holds no uncertainty_areas.csv (allocator uncertainty)"
            )
        extra.append(uncertainty_section(uncertainty, lang))
    page = build_report(runs, lang=lang, boundaries=boundaries, extra_sections=extra)
    written = write_report(page, out)
    console.print(f"Report written to [bold]{written}[/]")
