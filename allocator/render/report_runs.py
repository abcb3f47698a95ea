"""The runs a report shows: read back from a run folder, or a scenario solved in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.schema import Scenario, Settings
from allocator.outputs.run_reader import RunFolder, is_run_folder, read_run_folder

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
    """The inputs (partners' names, today's allocation), when they could be read."""

    @property
    def label(self) -> str:
        """The scenario's name, with the ``--set`` overrides of this run if any."""
        overrides = self.provenance.get("overrides") or []
        return f"{self.name} ({', '.join(overrides)})" if overrides else self.name

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
    """The report's view of a run folder: its tables, and names from its inputs when readable."""
    areas, area_interventions, funders = run.require("areas", "area_interventions", "funders")
    limits = run.table("limits")
    names: dict[str, str] = {}
    if limits is not None:
        names = dict(zip(limits["intervention_id"], limits["intervention_name"], strict=True))
    scenario = run.scenario()
    interventions, roles = names_of(scenario)
    names.update(interventions)
    provenance = run.provenance
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
        scenario=scenario,
    )


def _solve_scenario(folder: Path | None, overrides: Sequence[str], lang: str) -> ReportRun:
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.outputs.run_folder import provenance
    from allocator.render.explanations import explain
    from allocator.render.facts import no_plan_sentences

    scenario = load_scenario(folder, overrides)
    result = run_scenario(scenario)
    if result.plan is None:
        reasons = "; ".join(no_plan_sentences(result, lang))
        raise UsageError(
            f"scenario '{scenario.name}' has no plan ({result.status.value}): {reasons}"
        )
    why = explain(result, lang=lang, confirm=False)
    plan = result.plan
    interventions, roles = names_of(scenario)
    return ReportRun(
        name=scenario.name,
        source=str(folder or "scenarios/milano"),
        kpis=plan.kpis,
        areas=plan.areas,
        area_interventions=plan.area_interventions,
        funders=plan.funders,
        provenance=provenance(result, list(overrides)),
        settings=scenario.settings,
        intervention_names=interventions,
        staff_names=roles,
        limits=why.limits,
        strengthen=why.strengthen,
        sentences=why.sentences,
        allocation=plan.allocation,
        scenario=scenario,
    )
