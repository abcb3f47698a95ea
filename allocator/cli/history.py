"""The archive of plans: ``allocator history list | show ID | compare ID1 ID2 | label ID TEXT |
migrate``. Reading commands open the archive read-only; only ``label`` (and ``run``) write it, and
only ``migrate`` updates an archive written by an earlier version."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from allocator.cli import help_words
from allocator.cli.base import (
    OutOption,
    OverwriteOption,
    argument,
    command,
    console,
    guard_output,
    tr,
)
from allocator.cli.base import app as main_app
from allocator.i18n import N_, _
from allocator.lang import current_lang

if TYPE_CHECKING:
    import pandas as pd

    from allocator.outputs.archive import ArchivedRun
    from allocator.render.report import ReportRun
    from allocator.studies.compare import Comparison

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help=tr("The archive (SQLite): default outputs/history.sqlite, or $ALLOCATOR_HISTORY."),
    ),
]
ORIGINS = {"run": N_("run"), "app": N_("app"), "batch": N_("batch")}
LISTED_KPIS = ("beneficiaries_served", "coverage")

history = typer.Typer(
    cls=help_words.TranslatedGroup,
    no_args_is_help=True,
    help=tr("The archive of plans: list, show, compare and label the plans computed before."),
)
main_app.add_typer(history, name="history")


@command("List the archived plans, oldest first.", name="list", group=history)
def list_(history_path: HistoryOption = None) -> None:
    """List the archived plans, oldest first."""
    from allocator.outputs.archive import Archive

    with Archive(history_path, read_only=True) as archive:
        runs = archive.runs()
        where = archive.path
    if not runs:
        console.print(
            _("The archive {where} is empty.").format(where=where),
            highlight=False,
        )
        return
    console.print(runs_table(runs, where))
    for run in runs:
        if run.damaged:
            console.print(
                _("Plan #{id} is damaged and cannot be read ({why}).").format(
                    id=run.run_id, why=run.damaged
                ),
                highlight=False,
                markup=False,
            )


def runs_table(runs: list[ArchivedRun], where: Path) -> Table:
    """The archive's records, one a row; a damaged one marked as such."""
    from allocator.postprocess.kpis import kpi_label
    from allocator.render.console import status_word
    from allocator.render.formats import kpi_value

    lang = current_lang()
    title = _("Archive of plans: {where}").format(where=where)
    table = Table(title=title, title_justify="left")
    shown = [k for k in LISTED_KPIS if any(k in r.kpis for r in runs)]
    headers = [
        "id",
        _("date (UTC)"),
        _("label"),
        "scenario",
        _("status"),
    ]
    for header in headers:
        table.add_column(header, no_wrap=header in headers[:2])
    for key in shown:  # one word a line: the figures keep their width
        table.add_column(kpi_label(key).replace(" ", "\n"), justify="right", no_wrap=True)
    for run in runs:
        origin = "" if run.origin == "run" else f" ({origin_word(run.origin)})"
        status = _("damaged") if run.damaged else status_word(run.status, lang)
        table.add_row(
            str(run.run_id),
            run.created.replace("T", " ")[:16],
            run.label + origin,
            run.scenario,
            status,
            *("" if run.damaged else kpi_value(key, run.kpis.get(key)) for key in shown),
        )
    return table


def origin_word(origin: str) -> str:
    return _(ORIGINS[origin]) if origin in ORIGINS else origin


