"""The dual model: the run's LP with integer staff fixed, solved by HiGHS, ready for re-solves.

Marginal values come from the LP duals of the model with the integer staff decisions fixed at
their optimum (rebuilt with ``build_model(scenario, fixed_staff=...)``). PuLP hands HiGHS the
*minimisation* of minus the objective, so a row dual ``pi`` is d(−objective)/d(rhs) and a column
dual ``dj`` is d(−objective)/d(bound): the value of one more unit is ``−pi`` (``−dj``), in internal
units, i.e. weighted beneficiaries (one beneficiary of value 1 and priority 1 counts 1). Divided
by ``model.objective_scale`` it is in units of the contract objective. Two contaminations:
the tie-break (every euro paid costs ``model.cost_per_euro``, so a budget's dual is lower by that,
a relative error of at most ``policy.tie_break``), and the floor penalty when a floor is short
(then duals include the penalty avoided). Gains read from a re-solved plan exclude both terms.

A re-solve changes one bound of the same HiGHS model (warm-started dual simplex) and restores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pulp

from allocator.inputs.schema import SolverName
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import SolveStatus, solve

TOLERANCE = 1e-6
"""Below this, a slack, a gain or a dual counts as zero."""


@dataclass
class DualModel:
    """The LP with staff fixed at the plan's posts, solved by HiGHS, ready for re-solves."""

    model: AllocationModel
    highs: Any
    value: np.ndarray
    """Objective coefficient of each column without floor penalty and tie-break (internal units)."""
    base: np.ndarray
    """Column values of the optimum."""
    serve_cols: np.ndarray
    serve_keys: list[tuple[str, str]]
    """(area, intervention) of each column in ``serve_cols``."""

    def weighted(self, x: np.ndarray) -> float:
        return float(self.value @ x)

    def beneficiaries(self, x: np.ndarray) -> float:
        return float(x[self.serve_cols].sum())

    def resolve_row(self, row: int, delta: float) -> np.ndarray | None:
        """Column values after raising row's upper bound by ``delta``; the model is restored."""
        lp = self.highs.getLp()
        lower, upper = lp.row_lower_[row], lp.row_upper_[row]
        self.highs.changeRowBounds(row, lower, upper + delta)
        try:
            return self._run()
        finally:
            self.highs.changeRowBounds(row, lower, upper)

    def resolve_cols(
        self, changes: list[tuple[int, float, float]], rows: list[tuple[int, float]] | None = None
    ) -> np.ndarray | None:
        """Column values after shifting columns' bounds (col, Δlower, Δupper) and rows' uppers."""
        rows = rows or []
        lp = self.highs.getLp()
        saved_cols = [(c, lp.col_lower_[c], lp.col_upper_[c]) for c, _, _ in changes]
        saved_rows = [(r, lp.row_lower_[r], lp.row_upper_[r]) for r, _ in rows]
        for (c, dl, du), (_, lo, up) in zip(changes, saved_cols, strict=True):
            self.highs.changeColBounds(c, lo + dl, up + du)
        for (r, du), (_, lo, up) in zip(rows, saved_rows, strict=True):
            self.highs.changeRowBounds(r, lo, up + du)
        try:
            return self._run()
        finally:
            for c, lo, up in saved_cols:
                self.highs.changeColBounds(c, lo, up)
            for r, lo, up in saved_rows:
                self.highs.changeRowBounds(r, lo, up)

    def _run(self) -> np.ndarray | None:
        import highspy

        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=float)


def dual_model(result: RunResult) -> DualModel:
    """The run's LP with integer staff fixed, solved with HiGHS (the run's model if already so)."""
    model = result.model
    if model is None or not result.has_plan:
        raise ValueError("a run without a plan has no marginal values")
    is_mip = any(v.cat == pulp.LpInteger for v in model.staff_posts.values())
    by_highs = result.outcome is not None and result.outcome.solver == SolverName.HIGHS.value
    if is_mip or not by_highs:
        fixed = {
            (r, a): (var.varValue or 0.0) * model.data.fte_step[r]
            for (r, a), var in model.staff_posts.items()
        }
        model = build_model(result.scenario, fixed_staff=fixed)
        settings = result.scenario.settings.solver.model_copy(update={"name": SolverName.HIGHS})
        outcome = solve(model, settings)
        if outcome.status is not SolveStatus.OPTIMAL:
            raise RuntimeError(f"the LP with staff fixed did not solve: {outcome.message}")
    variables = model.problem.variables()
    n = len(variables)
    value = np.zeros(n)
    base = np.zeros(n)
    excluded = {v.name for v in model.shortfall.values()} | {v.name for v in model.pay.values()}
    for var in variables:
        base[var.index] = var.varValue or 0.0
    for var, coef in model.problem.objective.items():
        if var.name not in excluded:
            value[var.index] = coef
    keys = list(model.serve)
    return DualModel(
        model=model,
        highs=model.problem.solverModel,
        value=value,
        base=base,
        serve_cols=np.array([model.serve[k].index for k in keys], dtype=int),
        serve_keys=[(a, k) for (_, a, k) in keys],
    )
