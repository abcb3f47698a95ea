"""One complete run: everything a plan means, computed once, rendered by every face.

:func:`plan` solves a scenario (or takes a run already solved, as the meeting page does) and
returns a :class:`PlanBundle`: the plan and its KPIs, why it is what it is, the rules of thumb with
the same money, the price of the locks and limits and the transition against today, the robust
view when asked, today's allocation measured as a plan, the names of every id, and the settings as
the room set them (a name, a note, the date, the overrides of the scenario). ``allocator run``,
the meeting page, the archive, ``allocator report``, ``results.xlsx`` and the notebooks all render
this one object, so a plan saved from the page and ``run`` with the same ``--set`` give the same
tables and the same report.

What a run folder or an archive record keeps of the bundle, beside the plan's own tables:
:data:`NAMES_TABLE` (kind, id, name, legal_form: every area, intervention, partner, funder and
staff role), :data:`TODAY_TABLE` (today's allocation measured as the plan is) and, in ``run.json``,
the keys of :meth:`PlanBundle.details` (label, note, origin, changes in words, today's KPIs). A
report read back from either needs no input file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.lang import lang_or_current
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.postprocess.results import Plan
from allocator.render.explanations import Explanation, explain
from allocator.render.negotiation import negotiation_outputs
from allocator.render.settings_words import changes_in_words

if TYPE_CHECKING:
    from allocator.outputs.atomic import Notice
    from allocator.studies.robust import RobustRun
    from allocator.studies.rules import RulePlan

NAMES_TABLE = "names"
"""kind (area, intervention, partner, funder, role), id, name, legal_form (partners only)."""
TODAY_TABLE = "today_allocation"
"""Today's allocation (``baseline.csv``) measured as the plan is: the allocation table's columns."""
NAME_KINDS = ("area", "intervention", "partner", "funder", "role")


@dataclass(frozen=True)
class RoomNote:
    """The plan as the room named it: a name, a note, where it was made, the ``--set`` overrides
    of the scenario (the page's controls are overrides too), and when."""

    label: str = ""
    note: str = ""
    origin: str = "run"
    """``run`` (the command line), ``app`` (the meeting page) or ``batch``."""
    overrides: tuple[str, ...] = ()
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


@dataclass
class PlanBundle:
    """Everything one plan means, for every face to render (see the module's docstring)."""

    result: RunResult
    why: Explanation
    room: RoomNote
    rules: pd.DataFrame
    """Each rule of thumb and the best plan with its money and equity (``rules.csv``)."""
    negotiation: dict[str, pd.DataFrame]
    """``transition`` and ``negotiation_price``, when the plan has locks or transition limits."""
    negotiation_lines: list[str]
    today: RulePlan | None
    """Today's allocation measured as a plan; None without ``baseline.csv``."""
    robust: RobustRun | None = None
    explained: bool = False
    """Whether the marginal values were each confirmed by a re-solve (``run --explain``)."""

    @property
    def plan(self) -> Plan:
        assert self.result.plan is not None, "a bundle is made of a run with a plan"
        return self.result.plan

    @property
    def scenario(self) -> Scenario:
        return self.result.scenario

    @property
    def overrides(self) -> list[str]:
        return list(self.room.overrides)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written beside the plan's own (run folder, archive, workbook)."""
        tables = self.why.kept_tables(confirmed=self.explained)
        tables["rules"] = self.rules
        tables.update(self.negotiation)
        if self.robust is not None:
            tables.update({"robust": self.robust.comparison, "robust_samples": self.robust.samples})
        tables[NAMES_TABLE] = names_table(self.scenario)
        if self.today is not None:
            tables[TODAY_TABLE] = self.today.plan.allocation
        return tables

    def details(self) -> dict[str, Any]:
        """What ``run.json`` and the archive record of the plan beside its provenance."""
        return {
            "label": self.room.label,
            "note": self.room.note,
            "origin": self.room.origin,
            "created": self.room.created,
            "changes": changes_in_words(self.overrides, self.scenario, self.why.lang),
            "today_kpis": None if self.today is None else self.today.plan.kpis,
            "why": self.why.sentences,
        }

    def write(self, out: Path, *, overwrite: bool = False, notice: Notice | None = None) -> Path:
        """The run folder of the plan (``allocator run``'s outputs), written atomically."""
        from allocator.outputs.atomic import to_stderr
        from allocator.outputs.run_folder import write_outputs

        return write_outputs(
            self.result,
            out,
            overwrite=overwrite,
            overrides=self.overrides,
            extra_tables=self.tables(),
            details=self.details(),
            notice=notice or to_stderr,
        )

    def record(self, history: str | Path | None = None) -> tuple[int, Path]:
        """Store the plan in the archive of plans; its id and the archive's path."""
        from allocator.outputs.archive import Archive

        with Archive(history) as archive:
            run_id = archive.record(
                self.result,
                label=self.room.label,
                note=self.room.note,
                origin=self.room.origin,
                overrides=self.overrides,
                extra_tables=self.tables(),
                details=self.details(),
            )
            return run_id, archive.path


def names_table(scenario: Scenario) -> pd.DataFrame:
    """Every id of the scenario with its name (the report and the workbook name, never show ids)."""
    rows: list[tuple[str, str, str, str]] = []
    rows += [("area", a.area_id, a.name, "") for a in scenario.areas]
    rows += [("intervention", i.intervention_id, i.name, "") for i in scenario.interventions]
    rows += [("partner", p.partner_id, p.name, str(p.legal_form)) for p in scenario.partners]
    rows += [("funder", f.funder_id, f.name, "") for f in scenario.funders]
    rows += [("role", r.role_id, r.name, "") for r in scenario.staff]
    return pd.DataFrame(rows, columns=["kind", "id", "name", "legal_form"])


def plan(
    scenario: Scenario,
    room: RoomNote | None = None,
    *,
    result: RunResult | None = None,
    robust: RobustRun | None = None,
    explain_fully: bool = False,
    lang: str | None = None,
) -> PlanBundle:
    """One complete run of ``scenario``: solved here unless ``result`` (a run of this scenario,
    e.g. the page's) or ``robust`` (a robust plan) is given. ``explain_fully`` confirms every
    marginal value by a re-solve. A run without a plan has no bundle: ask ``result.has_plan``
    first (a ValueError otherwise)."""
    from allocator.studies.frontier import rules_placed
    from allocator.studies.rules import status_quo_plan

    lang = lang_or_current(lang)
    if result is None:
        result = run_scenario(scenario) if robust is None else robust.result
    if result.plan is None:
        raise ValueError(f"the run of '{scenario.name}' has no plan ({result.status.value})")
    why = explain(result, lang=lang, confirm=explain_fully)
    rules, _ = rules_placed(result.scenario)
    negotiation, negotiation_lines = negotiation_outputs(result, lang)
    return PlanBundle(
        result=result,
        why=why,
        room=room or RoomNote(),
        rules=rules,
        negotiation=negotiation,
        negotiation_lines=negotiation_lines,
        today=status_quo_plan(result.scenario),
        robust=robust,
        explained=explain_fully,
    )
