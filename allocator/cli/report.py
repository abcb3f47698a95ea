"""The HTML report for the meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from allocator.cli import base
from allocator.cli.progress import QuietOption, progress_bar
from allocator.errors import UsageError
from allocator.i18n import _
from allocator.lang import lang_or_current


@base.command("Write one self-contained HTML report (KPIs, map, tables, summary document).")
def report(
    run_or_scenario: Annotated[
        Path | None,
        base.argument(
            "A run folder (written by allocator run), a scenario folder (solved now) or the "
            "id of a plan in the archive (allocator history list); the bundled Milan scenario "
            "if omitted."
        ),
    ] = None,
    out: Annotated[
        Path,
        base.option("The HTML file to write.", "--out"),
    ] = Path("report.html"),
    compare: Annotated[
        list[Path] | None,
        base.option("Another run or scenario shown side by side (repeatable).", "--compare"),
    ] = None,
    lang: Annotated[
        str | None,
        base.option("Language of the report: it or en (default: the global --lang)."),
    ] = None,
    boundaries: Annotated[
        Path | None,
        base.option(
            "Boundary GeoJSON of the areas (the Comune's NIL, dataset ds964); without it "
            "the map shows the areas' centroids."
        ),
    ] = None,
    uncertainty: Annotated[
        Path | None,
        base.option(
            "A folder written by allocator uncertainty: adds its section.", "--uncertainty"
        ),
    ] = None,
    set_: base.SetOption = None,
    history_path: Annotated[
        Path | None,
        base.option("The archive the plan ids refer to.", "--history"),
    ] = None,
    overwrite: Annotated[
        bool,
        base.option(
            "Replace the file if it exists and is an allocator report.",
            "--overwrite",
        ),
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Write one self-contained HTML report (KPIs, map, tables, summary document)."""
    from allocator.cli.history import read_run_or_archived
    from allocator.outputs.guard import REPORT, run_inputs
    from allocator.outputs.run_reader import is_run_folder
    from allocator.render.report import build_report, write_report

    lang = lang_or_current(lang)
    if boundaries is not None and not boundaries.is_file():
        raise UsageError(f"the boundary file {boundaries} does not exist")
    paths = [run_or_scenario, *(compare or [])]
    inputs = run_inputs(*(read_paths(p) for p in paths), boundaries, uncertainty)
    base.guard_output(out, inputs=inputs, overwrite=overwrite, history=history_path, file=REPORT)
    # run folders and archived plans are read, not solved
    solves = sum(not (is_run_folder(p) or (p is not None and str(p).isdigit())) for p in paths)
    runs = []
    with progress_bar(_("Report"), len(paths), quiet or solves < 2) as advance:
        for path in paths:
            runs.append(read_run_or_archived(path, set_ or [], lang, history_path))
            advance()
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
    base.print_written(_("Report written to", lang), written)


def read_paths(path: Path | None) -> Path | None:
    """What a report source reads from disk: the folder given, the bundled scenario when none
    is, nothing for an archive id (the archive is protected anyway)."""
    from allocator.inputs.loading import DEFAULT_SCENARIO

    if path is None:
        return Path(DEFAULT_SCENARIO)
    return None if str(path).isdigit() and not path.exists() else path