@command(
    "Show one archived plan: provenance, settings, KPIs; optionally write its files.", group=history
)
def show(
    run_id: Annotated[
        int,
        argument("The plan's id (see `allocator history list`)."),
    ],
    history_path: HistoryOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=tr("Also write the plan as a run folder (CSV, results.xlsx)."),
        ),
    ] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Show one archived plan: provenance, settings, KPIs; optionally write its files."""
    from allocator.outputs.archive import Archive, check_id

    check_id(run_id)
    if out is not None:
        guard_output(out, overwrite=overwrite, history=history_path)
    with Archive(history_path, read_only=True) as archive:
        run = archive.get(run_id)
        written = archive.export(run_id, out, overwrite=overwrite) if out else None
    plan = _("Plan #{id}").format(id=run.run_id)
    console.print(f"[bold]{plan}[/] {run.label}", highlight=False)
    console.print(facts_table(run), highlight=False)
    console.print(kpis_table(run))
    if written is not None:
        said = _("The plan's files written to")
        console.print(f"{said} [bold]{written}[/]")


def facts_table(run: ArchivedRun) -> Table:
    """Where a record comes from: when, which scenario, its settings and inputs."""
    from allocator.render.console import status_word

    facts = Table(show_header=False, box=None)
    facts.add_column(style="bold")
    facts.add_column()
    created = run.created.replace("T", " ").removesuffix("+00:00")
    facts.add_row(_("computed on (UTC)"), created)
    facts.add_row("scenario", run.scenario)
    facts.add_row(_("origin"), origin_word(run.origin))
    facts.add_row(_("status"), status_word(run.status, current_lang()))
    if run.note:
        facts.add_row(_("note"), run.note)
    none = _("none")
    facts.add_row(_("settings changed"), ", ".join(run.overrides) or none)
    for path, digest in run.inputs.items():
        facts.add_row("input (sha256)", f"{path}  {digest}")
    return facts


def kpis_table(run: ArchivedRun) -> Table:
    """A record's KPIs, one a row."""
    from allocator.postprocess.kpis import KPIS, kpi_label
    from allocator.render.console import kpi_key_label
    from allocator.render.formats import kpi_value, number

    table = Table(title=_("KPIs"), title_justify="left")
    table.add_column(_("KPI"))
    table.add_column(_("value"), justify="right")
    for kpi in KPIS:
        if kpi.key == "status":
            continue  # said in words among the record's facts
        if kpi.key in run.kpis:
            table.add_row(kpi_label(kpi.key), kpi_value(kpi.key, run.kpis[kpi.key]))
    roles = role_names(run.tables)
    for role, fte in (run.kpis.get("staff_fte") or {}).items():
        table.add_row(
            kpi_key_label(f"staff_fte.{role}", current_lang(), roles), number(fte, decimals=1)
        )
    return table


def role_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Role id → name, from the names a record keeps beside its plan (none for older ones)."""
    names = tables.get("names")
    if names is None:
        return {}
    roles = names[names["kind"] == "role"]
    return dict(zip(roles["id"].astype(str), roles["name"].astype(str), strict=True))


@command(
    "Compare two archived plans without solving again (the tables of `allocator compare`).",
    name="compare",
    group=history,
)
def compare_(
    first: Annotated[int, argument("The reference plan's id.")],
    second: Annotated[int, argument("The plan compared with it.")],
    history_path: HistoryOption = None,
    out: OutOption = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Compare two archived plans without solving again (the tables of `allocator compare`)."""
    from allocator.outputs.archive import Archive, check_id
    from allocator.render.comparison import objective_not_compared, write_comparison
    from allocator.studies.compare import compare_archived

    check_id(first), check_id(second)
    if out is not None:
        guard_output(out, overwrite=overwrite, history=history_path)
    with Archive(history_path, read_only=True) as archive:
        runs = [archive.get(first), archive.get(second)]
        comparison, descriptions = compare_archived(runs)
    roles = {k: v for run in runs for k, v in role_names(run.tables).items()}
    console.print(comparison_view(comparison, roles))
    if not comparison.objective_compared:
        console.print(objective_not_compared(), highlight=False)
    movers = winners_view(comparison)
    if movers is not None:
        console.print(movers)
    if out is not None:
        written = write_comparison(comparison, out, overwrite=overwrite, descriptions=descriptions)
        said = _("Comparison written to")
        console.print(f"{said} [bold]{written}[/]")


@command("Name an archived plan (and optionally replace its note).", name="label", group=history)
def label_(
    run_id: Annotated[int, argument("The plan's id.")],
    text: Annotated[str, argument("Its new label.")],
    note: Annotated[
        str | None,
        typer.Option("--note", help=tr("Replace its note too.")),
    ] = None,
    history_path: HistoryOption = None,
) -> None:
    """Name an archived plan (and optionally replace its note)."""
    from allocator.outputs.archive import Archive, check_id

    check_id(run_id)
    with Archive(history_path) as archive:
        archive.set_label(run_id, text, note)
    console.print(
        _("Plan #{id}: label «{text}».").format(id=run_id, text=text),
        highlight=False,
    )


