"""What each panel of the meeting page shows, as plain data: KPI cards with their change since the
previous state, coverage by area, funders' use, where to strengthen, the comparison with today's
allocation and the rules of thumb. Labels come from the KPI registry, numbers from
:mod:`allocator.render.formats`; the page only lays these out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from allocator.inputs.schema import Scenario
from allocator.postprocess.kpis import BY_KEY, KpiFormat, kpi_format, kpi_label
from allocator.postprocess.results import Plan
from allocator.render.formats import euro, kpi_value, number, share
from allocator.studies.compare import Comparison, compare_plans
from allocator.studies.rules import RulePlan

CARD_KPIS = (
    "beneficiaries_served",
    "coverage",
    "worst_areas_coverage",
    "min_area_coverage",
    "funded",
    "partners_engaged",
)
"""The KPIs on the page's cards, in order (those a plan does not report are left out; the least
covered area only when the plan has no worst-areas coverage: five cards fit a projector's row)."""
COMPARED_KPIS = (
    "beneficiaries_served",
    "coverage",
    "worst_areas_coverage",
    "min_area_coverage",
    "funded",
)
"""The KPIs of the comparison with today and the rules of thumb; ``funded`` is the money each
plan spends (every comparison states it)."""
KIND_IT = {"public": "pubblico", "private": "privato"}


@dataclass(frozen=True)
class KpiCard:
    """One KPI card: label, value, change since the previous state and whether it is good news."""

    key: str
    label: str
    value: str
    change: str
    """``+1.066`` / ``-2,3 pp`` / ``+50.000 €``; empty when unchanged or nothing came before."""
    tone: str
    """``good``, ``bad`` or ``neutral`` (how the change reads; neutral when unchanged)."""
    estimate: bool


def change_text(key: str, delta: float, kind: KpiFormat | None = None) -> str:
    """A change of KPI ``key`` (written as ``kind``, by default the registry's format) as planners
    read it: shares in percentage points, euros with €; ``0`` when it rounds to nothing as
    written (``-0,0 pp`` is no change, not bad news)."""
    kind = kind or kpi_format(key)
    size = abs(delta)
    if kind == "share":
        text = f"{number(100 * size, decimals=1)} pp"
    elif kind == "euro":
        text = euro(size)
    elif kind == "decimal":
        text = number(size, decimals=4)
    elif kind in ("fte", "seconds"):
        text = number(size, decimals=1)
    else:
        text = number(size)
    if not any(c in "123456789" for c in text):
        return "0"
    return f"{'+' if delta > 0 else '-'}{text}"


