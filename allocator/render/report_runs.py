"""The runs a report shows: read back from a run folder, or a scenario solved in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario, Settings
from allocator.outputs.run_reader import RunFolder, is_run_folder, read_run_folder
from allocator.render.bundle import NAME_KINDS, NAMES_TABLE, TODAY_TABLE

if TYPE_CHECKING:
    from allocator.render.bundle import PlanBundle

ESTIMATE_MARKERS = ("estimat", "synthetic", "stima", "sintetic")
"""Words in a scenario's description that mark its figures as estimates."""


@dataclass
class ReportRun:
    """One run as the report reads it, from a run folder or solved in memory."""

    name: str
    source: str
    kpis: dict[str, Any]
    areas: pd.DataFrame
    area_interventions: pd.DataFrame
    funders: pd.DataFrame
    provenance: dict[str, Any]
    settings: Settings
    intervention_names: dict[str, str] = field(default_factory=dict)
    staff_names: dict[str, str] = field(default_factory=dict)
    """Role id → name, for the staff KPIs."""
    limits: pd.DataFrame | None = None
    strengthen: pd.DataFrame | None = None
    rules: pd.DataFrame | None = None
    """Each rule of thumb and the optimised plan with the same money (rules.csv), if written."""
    sentences: list[str] = field(default_factory=list)
    allocation: pd.DataFrame | None = None
    """partner_id, area_id, intervention_id, beneficiaries, costs (allocation.csv)."""
    scenario: Scenario | None = None
    """The inputs, when a run folder written before names and today were kept beside the plan
    could read them again (older folders only)."""
    partners: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Partner id → (name, legal form)."""
    today: TodayPlan | None = None
    """Today's allocation measured as the plan is; None when the scenario has no baseline."""
    names_known: bool = True
    """False for an older run folder whose inputs are gone or changed: ids, not names, shown."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The negotiation tables beside the plan (``negotiation_price``, ``transition``)."""

    @property
    def plan_label(self) -> str:
        """The plan's name as the room gave it (empty when none was given)."""
        return str(self.provenance.get("label") or "")

    @property
    def changes(self) -> list[str]:
        """The settings the room changed from the scenario's, in words."""
        return [str(c) for c in self.provenance.get("changes") or []]

    @property
    def label(self) -> str:
        """The plan's name, else the scenario's; with the changes of the room, in words."""
        name = self.plan_label or self.name
        return f"{name} ({'; '.join(self.changes)})" if self.changes else name

    @property
    def estimated(self) -> bool:
        """Whether the scenario says its figures are estimates or synthetic."""
        text = f"{self.name} {self.settings.description}".lower()
        return any(marker in text for marker in ESTIMATE_MARKERS)

    @property
    def data_notes(self) -> list[str]:
        """The DATA.md files beside the run's input files (where the estimates are explained)."""
        folders = {Path(p).parent for p in self.provenance.get("inputs", {})}
        return sorted(shown_path(f / "DATA.md") for f in folders if (f / "DATA.md").is_file())


@dataclass(frozen=True)
class TodayPlan:
    """Today's allocation as the report shows it: its KPIs and allocation table."""

    kpis: dict[str, Any]
    allocation: pd.DataFrame


def shown_path(path: Path) -> str:
    """A path relative to the working folder when it lies below it, else from ``scenarios/``."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        parts = resolved.parts
        start = parts.index("scenarios") if "scenarios" in parts else max(len(parts) - 3, 0)
        return str(Path(*parts[start:]))


def read_run(path: str | Path | None, overrides: Sequence[str] = (), lang: str = "it") -> ReportRun:
    """A run folder (holding run.json) as written, or a scenario folder solved now.

    ``None`` solves the bundled Milan scenario; ``overrides`` apply to scenarios only.
    """
    if is_run_folder(path):
        assert path is not None
        return from_run_folder(read_run_folder(path))
    return _solve_scenario(None if path is None else Path(path), overrides, lang)


def names_of(scenario: Scenario | None) -> tuple[dict[str, str], dict[str, str]]:
    """(intervention id → name, role id → name) of a scenario's inputs."""
    if scenario is None:
        return {}, {}
    return (
        {i.intervention_id: i.name for i in scenario.interventions},
        {r.role_id: r.name for r in scenario.staff},
    )


