"""Why this plan: marginal values, binding limits, where to strengthen, idle capacity, conflicts.

Pure functions over a run (:class:`~allocator.optimization.pipeline.RunResult`); nothing is printed.

Marginal values come from the LP duals of the model with the integer staff decisions fixed at
their optimum (rebuilt with ``build_model(scenario, fixed_staff=...)``). PuLP hands HiGHS the
*minimisation* of minus the objective, so a row dual ``pi`` is d(−objective)/d(rhs) and a column
dual ``dj`` is d(−objective)/d(bound): the value of one more unit is ``−pi`` (``−dj``), in internal
units, i.e. weighted beneficiaries (one beneficiary of value 1 and priority 1 counts 1). Divided
by ``model.objective_scale`` it is in units of the contract objective. Two contaminations:
the tie-break (every euro paid costs ``model.cost_per_euro``, so a budget's dual is lower by that,
a relative error of at most ``policy.tie_break``), and the floor penalty when a floor is short
(then duals include the penalty avoided). The confirmed gains are read from the re-solved plan
without either term.

Confirmation re-solves the same HiGHS model with one bound changed (warm-started dual simplex)
and restores it. The staff plan stays fixed: extra money buys services, not posts, and one more
post is placed in the area where its dual is best; both are lower bounds of a full re-optimisation.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pulp

from allocator.inputs.schema import SolverName, Unit
from allocator.optimization.conflicts import explain_infeasibility
from allocator.optimization.model import AllocationModel, build_model
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import SolveStatus, solve

TOLERANCE = 1e-6
MONEY_STEP = 10_000.0
PLACES_STEP = 10.0
MAX_CONFIRM = 30
MAX_PARTNERS = 10

LIMIT_KINDS = (
    "need_met",
    "max_coverage",
    "no_partner",
    "partner_capacity",
    "staff",
    "no_funder",
    "earmark",
    "money",
    "no_value",
)
LIMIT_LABELS = {
    "it": {
        "need_met": "bisogno coperto",
        "max_coverage": "copertura massima raggiungibile",
        "no_partner": "nessun partner",
        "partner_capacity": "capacità dei partner",
        "staff": "personale",
        "no_funder": "nessun finanziatore ammesso",
        "earmark": "vincoli di destinazione",
        "money": "fondi esauriti",
        "no_value": "nessun valore aggiunto",
    },
    "en": {
        "need_met": "need met",
        "max_coverage": "maximum coverage",
        "no_partner": "no partner",
        "partner_capacity": "partner capacity",
        "staff": "staff",
        "no_funder": "no funder allowed",
        "earmark": "earmark cap",
        "money": "money exhausted",
        "no_value": "no added value",
    },
}
CAPACITY_LIMITS = ("no_partner", "partner_capacity", "staff")
MONEY_LIMITS = ("money", "earmark", "no_funder")
UNIT_WORDS = {
    "it": {Unit.MINORS: "bambini e ragazzi", Unit.HOUSEHOLDS: "famiglie", Unit.PEOPLE: "persone"},
    "en": {Unit.MINORS: "minors", Unit.HOUSEHOLDS: "households", Unit.PEOPLE: "people"},
}
MARGINAL_COLUMNS = [
    "resource_kind",
    "resource_id",
    "resource_name",
    "change",
    "unit",
    "binding",
    "dual_objective_per_unit",
    "dual_weighted_per_change",
    "confirmed",
    "objective_gain",
    "weighted_gain",
    "beneficiaries_gain",
    "where",
    "sentence",
]


def number(value: float, lang: str = "it", decimals: int | None = 0) -> str:
    """A number as planners read it: 10.000 in Italian, 10,000 in English.

    ``decimals=None``: no decimals for a whole number, else up to two.
    """
    if decimals is None:
        decimals = 0 if abs(value - round(value)) < 1e-9 else 2
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    else:
        text = f"{value:,.{decimals}f}"
    if lang == "it":
        text = text.replace(",", "§").replace(".", ",").replace("§", ".")
    return text


# --------------------------------------------------------------------------- the dual model


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


# --------------------------------------------------------------------------- marginal values


@dataclass(frozen=True)
class _Candidate:
    kind: str
    resource_id: str
    name: str
    change: float
    unit: str
    binding: bool
    dual: float
    """Internal objective gained per unit (weighted beneficiaries)."""
    rows: tuple[tuple[int, float], ...] = ()
    cols: tuple[tuple[int, float, float], ...] = ()
    place: str = ""


def _row_value(constraint: pulp.LpConstraint) -> float:
    return -float(constraint.pi or 0.0)


def _candidates(dm: DualModel, money_step: float, places_step: float) -> list[_Candidate]:
    model = dm.model
    scenario = model.scenario
    out: list[_Candidate] = []
    funders = {f.funder_id: f for f in scenario.funders}
    for j, con in model.constraints.get("funder_amount", {}).items():
        tight = abs(con.slack or 0.0) <= TOLERANCE * max(1.0, model.data.funder_amount[str(j)])
        f = funders[str(j)]
        out.append(
            _Candidate(
                "funder_amount",
                f.funder_id,
                f.name,
                money_step,
                "€",
                tight,
                _row_value(con),
                rows=((con.index, money_step),),
            )
        )
    for n, con in model.constraints.get("earmark", {}).items():
        e = scenario.earmarks[int(n)]  # type: ignore[call-overload]
        tight = abs(con.slack or 0.0) <= TOLERANCE * max(1.0, e.max_amount or 0.0)
        out.append(
            _Candidate(
                "earmark_cap",
                f"{n}",
                f"{e.funder_id}: {e.intervention_id} in {e.area_id}",
                money_step,
                "€",
                tight,
                _row_value(con),
                rows=((con.index, money_step),),
            )
        )
    for role in sorted(scenario.staff, key=lambda r: r.role_id):
        r, step = role.role_id, role.fte_step
        placed = sum(
            (var.varValue or 0.0) * step for (rr, _), var in model.staff_posts.items() if rr == r
        )
        exhausted = placed + step > role.available_fte + TOLERANCE
        best_area, best = "", 0.0
        for (rr, a), var in model.staff_posts.items():
            per_step = -float(var.dj or 0.0)
            if rr == r and per_step > best + TOLERANCE:
                best_area, best = a, per_step
        if not best_area:
            continue
        avail = model.constraints["staff_available"][r]
        out.append(
            _Candidate(
                "staff_available",
                r,
                role.name,
                step,
                "FTE",
                exhausted,
                best / step if exhausted else 0.0,
                rows=((avail.index, step),),
                cols=((model.staff_posts[(r, best_area)].index, 1.0, 1.0),),
                place=best_area,
            )
        )
    best_arc: dict[str, tuple[float, tuple[str, str, str]]] = {}
    for arc, var in model.serve.items():
        per_place = -float(var.dj or 0.0)
        at_capacity = (var.varValue or 0.0) >= model.data.arcs[arc].capacity - TOLERANCE
        if at_capacity and per_place > TOLERANCE and per_place > best_arc.get(arc[0], (0.0,))[0]:
            best_arc[arc[0]] = (per_place, arc)
    names = {p.partner_id: p.name for p in scenario.partners}
    ranked = sorted(best_arc.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_PARTNERS]
    for p, (per_place, arc) in ranked:
        out.append(
            _Candidate(
                "partner_capacity",
                p,
                names[p],
                places_step,
                "places",
                True,
                per_place,
                cols=((model.serve[arc].index, 0.0, places_step),),
                place=f"{arc[1]}/{arc[2]}",
            )
        )
    return out


def _where(dm: DualModel, x: np.ndarray, top: int = 3) -> list[tuple[str, str, float]]:
    delta = x[dm.serve_cols] - dm.base[dm.serve_cols]
    gain: dict[tuple[str, str], float] = defaultdict(float)
    for key, d in zip(dm.serve_keys, delta, strict=True):
        gain[key] += float(d)
    best = sorted(((g, ak) for ak, g in gain.items() if g > TOLERANCE), key=lambda t: -t[0])
    return [(a, k, g) for g, (a, k) in best[:top]]


class _Names:
    """Area and intervention names and units, for sentences."""

    def __init__(self, model: AllocationModel) -> None:
        s = model.scenario
        self.area = {a.area_id: a.name for a in s.areas}
        self.intervention = {i.intervention_id: i.name for i in s.interventions}
        self.unit = {i.intervention_id: i.unit for i in s.interventions}

    def people(self, interventions: list[str], lang: str) -> str:
        units = {self.unit[k] for k in interventions}
        if len(units) == 1:
            return UNIT_WORDS[lang][units.pop()]
        return "beneficiari" if lang == "it" else "beneficiaries"


def _marginal_sentence(
    row: dict[str, Any], where: list[tuple[str, str, float]], names: _Names, lang: str
) -> str:
    it = lang == "it"
    kind = row["resource_kind"]
    decimals = 0 if float(row["change"]).is_integer() else 1
    change = number(row["change"], lang, decimals)
    if kind == "funder_amount":
        what = (
            f"{change} € in più da {row['resource_name']}"
            if it
            else f"{change} € more from {row['resource_name']}"
        )
    elif kind == "earmark_cap":
        what = (
            f"alzare di {change} € il tetto del vincolo {row['resource_name']}"
            if it
            else f"raising the earmark cap {row['resource_name']} by {change} €"
        )
    elif kind == "staff_available":
        what = (
            f"{change} FTE in più di {row['resource_name']}"
            if it
            else f"{change} more FTE of {row['resource_name']}"
        )
    else:
        what = (
            f"{change} posti in più presso {row['resource_name']}"
            if it
            else f"{change} more places at {row['resource_name']}"
        )
    if not row["confirmed"]:
        per = number(row["dual_weighted_per_change"], lang, 1)
        if it:
            return (
                f"{what[0].upper()}{what[1:]}: valore marginale stimato {per} beneficiari pesati."
            )
        return (
            f"{what[0].upper()}{what[1:]}: estimated marginal value {per} weighted beneficiaries."
        )
    gained = float(row["beneficiaries_gain"])
    if gained <= TOLERANCE:
        return (
            f"{what[0].upper()}{what[1:]} non servirebbero nessuno in più."
            if it
            else f"{what[0].upper()}{what[1:]} would serve no one more."
        )
    who = names.people([k for _, k, _ in where], lang)
    places = "; ".join(
        f"{names.intervention[k]} a {names.area[a]} (+{number(g, lang)})"
        if it
        else f"{names.intervention[k]} in {names.area[a]} (+{number(g, lang)})"
        for a, k, g in where
    )
    verb = "servirebbero" if it else "would serve"
    tail = "soprattutto" if it else "mostly"
    more = "in più" if it else "more"
    about = "circa" if it else "about"
    head = f"{what[0].upper()}{what[1:]}"
    shifted = ""
    if sum(g for _, _, g in where) > gained + 0.5:
        shifted = (
            " (spostando parte del servizio da altri interventi o quartieri)"
            if it
            else " (shifting some service from other interventions or areas)"
        )
    return f"{head} {verb} {about} {number(gained, lang)} {who} {more}: {tail} {places}{shifted}."


def marginal_values(
    result: RunResult,
    *,
    confirm: bool = True,
    lang: str = "it",
    money_step: float = MONEY_STEP,
    places_step: float = PLACES_STEP,
    max_confirm: int = MAX_CONFIRM,
    dm: DualModel | None = None,
) -> pd.DataFrame:
    """Marginal value of each funder's budget, earmark cap, staff role and (best) partner arc.

    ``dual_objective_per_unit`` is the dual in contract-objective units per € / FTE / place;
    ``dual_weighted_per_change`` the dual estimate of the change, in weighted beneficiaries. With
    ``confirm``, the binding resources (largest estimates first, at most ``max_confirm``) are
    re-solved with the finite change: objective_gain, weighted_gain, beneficiaries_gain, where.
    """
    dm = dm or dual_model(result)
    names = _Names(dm.model)
    scale = dm.model.objective_scale
    candidates = _candidates(dm, money_step, places_step)
    order = sorted(
        range(len(candidates)),
        key=lambda i: (-candidates[i].dual * candidates[i].change, candidates[i].resource_id),
    )
    binding = [i for i in order if candidates[i].binding or candidates[i].dual > TOLERANCE]
    to_confirm = set(binding[:max_confirm]) if confirm else set()
    base_weighted = dm.weighted(dm.base)
    base_beneficiaries = dm.beneficiaries(dm.base)
    rows = []
    for i in order:
        c = candidates[i]
        row: dict[str, Any] = {
            "resource_kind": c.kind,
            "resource_id": c.resource_id,
            "resource_name": c.name,
            "change": c.change,
            "unit": c.unit,
            "binding": c.binding,
            "dual_objective_per_unit": c.dual / scale,
            "dual_weighted_per_change": c.dual * c.change,
            "confirmed": False,
            "objective_gain": np.nan,
            "weighted_gain": np.nan,
            "beneficiaries_gain": np.nan,
            "where": c.place,
        }
        where: list[tuple[str, str, float]] = []
        if i in to_confirm:
            if c.cols:
                x = dm.resolve_cols(list(c.cols), list(c.rows))
            else:
                x = dm.resolve_row(*c.rows[0])
            if x is not None:
                weighted = dm.weighted(x) - base_weighted
                where = _where(dm, x)
                row.update(
                    confirmed=True,
                    objective_gain=weighted / scale,
                    weighted_gain=weighted,
                    beneficiaries_gain=dm.beneficiaries(x) - base_beneficiaries,
                )
                if row["beneficiaries_gain"] <= TOLERANCE and weighted <= TOLERANCE:
                    where = []
                row["where"] = "; ".join(f"{a}/{k} +{g:.4g}" for a, k, g in where) or c.place
        row["sentence"] = _marginal_sentence(row, where, names, lang)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=MARGINAL_COLUMNS)
    return frame.sort_values(
        ["confirmed", "weighted_gain", "dual_weighted_per_change", "resource_kind", "resource_id"],
        ascending=[False, False, False, True, True],
        na_position="last",
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- binding limits


LIMIT_COLUMNS = [
    "area_id",
    "area_name",
    "intervention_id",
    "intervention_name",
    "unit",
    "need",
    "max_served",
    "served",
    "unmet_need",
    "reachable_unmet",
    "weighted_unmet",
    "limit",
    "limit_label",
    "money_available",
    "detail",
]


def _value(var: pulp.LpVariable | pulp.LpAffineExpression) -> float:
    return float(pulp.value(var) or 0.0)


def binding_limits(result: RunResult, lang: str = "it") -> pd.DataFrame:
    """Per (area, intervention) with need: the limit that stops more service in the plan.

    Checked in this order: need met, maximum coverage, no partner, partner capacity (every arc
    full), staff (workload equal to the FTE placed), no funder allowed, and money: every funder
    allowed to pay is exhausted (``money``) or capped by a tight earmark (``earmark`` when all
    are). ``no_value`` when none holds (serving more would add nothing to the objective).
    """
    model = result.model
    if model is None or not result.has_plan:
        raise ValueError("a run without a plan has no binding limits")
    it = lang == "it"
    data = model.data
    s = model.scenario
    names = _Names(model)
    interventions = {i.intervention_id: i for i in s.interventions}
    roles = {r.role_id: r for r in s.staff}

    spent: dict[str, float] = defaultdict(float)
    for (j, _, _), var in model.pay.items():
        spent[j] += var.varValue or 0.0
    exhausted = {
        j
        for j in data.funders
        if spent[j] >= data.funder_amount[j] - TOLERANCE * max(1.0, data.funder_amount[j])
    }
    tight_earmarks = [
        e
        for n, e in enumerate(s.earmarks)
        if n in model.constraints.get("earmark", {})
        and e.max_amount is not None
        and sum(
            var.varValue or 0.0
            for (j, item, a), var in model.pay.items()
            if j == e.funder_id and e.matches(item, a)
        )
        >= e.max_amount - TOLERANCE * max(1.0, e.max_amount)
    ]
    payers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for j, item, a in model.pay:
        payers[(item, a)].append(j)
    arcs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for (p, a, k), var in model.serve.items():
        arcs[(a, k)].append((var.varValue or 0.0, data.arcs[(p, a, k)].capacity))
    placed_by_role: dict[str, float] = defaultdict(float)
    for (r, _), var in model.staff_posts.items():
        placed_by_role[r] += (var.varValue or 0.0) * data.fte_step[r]

    rows = []
    for (a, k), need in sorted(data.need.items()):
        if need <= 0:
            continue
        served = _value(model.served[(a, k)]) if (a, k) in model.served else 0.0
        max_served = data.max_served[(a, k)]
        unmet = max(need - served, 0.0)
        reachable = max(max_served - served, 0.0)
        blocked_by: dict[str, str] = {}
        for j in payers.get((k, a), []):
            if j in exhausted:
                blocked_by[j] = "money"
            elif any(e.funder_id == j and e.matches(k, a) for e in tight_earmarks):
                blocked_by[j] = "earmark"
        free_payers = [j for j in payers.get((k, a), []) if j not in blocked_by]
        detail = ""
        role_id = interventions[k].staff_role
        tol = TOLERANCE * max(1.0, need)
        if unmet <= tol:
            limit = "need_met"
        elif reachable <= tol:
            limit = "max_coverage"
            share = number(100 * interventions[k].max_coverage, lang)
            detail = (
                f"copertura massima {share}% del bisogno"
                if it
                else f"maximum coverage {share}% of need"
            )
        elif not arcs.get((a, k)):
            limit = "no_partner"
            detail = "nessun partner ammesso offre posti" if it else "no eligible partner offers"
        elif all(x >= cap - TOLERANCE for x, cap in arcs[(a, k)]):
            limit = "partner_capacity"
            places = number(sum(cap for _, cap in arcs[(a, k)]), lang)
            n = len(arcs[(a, k)])
            detail = (
                f"{n} partner, {places} posti tutti occupati"
                if it
                else f"{n} partner{'s' if n > 1 else ''}, all {places} places used"
            )
        elif role_id is not None and (role_id, a) in model.constraints.get("staff_workload", {}):
            workload = model.constraints["staff_workload"][(role_id, a)]
            slack = abs(workload.slack or 0.0)
            role = roles[role_id]
            if slack <= TOLERANCE:
                limit = "staff"
                fte = (model.staff_posts[(role_id, a)].varValue or 0.0) * role.fte_step
                full = placed_by_role[role_id] + role.fte_step > role.available_fte + TOLERANCE
                if it:
                    detail = (
                        f"{number(fte, lang, None)} FTE di {role.name} tutti impegnati"
                        if fte > 0
                        else f"nessun FTE di {role.name} nel quartiere"
                    ) + (
                        "; disponibilità del ruolo esaurita"
                        if full
                        else "; un posto in più non è finanziabile o non conviene"
                    )
                else:
                    detail = (
                        f"{number(fte, lang, None)} FTE of {role.name} fully used"
                        if fte > 0
                        else f"no FTE of {role.name} in the area"
                    ) + (
                        "; the role's availability is exhausted"
                        if full
                        else "; one more post cannot be paid for or is not worth it"
                    )
            else:
                limit = _money_limit(payers.get((k, a), []), free_payers, blocked_by)
        else:
            limit = _money_limit(payers.get((k, a), []), free_payers, blocked_by)
        if limit in MONEY_LIMITS and not detail:
            who = ", ".join(sorted(blocked_by)) or ("nessuno" if it else "none")
            detail = f"finanziatori ammessi: {who}" if it else f"funders allowed: {who}"
        rows.append(
            {
                "area_id": a,
                "area_name": names.area[a],
                "intervention_id": k,
                "intervention_name": names.intervention[k],
                "unit": names.unit[k].value,
                "need": need,
                "max_served": max_served,
                "served": served,
                "unmet_need": unmet,
                "reachable_unmet": reachable,
                "weighted_unmet": data.weight[(a, k)] * reachable,
                "limit": limit,
                "limit_label": LIMIT_LABELS[lang][limit],
                "money_available": bool(free_payers),
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=LIMIT_COLUMNS)


def _money_limit(payers: list[str], free: list[str], blocked_by: dict[str, str]) -> str:
    if not payers:
        return "no_funder"
    if free:
        return "no_value"
    return "earmark" if all(v == "earmark" for v in blocked_by.values()) else "money"


def where_to_strengthen(limits: pd.DataFrame) -> pd.DataFrame:
    """(area, intervention) where capacity (partners, staff), not money, stops more service.

    Ranked by the need that could still be reached (``reachable_unmet``); ``money_available``
    says whether some funder allowed to pay still had money in the plan.
    """
    pick = limits[limits["limit"].isin(CAPACITY_LIMITS) & (limits["reachable_unmet"] > TOLERANCE)]
    return pick.sort_values(
        ["reachable_unmet", "weighted_unmet", "area_id", "intervention_id"],
        ascending=[False, False, True, True],
    ).reset_index(drop=True)


IDLE_COLUMNS = [
    "partner_id",
    "partner_name",
    "area_id",
    "intervention_id",
    "capacity",
    "used",
    "idle_places",
    "usable_places",
    "net_cost_per_place",
    "cost_to_use",
    "limit",
]


def idle_capacity(result: RunResult, limits: pd.DataFrame) -> pd.DataFrame:
    """Partners' places left unused where need is unmet for lack of money (or of a payer).

    ``usable_places`` caps the idle places at the need still reachable in that (area,
    intervention); ``cost_to_use`` is what funders would pay for them.
    """
    model = result.model
    assert model is not None
    money_bound = limits[limits["limit"].isin(MONEY_LIMITS)].set_index(
        ["area_id", "intervention_id"]
    )
    names = {p.partner_id: p.name for p in model.scenario.partners}
    rows = []
    for (p, a, k), var in model.serve.items():
        if (a, k) not in money_bound.index:
            continue
        arc = model.data.arcs[(p, a, k)]
        used = var.varValue or 0.0
        idle = arc.capacity - used
        if idle <= TOLERANCE:
            continue
        usable = min(idle, float(money_bound.loc[(a, k), "reachable_unmet"]))
        rows.append(
            {
                "partner_id": p,
                "partner_name": names[p],
                "area_id": a,
                "intervention_id": k,
                "capacity": arc.capacity,
                "used": used,
                "idle_places": idle,
                "usable_places": usable,
                "net_cost_per_place": arc.net_cost,
                "cost_to_use": usable * arc.net_cost,
                "limit": money_bound.loc[(a, k), "limit"],
            }
        )
    frame = pd.DataFrame(rows, columns=IDLE_COLUMNS)
    return frame.sort_values(
        ["usable_places", "partner_id", "area_id", "intervention_id"],
        ascending=[False, True, True, True],
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- the explanation


@dataclass
class Explanation:
    """Why this plan, as frames and sentences (``lang`` it or en)."""

    lang: str
    marginal_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)
    strengthen: pd.DataFrame = field(default_factory=pd.DataFrame)
    idle_capacity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sentences: list[str] = field(default_factory=list)
    """Everything in words: limits, marginal values, where to strengthen, idle capacity."""
    limit_lines: list[str] = field(default_factory=list)
    marginal_lines: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """For an infeasible run: one sentence per independent conflict."""
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The frames by output file stem (marginal_values.csv, limits.csv, ...)."""
        return {
            "marginal_values": self.marginal_values,
            "limits": self.limits,
            "strengthen": self.strengthen,
            "idle_capacity": self.idle_capacity,
        }

    def short(self, top: int = 3) -> list[str]:
        """A few lines: the top binding limits and the best marginal value."""
        if self.conflicts or not (self.limit_lines or self.marginal_lines):
            return self.sentences
        return self.limit_lines[: top + 1] + self.marginal_lines[:1]