@command(
    "Update an archive written by an earlier version, after copying it aside.",
    name="migrate",
    group=history,
)
def migrate_(history_path: HistoryOption = None) -> None:
    """Update an archive written by an earlier version, after copying it aside."""
    from allocator.outputs.archive import SCHEMA_VERSION
    from allocator.outputs.archive import history_path as where
    from allocator.outputs.archive_file import migrate

    path = where(history_path)
    copy, version = migrate(path)
    if copy is None:
        said = _("The archive {path} is already at schema {version}: nothing to do.")
        console.print(said.format(path=path, version=version), highlight=False)
        return
    said = _(
        "Backup copy of the archive at {copy}; {path} updated from schema {old} to schema {new}."
    )
    console.print(
        said.format(copy=copy, path=path, old=version, new=SCHEMA_VERSION), highlight=False
    )


def check_history(history_path: Path | None, no_history: bool) -> None:
    """Refuse a run early (before solving) when its archive cannot be used."""
    from allocator.outputs.archive import Archive

    if not no_history:
        Archive(history_path).close()


def said_recorded(run_id: int, where: Path) -> None:
    """Say where a plan was recorded in the archive, and as which number."""
    said = _("Recorded in the archive {path} as plan #{id}").format(path=where, id=run_id)
    console.print(said, highlight=False)


def comparison_view(comparison: Comparison, roles: Mapping[str, str] | None = None) -> Table:
    """The KPIs of a comparison in Italian: one column per plan, then the differences, and the
    areas and partners gaining and losing most."""
    from allocator.postprocess.kpis import kpi_label
    from allocator.postprocess.labels import status_word
    from allocator.render.console import kpi_key_label
    from allocator.render.formats import formatted, kpi_value
    from allocator.studies.compare import DELTA

    labels = comparison.labels
    roles = roles or {}
    table = Table(title="Confronto tra piani dell'archivio", title_justify="left")
    table.add_column("indicatore")
    for label in labels:
        table.add_column(label, justify="right")
    for label in labels[1:]:
        table.add_column(f"Δ {label}", justify="right")
    for record in comparison.kpis.to_dict("records"):
        key = str(record["kpi"])
        if key == "solve_seconds":
            continue
        if key.startswith("staff_fte."):
            name = kpi_key_label(key, "it", roles)
            cells = [formatted(record[label], "fte") for label in labels]
            deltas = [_change("staff_fte", record[f"{DELTA}{label}"]) for label in labels[1:]]
        else:
            name = kpi_label(key)
            cells = [
                status_word(record[label]) if key == "status" else kpi_value(key, record[label])
                for label in labels
            ]
            deltas = [_change(key, record[f"{DELTA}{label}"]) for label in labels[1:]]
        table.add_row(name, *cells, *deltas)
    return table


def _change(key: str, value: object) -> str:
    from allocator.app.panels import change_text

    if not isinstance(value, int | float):
        return ""
    return change_text(key, float(value), "fte" if key == "staff_fte" else None)


def winners_view(comparison: Comparison) -> Table | None:
    """The areas and partners gaining and losing most beneficiaries, in Italian."""
    from allocator.app.panels import movers

    rows = movers(comparison)
    if rows.empty:
        return None
    table = Table(title="Chi guadagna e chi perde", title_justify="left")
    for column in rows.columns:
        table.add_column(column, justify="left" if column in ("chi", "nome") else "right")
    for record in rows.itertuples(index=False):
        table.add_row(*(str(cell) for cell in record))
    return table


def read_run_or_archived(
    path: Path | None, overrides: list[str], lang: str, history_path: Path | None
) -> ReportRun:
    """What the report reads: a run or scenario folder, or (a number that is not a folder) the
    plan with that id in the archive, as it was recorded."""
    import tempfile

    from allocator.outputs.archive import Archive
    from allocator.render.report import read_run

    if path is None or path.exists() or not str(path).isdigit():
        return read_run(path, overrides, lang)
    run_id = int(str(path))
    with Archive(history_path, read_only=True) as archive, tempfile.TemporaryDirectory() as scratch:
        folder = archive.export(run_id, Path(scratch) / "run")
        report_run = read_run(folder, (), lang)
        report_run.source = f"{archive.path} #{run_id}"
    return report_run
