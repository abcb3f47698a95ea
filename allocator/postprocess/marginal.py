"""Marginal values: what one more step of money, earmark cap, staff or partner places is worth.

Each resource's dual (from :mod:`allocator.postprocess.duals`) is an estimate; the binding ones
are confirmed by re-solving with the finite change. The staff plan stays fixed: extra money buys
services, not posts, and one more post is placed in the area where its dual is best; both are
lower bounds of a full re-optimisation. The words for each value are written by
:mod:`allocator.render.explanations`; here the ``sentence`` column is left empty.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pulp

from allocator.optimization.pipeline import RunResult
from allocator.postprocess.duals import TOLERANCE, DualModel, dual_model

MONEY_STEP = 10_000.0
PLACES_STEP = 10.0
MAX_CONFIRM = 30
MAX_PARTNERS = 10
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
PLACES_COLUMN = "places"
"""Extra column (not written): (area, intervention, gain) where a confirmed change serves more."""


@dataclass(frozen=True)
class Candidate:
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


def candidates(dm: DualModel, money_step: float, places_step: float) -> list[Candidate]:
    model = dm.model
    scenario = model.scenario
    out: list[Candidate] = []
    funders = {f.funder_id: f for f in scenario.funders}
    for j, con in model.constraints.get("funder_amount", {}).items():
        tight = abs(con.slack or 0.0) <= TOLERANCE * max(1.0, model.data.funder_amount[str(j)])
        f = funders[str(j)]
        out.append(
            Candidate(
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
            Candidate(
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
            Candidate(
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
            Candidate(
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


def where_served(dm: DualModel, x: np.ndarray, top: int = 3) -> list[tuple[str, str, float]]:
    delta = x[dm.serve_cols] - dm.base[dm.serve_cols]
    gain: dict[tuple[str, str], float] = defaultdict(float)
    for key, d in zip(dm.serve_keys, delta, strict=True):
        gain[key] += float(d)
    best = sorted(((g, ak) for ak, g in gain.items() if g > TOLERANCE), key=lambda t: -t[0])
    return [(a, k, g) for g, (a, k) in best[:top]]


def marginal_values(
    result: RunResult,
    *,
    confirm: bool = True,
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
    scale = dm.model.objective_scale
    found = candidates(dm, money_step, places_step)
    order = sorted(
        range(len(found)),
        key=lambda i: (-found[i].dual * found[i].change, found[i].resource_id),
    )
    binding = [i for i in order if found[i].binding or found[i].dual > TOLERANCE]
    to_confirm = set(binding[:max_confirm]) if confirm else set()
    base_weighted = dm.weighted(dm.base)
    base_beneficiaries = dm.beneficiaries(dm.base)
    rows = []
    for i in order:
        c = found[i]
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
                where = where_served(dm, x)
                row.update(
                    confirmed=True,
                    objective_gain=weighted / scale,
                    weighted_gain=weighted,
                    beneficiaries_gain=dm.beneficiaries(x) - base_beneficiaries,
                )
                if row["beneficiaries_gain"] <= TOLERANCE and weighted <= TOLERANCE:
                    where = []
                row["where"] = "; ".join(f"{a}/{k} +{g:.4g}" for a, k, g in where) or c.place
        row["sentence"] = ""
        row[PLACES_COLUMN] = where
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*MARGINAL_COLUMNS, PLACES_COLUMN])
    return frame.sort_values(
        ["confirmed", "weighted_gain", "dual_weighted_per_change", "resource_kind", "resource_id"],
        ascending=[False, False, False, True, True],
        na_position="last",
    ).reset_index(drop=True)