def kpi_cards(kpis: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> list[KpiCard]:
    """The cards of a plan's KPIs, each with its change against ``previous`` (the last state)."""
    cards = []
    for key in CARD_KPIS:
        if key not in kpis or (key == "min_area_coverage" and "worst_areas_coverage" in kpis):
            continue
        value = kpis[key]
        change, tone = "", "neutral"
        before = None if previous is None else previous.get(key)
        if isinstance(before, int | float) and isinstance(value, int | float):
            delta = float(value) - float(before)
            scale = max(abs(float(before)), 1.0)
            if abs(delta) > 1e-9 * scale and change_text(key, delta) != "0":
                change = change_text(key, delta)
                better = BY_KEY[key].higher_is_better if key in BY_KEY else None
                if better is not None:
                    tone = "good" if (delta > 0) == better else "bad"
        kpi = BY_KEY.get(key)
        cards.append(
            KpiCard(
                key=key,
                label=kpi_label(key),
                value=kpi_value(key, value),
                change=change,
                tone=tone,
                estimate=bool(kpi and kpi.estimate),
            )
        )
    return cards


def coverage_rows(plan: Plan, excluded: Sequence[str] = ()) -> pd.DataFrame:
    """Per area, the least covered first: name, municipio, need, served, coverage (number and
    text), and whether the room excluded it."""
    areas = plan.areas
    frame = pd.DataFrame(
        {
            "area_id": areas["area_id"],
            "name": areas["name"],
            "municipio": areas["municipio"].astype(str),
            "need": areas["need"],
            "served": areas["served"],
            "coverage": areas["coverage"],
            "excluded": areas["area_id"].isin(set(excluded)),
        }
    )
    frame = frame[frame["need"] > 0].sort_values(["coverage", "area_id"]).reset_index(drop=True)
    frame["need_text"] = frame["need"].map(number)
    frame["served_text"] = frame["served"].map(number)
    frame["coverage_text"] = frame["coverage"].map(share)
    return frame


def funder_rows(plan: Plan) -> pd.DataFrame:
    """Per funder: name, kind, amount, spent and the share used (numbers and text)."""
    funders = plan.funders
    frame = pd.DataFrame(
        {
            "funder_id": funders["funder_id"],
            "name": funders["name"],
            "kind": funders["kind"].map(KIND_IT).fillna(funders["kind"]),
            "amount": funders["amount"],
            "spent": funders["spent"],
            "share_used": funders["share_used"],
        }
    )
    frame["amount_text"] = frame["amount"].map(euro)
    frame["spent_text"] = frame["spent"].map(euro)
    frame["share_text"] = frame["share_used"].map(share)
    return frame


def strengthen_rows(strengthen: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Where partners or staff, not money, hold service back: the ``top`` pairs with the most
    need they could still serve (a ``where_to_strengthen`` table)."""
    if strengthen.empty:
        return pd.DataFrame(columns=["area", "intervention", "unmet_text", "why"])
    ranked = strengthen.sort_values(["reachable_unmet", "area_id"], ascending=[False, True])
    ranked = ranked.head(top)
    return pd.DataFrame(
        {
            "area": ranked["area_name"],
            "intervention": ranked["intervention_name"],
            "unmet_text": ranked["reachable_unmet"].map(number),
            "why": ranked["limit_label"].astype(str)
            + ranked["detail"].map(lambda d: f": {d}" if isinstance(d, str) and d else ""),
        }
    ).reset_index(drop=True)


def comparison_rows(plan: Plan, rules: Sequence[RulePlan], today: RulePlan | None) -> pd.DataFrame:
    """This plan against the rules of thumb (same money) and today's allocation: one row per
    plan, the KPIs of :data:`COMPARED_KPIS` as text, and the beneficiaries this plan serves more."""
    entries: list[tuple[str, Plan, str]] = [("questo piano", plan, "")]
    entries += [(f"regola: {r.label}", r.plan, _cuts(r)) for r in rules]
    if today is not None:
        entries.append(("oggi (situazione attuale)", today.plan, _cuts(today)))
    keys = [k for k in COMPARED_KPIS if k in plan.kpis]
    rows = []
    for name, other, note in entries:
        row: dict[str, Any] = {"piano": name}
        for key in keys:
            row[kpi_label(key)] = kpi_value(key, other.kpis.get(key))
        gain = plan.kpis["beneficiaries_served"] - other.kpis["beneficiaries_served"]
        row["questo piano serve in più"] = (
            "" if other is plan else change_text("beneficiaries_served", gain)
        )
        row["note"] = note
        rows.append(row)
    return pd.DataFrame(rows)


def _cuts(rule: RulePlan) -> str:
    if not rule.clipped:
        return ""
    return f"{len(rule.clipped)} tagli per rispettare capacità e vincoli"


def movers_against_today(
    plan: Plan, today: RulePlan | None, partner_names: Mapping[str, str], top: int = 5
) -> pd.DataFrame:
    """The areas and partners gaining and losing most beneficiaries against today's allocation
    (the winners and losers of ``compare``), in words."""
    if today is None:
        return movers(None)
    return movers(compare_plans({"oggi": today.plan, "questo piano": plan}, partner_names, top))


def movers(comparison: Comparison | None) -> pd.DataFrame:
    """A comparison's winners and losers in words: who (area or partner, gaining or losing), the
    name, the change in beneficiaries and in euros."""
    columns = ["chi", "nome", "beneficiari", "euro"]
    if comparison is None:
        return pd.DataFrame(columns=columns)
    kind_it = {"area": "quartiere", "partner": "ente"}
    side_it = {"gains": "guadagna", "loses": "perde"}
    rows = [
        {
            "chi": f"{kind_it[str(r['kind'])]} che {side_it[str(r['side'])]}",
            "nome": r["name"] or r["id"],
            "beneficiari": change_text("beneficiaries_served", float(r["delta_beneficiaries"])),
            "euro": change_text("funded", float(r["delta_euros"])),
        }
        for r in comparison.winners_losers.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=columns)


def scenario_facts(scenario: Scenario) -> list[str]:
    """One line each: what the scenario holds (for the page's header)."""
    eligible = sum(1 for why in scenario.eligibility().values() if why is None)
    return [
        f"{len(scenario.areas)} quartieri",
        f"{len(scenario.interventions)} interventi",
        f"{eligible} enti ammessi su {len(scenario.partners)}",
        f"{len(scenario.funders)} finanziatori",
    ]