def limit_sentences(limits: pd.DataFrame, lang: str = "it", top: int = 3) -> list[str]:
    """Counts per limit kind, then the largest unmet needs with their limit."""
    it = lang == "it"
    open_ = limits[limits["limit"] != "need_met"]
    if not len(limits):
        return []
    counts = open_.groupby("limit")["unmet_need"].agg(["size", "sum"])
    counts = counts.sort_values("sum", ascending=False)
    unmet_word = "non coperti" if it else "unmet"
    parts = [
        f"{LIMIT_LABELS[lang][kind]}: {int(n)} ({number(total, lang)} {unmet_word})"
        for kind, (n, total) in counts.iterrows()
    ]
    met = int((limits["limit"] == "need_met").sum())
    if it:
        head = (
            "Cosa limita il piano (coppie quartiere-intervento, bisogno non coperto): "
            f"{'; '.join(parts) or 'nulla'}; bisogno coperto in {met}."
        )
    else:
        head = (
            f"What limits the plan (area-intervention pairs, unmet need): "
            f"{'; '.join(parts) or 'nothing'}; need met in {met}."
        )
    out = [head]
    biggest = open_.sort_values(["reachable_unmet", "area_id"], ascending=[False, True]).head(top)
    for r in biggest.itertuples(index=False):
        if r.reachable_unmet <= TOLERANCE:
            continue
        who = UNIT_WORDS[lang][Unit(r.unit)]
        if it:
            out.append(
                f"{r.intervention_name} a {r.area_name}: bisogno non coperto "
                f"{number(r.reachable_unmet, lang)} {who}; limite: {r.limit_label} ({r.detail})."
            )
        else:
            out.append(
                f"{r.intervention_name} in {r.area_name}: {number(r.reachable_unmet, lang)} "
                f"{who} not served; limit: {r.limit_label} ({r.detail})."
            )
    return out