def from_run_folder(run: RunFolder) -> ReportRun:
    """The report's view of a run folder: its tables, the names and today's allocation kept
    beside them (or, for an older folder, read again from its inputs when unchanged)."""
    areas, area_interventions, funders = run.require("areas", "area_interventions", "funders")
    limits = run.table("limits")
    names: dict[str, str] = {}
    if limits is not None:
        names = dict(zip(limits["intervention_id"], limits["intervention_name"], strict=True))
    kept = run.table(NAMES_TABLE)
    scenario = None if kept is not None else run.scenario()
    if kept is not None:
        by_kind = names_by_kind(kept)
        interventions, roles = by_kind["intervention"], by_kind["role"]
        forms = dict(zip(kept["id"].astype(str), kept["legal_form"].fillna(""), strict=True))
        partners = {i: (n, str(forms.get(i, ""))) for i, n in by_kind["partner"].items()}
        today = kept_today(run)
    else:
        interventions, roles = names_of(scenario)
        partners = partners_of(scenario)
        today = today_of(scenario)
    names.update(interventions)
    provenance = run.provenance
    tables = {k: t for k in NEGOTIATION_TABLES if (t := run.table(k)) is not None}
    return ReportRun(
        name=run.scenario_name,
        source=str(run.folder),
        kpis=run.kpis,
        areas=areas,
        area_interventions=area_interventions,
        funders=funders,
        provenance=provenance,
        settings=Settings.model_validate(provenance.get("settings") or {"name": run.folder.name}),
        intervention_names=names,
        staff_names=roles,
        limits=limits,
        strengthen=run.table("strengthen"),
        rules=run.table("rules"),
        allocation=run.table("allocation"),
        sentences=[str(s) for s in provenance.get("why") or []],
        scenario=scenario,
        partners=partners,
        today=today,
        names_known=kept is not None or scenario is not None,
        tables=tables,
    )


NEGOTIATION_TABLES = ("negotiation_price", "transition")


def names_by_kind(kept: pd.DataFrame) -> dict[str, dict[str, str]]:
    """The names table (kind, id, name) as kind → {id: name}, every kind present."""
    found: dict[str, dict[str, str]] = {kind: {} for kind in NAME_KINDS}
    for kind, ident, name in zip(kept["kind"], kept["id"], kept["name"], strict=True):
        found.setdefault(str(kind), {})[str(ident)] = str(name)
    return found


def kept_today(run: RunFolder) -> TodayPlan | None:
    """Today's allocation as the run kept it (``today_allocation.csv`` and today's KPIs)."""
    allocation, kpis = run.table(TODAY_TABLE), run.provenance.get("today_kpis")
    if allocation is None or not isinstance(kpis, dict):
        return None
    return TodayPlan(kpis, allocation)


def partners_of(scenario: Scenario | None) -> dict[str, tuple[str, str]]:
    if scenario is None:
        return {}
    return {p.partner_id: (p.name, str(p.legal_form)) for p in scenario.partners}


def today_of(scenario: Scenario | None) -> TodayPlan | None:
    """Today's allocation of ``scenario`` measured as a plan (None without a baseline)."""
    from allocator.studies.rules import status_quo_plan

    today = None if scenario is None else status_quo_plan(scenario)
    return None if today is None else TodayPlan(today.plan.kpis, today.plan.allocation)


def _solve_scenario(folder: Path | None, overrides: Sequence[str], lang: str) -> ReportRun:
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.render.bundle import RoomNote, plan
    from allocator.render.facts import no_plan_sentences

    scenario = load_scenario(folder, overrides)
    result = run_scenario(scenario)
    if result.plan is None:
        reasons = "; ".join(no_plan_sentences(result, lang))
        raise UsageError(
            f"scenario '{scenario.name}' has no plan ({result.status.value}): {reasons}"
        )
    bundle = plan(scenario, RoomNote(overrides=tuple(overrides)), result=result, lang=lang)
    run = from_bundle(bundle)
    run.source = str(folder or "scenarios/milano")
    return run


def from_bundle(bundle: PlanBundle) -> ReportRun:
    """The report's view of a complete run, read as its run folder is: every face that reports a
    bundle (``report SCENARIO``, the page's download) shows what ``report RUN_FOLDER`` shows."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        folder = bundle.write(Path(scratch) / "piano", notice=lambda _: None)
        return from_run_folder(read_run_folder(folder))
