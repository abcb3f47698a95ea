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
    "it": {Unit.MINORS: "bambini e ragazzi", Unit.HOUSEHOLDS: "famiglie", Unit.PEOPLE: "persone"},
    "en": {Unit.MINORS: "minors", Unit.HOUSEHOLDS: "households", Unit.PEOPLE: "people"},
}


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
            return UNIT_WORDS[lang][units.pop()]
        return "beneficiari" if lang == "it" else "beneficiaries"


def marginal_sentence(
    row: dict[str, Any], where: list[tuple[str, str, float]], names: Names, lang: str
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
    it = lang == "it"
    if limit == "max_coverage":
        share = number(100 * facts["max_coverage"], lang)
        return (
            f"copertura massima {share}% del bisogno"
            if it
            else f"maximum coverage {share}% of need"
        )
    if limit == "no_partner":
        return "nessun partner ammesso offre posti" if it else "no eligible partner offers"
    if limit == "partner_capacity":
        places, n = number(facts["places"], lang), facts["partners"]
        if it:
            return f"{n} partner, {places} posti tutti occupati"
        return f"{n} partner{'s' if n > 1 else ''}, all {places} places used"
    if limit == "staff":
        fte, role = facts["fte"], facts["role"]
        if it:
            head = (
                f"{number(fte, lang, None)} FTE di {role} tutti impegnati"
                if fte > 0
                else f"nessun FTE di {role} nel quartiere"
            )
            return head + (
                "; disponibilità del ruolo esaurita"
                if facts["full"]
                else "; un posto in più non è finanziabile o non conviene"
            )
        head = (
            f"{number(fte, lang, None)} FTE of {role} fully used"
            if fte > 0
            else f"no FTE of {role} in the area"
        )
        return head + (
            "; the role's availability is exhausted"
            if facts["full"]
            else "; one more post cannot be paid for or is not worth it"
        )
    if limit in MONEY_LIMITS:
        named = [(funders or {}).get(f, f) for f in facts.get("blocked", [])]
        who = ", ".join(named) or ("nessuno" if it else "none")
        return f"finanziatori ammessi: {who}" if it else f"funders allowed: {who}"
    return ""


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
    """Where new partners or staff are needed, worst-covered areas first (one sentence per area,
    with its coverage and what is missing); where places are idle for lack of money."""
    it = lang == "it"
    out = []
    for _, rows in list(strengthen.groupby("area_id", sort=False))[:top]:
        first = rows.iloc[0]
        need_staff = set(rows["limit"]) == {"staff"}
        if it:
            need = "Serve nuovo personale" if need_staff else "Servono nuovi partner o personale"
        else:
            need = "New staff is needed" if need_staff else "New partners or staff are needed"
        what = "; ".join(
            f"{r.intervention_name}: {r.limit_label}, {number(r.reachable_unmet, lang)} "
            f"{UNIT_WORDS[lang][Unit(r.unit)]}"
            for r in rows.itertuples(index=False)
        )
        cover = share(float(first["area_coverage"]), lang) if "area_coverage" in rows else ""
        if it:
            out.append(
                f"{need} a {first['area_name']} (copertura {cover}); bisogno raggiungibile non "
                f"coperto per {what}."
            )
        else:
            out.append(
                f"{need} in {first['area_name']} (coverage {cover}); reachable need not served "
                f"for {what}."
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


def capped_sentence(capped: pd.DataFrame, lang: str = "it") -> str:
    """The worst-covered areas held back by partners or staff, named: money cannot lift them."""
    if not len(capped):
        return ""
    names = ", ".join(f"{r.name} ({share(r.coverage, lang)})" for r in capped.itertuples())
    if lang == "it":
        return (
            f"Tra i quartieri più scoperti, {names}: la copertura è limitata da partner o "
            "personale mancanti, non dai fondi; più risorse non la alzano, nuovi partner sì."
        )
    return (
        f"Among the worst-covered areas, {names}: coverage is held back by missing partners or "
        "staff, not by money; more money cannot lift it, new partners can."
    )


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
            "Nessuna risorsa in più tra quelle provate (fondi, vincoli, personale, posti) "
            "servirebbe altri beneficiari in questo piano."
            if lang == "it"
            else "No extra resource tried (money, earmark caps, staff, places) would serve more "
            "beneficiaries in this plan."
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