def strengthen_sentences(
    strengthen: pd.DataFrame, idle: pd.DataFrame, lang: str = "it", top: int = 3
) -> list[str]:
    """Where new partners or staff are needed; where places are idle for lack of money."""
    it = lang == "it"
    out = []
    for r in strengthen.head(top).itertuples(index=False):
        who = UNIT_WORDS[lang][Unit(r.unit)]
        need = "Serve nuovo personale" if r.limit == "staff" else "Servono nuovi partner"
        if not it:
            need = "new staff" if r.limit == "staff" else "new partners"
        money = (
            ("i fondi ci sono" if it else "money is there")
            if r.money_available
            else ("servono anche fondi" if it else "money is needed too")
        )
        if it:
            out.append(
                f"{need} per {r.intervention_name} a {r.area_name}: bisogno raggiungibile non "
                f"coperto {number(r.reachable_unmet, lang)} {who} ({money})."
            )
        else:
            out.append(
                f"{need.capitalize()} needed for {r.intervention_name} in {r.area_name}: "
                f"{number(r.reachable_unmet, lang)} {who} reachable but not served ({money})."
            )
    if len(idle):
        places = idle["usable_places"].sum()
        cost = idle["cost_to_use"].sum()
        partners = idle["partner_id"].nunique()
        if it:
            out.append(
                f"Capacità inutilizzata per mancanza di fondi: {number(places, lang)} posti presso "
                f"{partners} partner, che costerebbero {number(cost, lang)} €."
            )
        else:
            out.append(
                f"Capacity idle for lack of money: {number(places, lang)} places at {partners} "
                f"partners, costing {number(cost, lang)} €."
            )
    return out


