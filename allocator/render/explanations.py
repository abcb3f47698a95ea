"""Why this plan, in words: marginal values, binding limits, where to strengthen, conflicts.

The figures come from :mod:`allocator.postprocess` (duals, marginal, limits, strengthen); this
module writes them as sentences in Italian or English and gathers them in an :class:`Explanation`.
Nothing is printed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from allocator.i18n import N_, _
from allocator.inputs.schema import Unit
from allocator.optimization.model import AllocationModel
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.duals import TOLERANCE
from allocator.postprocess.limits import (
    FACTS_COLUMN,
    LIMIT_COLUMNS,
    LIMIT_LABELS,
    MONEY_LIMITS,
    binding_limits,
)
from allocator.postprocess.marginal import (
    MARGINAL_COLUMNS,
    MAX_CONFIRM,
    MONEY_STEP,
    PLACES_COLUMN,
    PLACES_STEP,
    marginal_values,
)
from allocator.postprocess.resolve import FULL_RESOLVE
from allocator.postprocess.results import frames_by_name
from allocator.postprocess.strengthen import capped_areas, idle_capacity, where_to_strengthen
from allocator.render.facts import no_plan_sentences
from allocator.render.formats import number, share

UNIT_WORDS = {
    Unit.MINORS: N_("minors"),
    Unit.HOUSEHOLDS: N_("households"),
    Unit.PEOPLE: N_("people"),
}
"""Who the beneficiaries of an intervention are, in words (translated where they are said)."""


def unit_word(unit: Unit, lang: str) -> str:
    return _(UNIT_WORDS[unit], lang)


class Names:
    """Area and intervention names and units, for sentences."""

    def __init__(self, model: AllocationModel) -> None:
        s = model.scenario
        self.area = {a.area_id: a.name for a in s.areas}
        self.intervention = {i.intervention_id: i.name for i in s.interventions}
        self.unit = {i.intervention_id: i.unit for i in s.interventions}

    def people(self, interventions: list[str], lang: str) -> str:
        units = {self.unit[k] for k in interventions}
        if len(units) == 1:
            return unit_word(units.pop(), lang)
        return _("beneficiaries", lang)


RESOURCE_WORDS = {
    "funder_amount": N_("{change} € more from {name}"),
    "earmark_cap": N_("raising the earmark cap {name} by {change} €"),
    "staff_available": N_("{change} more FTE of {name}"),
}
"""What one more unit of a resource is, by resource kind (places at a partner otherwise)."""
PLACES_WORDS = N_("{change} more places at {name}")


def marginal_sentence(
    row: dict[str, Any], where: list[tuple[str, str, float]], names: Names, lang: str
) -> str:
    decimals = 0 if float(row["change"]).is_integer() else 1
    change = number(row["change"], lang, decimals)
    what = _(RESOURCE_WORDS.get(row["resource_kind"], PLACES_WORDS), lang)
    what = what.format(change=change, name=row["resource_name"])
    head = f"{what[0].upper()}{what[1:]}"
    if not row["confirmed"]:
        per = number(row["dual_weighted_per_change"], lang, 1)
        return _("{head}: estimated marginal value {per} weighted beneficiaries.", lang).format(
            head=head, per=per
        )
    gained = float(row["beneficiaries_gain"])
    if gained <= TOLERANCE:
        return _("{head} would serve no one more.", lang).format(head=head)
    who = names.people([k for _a, k, _g in where], lang)
    places = "; ".join(
        _("{intervention} in {area} (+{gain})", lang).format(
            intervention=names.intervention[k], area=names.area[a], gain=number(g, lang)
        )
        for a, k, g in where
    )
    shifted = ""
    if sum(g for _a, _k, g in where) > gained + 0.5:
        shifted = _(" (shifting some service from other interventions or areas)", lang)
    return _(
        "{head} would serve about {gained} {who} more: mostly {places}{shifted}.", lang
    ).format(head=head, gained=number(gained, lang), who=who, places=places, shifted=shifted)


def describe_marginal(
    frame: pd.DataFrame, model: AllocationModel, lang: str = "it"
) -> pd.DataFrame:
    """The marginal values with their ``sentence`` in ``lang`` (the columns written)."""
    names = Names(model)
    out = frame.copy()
    out["sentence"] = [
        marginal_sentence(row, row[PLACES_COLUMN] or [], names, lang)
        for row in frame.to_dict("records")
    ]
    return out[MARGINAL_COLUMNS]


def limit_detail(
    limit: str, facts: dict[str, Any], lang: str = "it", funders: Mapping[str, str] | None = None
) -> str:
    """The detail of a binding limit in words, from the facts :func:`binding_limits` found;
    ``funders`` names the funders by id."""
    if limit == "max_coverage":
        share = number(100 * facts["max_coverage"], lang)
        return _("maximum coverage {share}% of need", lang).format(share=share)
    if limit == "no_partner":
        return _("no eligible partner offers", lang)
    if limit == "partner_capacity":
        places, n = number(facts["places"], lang), facts["partners"]
        text = (
            _("{n} partners, all {places} places used", lang)
            if n > 1
            else _("{n} partner, all {places} places used", lang)
        )
        return text.format(n=n, places=places)
    if limit == "staff":
        return _staff_detail(facts, lang)
    if limit in MONEY_LIMITS:
        who = ", ".join((funders or {}).get(f, f) for f in facts.get("blocked", []))
        if not who:
            return _("funders allowed: none", lang)
        return _("funders allowed: {who}", lang).format(who=who)
    return ""


def _staff_detail(facts: dict[str, Any], lang: str) -> str:
    fte, role = facts["fte"], facts["role"]
    head = (
        _("{fte} FTE of {role} fully used", lang).format(fte=number(fte, lang, None), role=role)
        if fte > 0
        else _("no FTE of {role} in the area", lang).format(role=role)
    )
    return head + (
        _("; the role's availability is exhausted", lang)
        if facts["full"]
        else _("; one more post cannot be paid for or is not worth it", lang)
    )


def describe_limits(
    frame: pd.DataFrame, lang: str = "it", funders: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The binding limits with ``limit_label`` and ``detail`` in ``lang`` (the columns written);
    ``funders`` names the funders by id."""
    out = frame.copy()
    out["limit_label"] = [LIMIT_LABELS[lang][k] for k in frame["limit"]]
    out["detail"] = [
        limit_detail(k, f, lang, funders)
        for k, f in zip(frame["limit"], frame[FACTS_COLUMN], strict=True)
    ]
    return out[LIMIT_COLUMNS]


