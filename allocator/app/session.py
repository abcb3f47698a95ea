"""One meeting: the scenario, the last plan shown, and each change of the controls solved again.

:class:`MeetingSession` is the page's logic without the page: :meth:`~MeetingSession.solve` turns
the controls into a scenario, solves it (on the kept model when only the money changed, see
:class:`~allocator.studies.variants.WarmSolver`) and returns a :class:`PlanView` holding the plan
or a message in Italian (bad settings, an infeasible scenario, a solver failure: never a
traceback), and the KPIs of the state before it. It also saves a plan in the archive and writes
the downloads (``results.xlsx``, the HTML report).
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.app.mapview import MapShapes, map_shapes
from allocator.app.state import Controls, control_overrides, initial_controls, scenario_for
from allocator.errors import AllocatorError
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.limits import binding_limits
from allocator.postprocess.results import Plan
from allocator.postprocess.strengthen import where_to_strengthen
from allocator.render.bundle import PlanBundle, RoomNote, plan
from allocator.render.facts import no_plan_sentences
from allocator.studies.rules import RulePlan, need_share_plan, per_capita_plan, status_quo_plan
from allocator.studies.variants import WarmSolver

log = logging.getLogger("allocator.app")
UNEXPECTED = (
    "Errore inatteso durante il calcolo: nessun piano per queste impostazioni. Il dettaglio è "
    "nel terminale dove gira `allocator app`; tornare allo scenario di partenza o cambiare un "
    "comando per riprovare."
)
STATUS_MESSAGES = {
    SolveStatus.INFEASIBLE: "Con queste impostazioni non esiste un piano",
    SolveStatus.ERROR: "Il calcolo non ha trovato un piano (errore del risolutore o tempo "
    "esaurito)",
}


@dataclass
class PlanView:
    """One state of the page: the controls, and the plan they give or why there is none."""

    controls: Controls
    result: RunResult | None = None
    message: str = ""
    """Why there is no plan, in Italian (empty when there is one)."""
    reasons: list[str] = field(default_factory=list)
    previous_kpis: dict[str, Any] | None = None
    """The KPIs of the plan shown before this one (None for the first)."""
    seconds: float = 0.0
    overrides: list[str] = field(default_factory=list)
    bundle: PlanBundle | None = None
    """The complete run of this plan, made when first saved or downloaded."""

    @property
    def plan(self) -> Plan | None:
        return None if self.result is None else self.result.plan

    @property
    def ok(self) -> bool:
        return self.plan is not None


class MeetingSession:
    """The page's state for one browser tab."""

    def __init__(
        self,
        scenario: Scenario,
        boundaries: str | Path | None = None,
        history: str | Path | None = None,
        first: PlanView | None = None,
    ) -> None:
        """``first``: the plan of the scenario's own controls, solved once when the page started,
        given at once to every visitor who opens it (it is not solved again)."""
        self.base = scenario
        self.first = first
        self.boundaries = Path(boundaries) if boundaries is not None else None
        self.history = history
        self.solver = WarmSolver()
        self.shapes: MapShapes = map_shapes(scenario, boundaries)
        self.current: PlanView | None = None
        self.partner_names = {p.partner_id: p.name for p in scenario.partners}
        self._today: RulePlan | bool | None = False

    def initial(self) -> Controls:
        return initial_controls(self.base)

    def solve(self, controls: Controls) -> PlanView:
        """Solve the scenario as ``controls`` set it and show it (:meth:`compute`, then
        :meth:`show`): the KPI changes are against the last plan shown."""
        return self.show(self.compute(controls))

    def compute(self, controls: Controls) -> PlanView:
        """The state ``controls`` give, not yet shown (no KPI changes): safe to run in a worker
        thread, one at a time (the kept model is reused)."""
        if self.first is not None and controls == self.first.controls:
            return dataclasses.replace(self.first, previous_kpis=None, bundle=None)
        start = time.perf_counter()
        view = PlanView(controls)
        try:
            view.overrides = control_overrides(self.base, controls)
            scenario = scenario_for(self.base, controls)
            result = self.solver.run(scenario)
        except AllocatorError as exc:
            view.message = f"Impostazioni non valide: {exc}"
        except Exception:  # the page shows a message, never Python's words; the terminal logs it
            log.exception("unexpected error solving the page's settings %s", controls)
            view.message = UNEXPECTED
        else:
            view.result = result
            if result.plan is None:
                view.message = STATUS_MESSAGES.get(result.status, "Nessun piano")
                view.reasons = no_plan_sentences(result, "it")
                view.result = None
        view.seconds = time.perf_counter() - start
        return view

    def show(self, view: PlanView) -> PlanView:
        """``view`` as the page shows it: its KPI changes against the last plan shown, and, when
        it has a plan, the plan the next changes are measured against."""
        if self.current is not None and self.current.plan is not None:
            view.previous_kpis = self.current.plan.kpis
        if view.plan is not None:
            self.current = view
        return view

    def refused(self, why: str) -> PlanView:
        """The state of controls refused before solving (``why``, in Italian): no plan, the
        last plan shown stays the one changes are measured against."""
        controls = self.initial() if self.current is None else self.current.controls
        return PlanView(controls, message=f"Impostazioni non valide: {why}")

    @staticmethod
    def _has_plan(view: PlanView | None) -> bool:
        return view is not None and view.result is not None and view.result.plan is not None

    # ------------------------------------------------------------------------ panel inputs

    def strengthen(self, view: PlanView) -> pd.DataFrame:
        """Where partners or staff hold the plan back (the ``where_to_strengthen`` table)."""
        assert view.result is not None
        return where_to_strengthen(binding_limits(view.result, lang="it"))

    def today(self) -> RulePlan | None:
        """Today's allocation (``baseline.csv`` as it is, in the scenario as loaded)."""
        if self._today is False:
            self._today = status_quo_plan(self.base)
        assert self._today is not True
        return self._today

    def rules(self, view: PlanView) -> list[RulePlan]:
        """The rules of thumb with the same money and settings as the plan shown."""
        assert view.result is not None
        scenario = view.result.scenario
        plans = (per_capita_plan(scenario), need_share_plan(scenario))
        return [p for p in plans if p is not None]

    # ------------------------------------------------------------------------ archive, files

    def bundle(self, view: PlanView, label: str = "", note: str = "") -> PlanBundle:
        """The complete run of the plan shown (what ``allocator run`` makes of the same
        settings), named as the room names it; computed once per plan shown."""
        if view.result is None or view.result.plan is None:
            raise AllocatorError("non c'è un piano da salvare o da scaricare")
        room = RoomNote(label=label, note=note, origin="app", overrides=tuple(view.overrides))
        if view.bundle is None:
            view.bundle = plan(view.result.scenario, room, result=view.result, lang="it")
        return dataclasses.replace(view.bundle, room=room)

    def save(self, view: PlanView, label: str, note: str = "") -> int:
        """Store the plan shown in the archive (origin ``app``); returns its id."""
        if not label.strip():
            raise AllocatorError("dare un nome al piano prima di salvarlo")
        run_id, _ = self.bundle(view, label, note).record(self.history)
        return run_id

    def results_xlsx(self, view: PlanView) -> bytes:
        """The plan shown as ``results.xlsx`` (every output table as a sheet)."""
        with tempfile.TemporaryDirectory() as scratch:
            folder = self.bundle(view).write(Path(scratch) / "piano", notice=lambda _: None)
            return (folder / "results.xlsx").read_bytes()

    def report_html(self, view: PlanView) -> str:
        """The plan shown as the self-contained HTML report of ``allocator report``."""
        from allocator.render.report import build_report
        from allocator.render.report_runs import from_bundle

        run = from_bundle(self.bundle(view))
        run.source = "pagina della riunione"
        return build_report([run], lang="it", boundaries=self.boundaries)