def explain(
    result: RunResult,
    *,
    lang: str = "it",
    confirm: bool = True,
    money_step: float = MONEY_STEP,
    places_step: float = PLACES_STEP,
    max_confirm: int = MAX_CONFIRM,
) -> Explanation:
    """Explain a run: marginal values (confirmed by re-solving unless ``confirm=False``),
    binding limits, where to strengthen, idle capacity and sentences; for an infeasible run,
    the conflicting requirements.
    """
    start = time.perf_counter()
    if not result.has_plan:
        conflicts = (
            explain_infeasibility(result.scenario, lang, result.conflicts)
            if result.status is SolveStatus.INFEASIBLE
            else []
        )
        return Explanation(
            lang,
            sentences=conflicts or list(result.explanation),
            conflicts=conflicts,
            seconds=time.perf_counter() - start,
        )
    limits = binding_limits(result, lang)
    strengthen = where_to_strengthen(limits)
    idle = idle_capacity(result, limits)
    marginal = marginal_values(
        result,
        confirm=confirm,
        lang=lang,
        money_step=money_step,
        places_step=places_step,
        max_confirm=max_confirm,
    )
    limit_lines = limit_sentences(limits, lang)
    useful = marginal[
        (marginal["confirmed"] & (marginal["beneficiaries_gain"] > TOLERANCE))
        | (~marginal["confirmed"] & (marginal["dual_weighted_per_change"] > TOLERANCE))
    ]
    marginal_lines = list(useful["sentence"].head(5))
    if not marginal_lines and len(marginal):
        marginal_lines = [
            "Nessuna risorsa in più tra quelle provate (fondi, vincoli, personale, posti) "
            "servirebbe altri beneficiari in questo piano."
            if lang == "it"
            else "No extra resource tried (money, earmark caps, staff, places) would serve more "
            "beneficiaries in this plan."
        ]
    sentences = limit_lines + marginal_lines + strengthen_sentences(strengthen, idle, lang)
    return Explanation(
        lang,
        marginal_values=marginal,
        limits=limits,
        strengthen=strengthen,
        idle_capacity=idle,
        sentences=sentences,
        limit_lines=limit_lines,
        marginal_lines=marginal_lines,
        seconds=time.perf_counter() - start,
    )