def limits_in_words(result: RunResult, lang: str = "it") -> pd.DataFrame:
    """:func:`binding_limits` of ``result`` with their words in ``lang``."""
    funders = {f.funder_id: f.name for f in result.scenario.funders}
    return describe_limits(binding_limits(result, lang), lang, funders)


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
    action_lines: list[str] = field(default_factory=list)
    """The worst-covered areas that money cannot lift, and where to strengthen first."""
    marginal_lines: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    """For an infeasible run: one sentence per independent conflict."""
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The frames by output file stem (marginal_values.csv, limits.csv, ...)."""
        return frames_by_name(self, ("marginal_values", "limits", "strengthen", "idle_capacity"))

    def kept_tables(self, confirmed: bool) -> dict[str, pd.DataFrame]:
        """The tables a run keeps (the report reads them): limits, where to strengthen and idle
        capacity always; the marginal values only when each was ``confirmed`` by a re-solve."""
        return {k: v for k, v in self.tables().items() if confirmed or k != "marginal_values"}

    def short(self, top: int = 3) -> list[str]:
        """A few lines: the top binding limits, the worst-off areas that money cannot lift and
        where to strengthen first, and the best confirmed marginal value."""
        if self.conflicts or not (self.limit_lines or self.marginal_lines or self.action_lines):
            return self.sentences
        return self.limit_lines[: top + 1] + self.action_lines[:2] + self.marginal_lines[:1]


def limit_sentences(limits: pd.DataFrame, lang: str = "it", top: int = 3) -> list[str]:
    """Counts per limit kind, then the largest unmet needs with their limit."""
    open_ = limits[limits["limit"] != "need_met"]
    if not len(limits):
        return []
    counts = open_.groupby("limit")["unmet_need"].agg(["size", "sum"])
    counts = counts.sort_values("sum", ascending=False)
    parts = [
        _("{limit}: {n} ({total} unmet)", lang).format(
            limit=LIMIT_LABELS[lang][kind], n=int(n), total=number(total, lang)
        )
        for kind, (n, total) in counts.iterrows()
    ]
    met = int((limits["limit"] == "need_met").sum())
    head = _(
        "What limits the plan (area-intervention pairs, unmet need): {parts}; need met in {met}.",
        lang,
    ).format(parts="; ".join(parts) or _("nothing", lang), met=met)
    out = [head]
    biggest = open_.sort_values(["reachable_unmet", "area_id"], ascending=[False, True]).head(top)
    for r in biggest.itertuples(index=False):
        if r.reachable_unmet <= TOLERANCE:
            continue
        text = _(
            "{intervention} in {area}: {unmet} {who} not served; limit: {limit} ({detail}).", lang
        )
        out.append(
            text.format(
                intervention=r.intervention_name,
                area=r.area_name,
                unmet=number(r.reachable_unmet, lang),
                who=unit_word(Unit(r.unit), lang),
                limit=r.limit_label,
                detail=r.detail,
            )
        )
    return out


def strengthen_sentences(
    strengthen: pd.DataFrame, idle: pd.DataFrame, lang: str = "it", top: int = 3
) -> list[str]:
    """Where new partners or staff are needed, worst-covered areas first (one sentence per area,
    with its coverage and what is missing); where places are idle for lack of money."""
    out = []
    for _area, rows in list(strengthen.groupby("area_id", sort=False))[:top]:
        first = rows.iloc[0]
        need_staff = set(rows["limit"]) == {"staff"}
        need = (
            _("New staff is needed", lang)
            if need_staff
            else _("New partners or staff are needed", lang)
        )
        what = "; ".join(
            f"{r.intervention_name}: {r.limit_label}, {number(r.reachable_unmet, lang)} "
            f"{unit_word(Unit(r.unit), lang)}"
            for r in rows.itertuples(index=False)
        )
        cover = share(float(first["area_coverage"]), lang) if "area_coverage" in rows else ""
        text = _("{need} in {area} (coverage {cover}); reachable need not served for {what}.", lang)
        out.append(text.format(need=need, area=first["area_name"], cover=cover, what=what))
    if len(idle):
        text = _(
            "Capacity idle for lack of money: {places} places at {partners} partners, costing "
            "{cost} €.",
            lang,
        )
        out.append(
            text.format(
                places=number(idle["usable_places"].sum(), lang),
                partners=idle["partner_id"].nunique(),
                cost=number(idle["cost_to_use"].sum(), lang),
            )
        )
    return out


def capped_sentence(capped: pd.DataFrame, lang: str = "it") -> str:
    """The worst-covered areas held back by partners or staff, named: money cannot lift them."""
    if not len(capped):
        return ""
    names = ", ".join(f"{r.name} ({share(r.coverage, lang)})" for r in capped.itertuples())
    return _(
        "Among the worst-covered areas, {names}: coverage is held back by missing partners or "
        "staff, not by money; more money cannot lift it, new partners can.",
        lang,
    ).format(names=names)


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
        sentences = no_plan_sentences(result, lang)
        conflicts = sentences if result.status is SolveStatus.INFEASIBLE else []
        return Explanation(
            lang,
            sentences=sentences,
            conflicts=conflicts,
            seconds=time.perf_counter() - start,
        )
    limits = limits_in_words(result, lang)
    strengthen = where_to_strengthen(limits)
    idle = idle_capacity(result, limits)
    marginal = describe_marginal(
        marginal_values(
            result,
            confirm=confirm,
            money_step=money_step,
            places_step=places_step,
            max_confirm=max_confirm,
        ),
        result.model,  # type: ignore[arg-type]
        lang,
    )
    limit_lines = limit_sentences(limits, lang)
    # only values confirmed by a re-solve reach a planner; dual estimates stay in the CSV
    useful = marginal[marginal["confirmed"] & (marginal["beneficiaries_gain"] > TOLERANCE)]
    if (marginal["confirmed_by"] == FULL_RESOLVE).any():  # staff posts are integer decisions
        useful = useful[useful["confirmed_by"] == FULL_RESOLVE]
    marginal_lines = list(useful["sentence"].head(3))
    if not marginal_lines and marginal["confirmed"].any():
        marginal_lines = [
            _(
                "No extra resource tried (money, earmark caps, staff, places) would serve more "
                "beneficiaries in this plan.",
                lang,
            )
        ]
    grow = strengthen_sentences(strengthen, idle, lang)
    policy = result.scenario.settings.policy
    capped = capped_areas(result.plan.areas, limits, policy.equity_share)  # type: ignore[union-attr]
    action_lines = [line for line in [capped_sentence(capped, lang)] if line] + grow[:1]
    sentences = limit_lines + action_lines[:1] + marginal_lines + grow
    return Explanation(
        lang,
        marginal_values=marginal,
        limits=limits,
        strengthen=strengthen,
        idle_capacity=idle,
        sentences=sentences,
        limit_lines=limit_lines,
        action_lines=action_lines,
        marginal_lines=marginal_lines,
        seconds=time.perf_counter() - start,
    )
