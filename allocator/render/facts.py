"""Why a run has no plan, in words: the facts of optimization/ and studies/ as sentences.

:mod:`allocator.optimization` returns facts (a conflict among requirements, a shortfall of staff
or money, a lock that must give, a solver that stopped) carrying ids and numbers; this module
writes them in Italian or English with the names of areas, interventions, partners, funders and
roles, and the project's number formatting (:mod:`allocator.render.formats`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allocator.i18n import N_, _
from allocator.inputs.schema import Scenario
from allocator.lang import lang_or_current
from allocator.optimization.conflicts import Conflict
from allocator.optimization.feasibility import BudgetShortfall, MoneyShortfall, StaffShortfall
from allocator.optimization.lock_conflicts import LockConflict
from allocator.optimization.pipeline import (
    BrokenPlan,
    RunResult,
    SolverFailed,
    TimeRanOut,
    UnexplainedInfeasibility,
)
from allocator.render.conflict_words import conflict_sentence, lock_sentence
from allocator.render.formats import euro, number, share
from allocator.render.names import Names, fte
from allocator.studies.alternatives import ExtremeUnproven, NoOptimum, StaffFixedUnsolved
from allocator.studies.executor import Executor
from allocator.studies.feasible import Cut

# --------------------------------------------------------------------------- before solving


def staff_shortfall_sentence(names: Names, fact: StaffShortfall, lang: str) -> str:
    """A role's minimum in every area needs more FTE than it has."""
    note = ""
    if fact.per_area != fact.minimum:
        note = _(" (the minimum {minimum} rounded up to steps of {step})", lang).format(
            minimum=fte(fact.minimum, lang), step=fte(fact.step, lang)
        )
    return _(
        "staff role {role}: {areas} areas × min {per_area} FTE{note} = {needed} FTE, but only "
        "{available} FTE available",
        lang,
    ).format(
        role=names.role(fact.role_id),
        areas=fact.areas,
        per_area=fte(fact.per_area, lang),
        note=note,
        needed=fte(fact.needed, lang),
        available=fte(fact.available, lang),
    )


def money_shortfall_sentence(names: Names, fact: MoneyShortfall, lang: str) -> str:
    """A role's minimum posts cost more than its payers have."""
    who = ", ".join(names.funder(j) for j in fact.payers) or _("no funder", lang)
    return _(
        "staff role {role}: the minimum posts cost {cost} a year, but the funders allowed to pay "
        "them ({who}) have only {money}",
        lang,
    ).format(
        role=names.role(fact.role_id),
        cost=euro(fact.cost, lang),
        who=who,
        money=euro(fact.money, lang),
    )


def budget_shortfall_sentence(_names: Names, fact: BudgetShortfall, lang: str) -> str:
    """The minimum posts cost more than the whole budget."""
    return _(
        "the minimum staff posts cost {cost} a year, more than the whole budget of {budget}", lang
    ).format(cost=euro(fact.cost, lang), budget=euro(fact.budget, lang))


# --------------------------------------------------------------------------- the solver


def time_sentence(_names: Names, fact: TimeRanOut, lang: str) -> str:
    return _(
        "the time limit of {limit} s ran out before solving (building the model took {build} s)",
        lang,
    ).format(limit=number(fact.time_limit, lang, None), build=number(fact.build_seconds, lang, 1))


def unexplained_sentence(_names: Names, fact: UnexplainedInfeasibility, lang: str) -> str:
    return _(
        "the solver proved that the staff minima cannot all be met and paid for: the funders "
        "allowed to pay each role, their amounts and their earmarks' caps leave too little "
        "money for the minimum posts ({message})",
        lang,
    ).format(message=fact.message)


def solver_sentence(_names: Names, fact: SolverFailed, lang: str) -> str:
    return _("the solver found no plan: {message}", lang).format(message=fact.message)


def broken_plan_lines(_names: Names, fact: BrokenPlan, lang: str) -> list[str]:
    head = _("the solver's plan breaks a limit; it is not used:", lang)
    return [head, *fact.violations]


# --------------------------------------------------------------------------- near-optimal ranges


def no_optimum_lines(names: Names, fact: NoOptimum, lang: str) -> list[str]:
    head = _("the scenario has no optimal plan to start from:", lang)
    return [head, *fact_sentences(names.scenario, fact.facts, lang)]


def staff_fixed_sentence(_names: Names, fact: StaffFixedUnsolved, lang: str) -> str:
    return _("the model with the optimal plan's staff fixed did not solve: {message}", lang).format(
        message=fact.message
    )


EXTREME_WORDS = {
    ("funded", False): N_("the solver did not prove the least money for {name}"),
    ("funded", True): N_("the solver did not prove the most money for {name}"),
    ("served", False): N_("the solver did not prove the fewest beneficiaries served for {name}"),
    ("served", True): N_("the solver did not prove the most beneficiaries served for {name}"),
}


def extreme_sentence(names: Names, fact: ExtremeUnproven, lang: str) -> str:
    name = names.area(fact.key) if fact.by == "area" else names.partner(fact.key)
    return _(EXTREME_WORDS[(fact.measure, fact.maximise)], lang).format(name=name)


# --------------------------------------------------------------------------- rules of thumb

CUT_WORDS = {
    "coverage": N_(
        "{intervention} in {area}: {wanted} served cut to {allowed}, the maximum coverage"
    ),
    "staff": N_(
        "{role}: the rule needs {wanted} FTE, {allowed} available; service cut where posts are "
        "missing"
    ),
    "staff_minimum": N_("staff posts cut to the minimum: funders cannot pay more"),
    "money": N_(
        "{intervention} in {area}: cut to the {share} funders may pay (amounts and earmarks)"
    ),
    "partner_excluded": N_(
        "{partner} ({intervention} in {area}): {wanted} of today's beneficiaries dropped, the "
        "partner is not eligible ({reason})"
    ),
    "no_capacity": N_(
        "{partner} ({intervention} in {area}): {wanted} of today's beneficiaries dropped, no "
        "capacity row"
    ),
    "capacity": N_(
        "{partner} ({intervention} in {area}): {wanted} of today's beneficiaries cut to its "
        "capacity of {allowed}"
    ),
}


def cut_sentence(names: Names, cut: Cut, lang: str) -> str:
    """What a rule of thumb lost to respect one limit."""
    reason = names.scenario.eligibility().get(cut.partner_id) if cut.partner_id else None
    return _(CUT_WORDS[cut.kind], lang).format(
        intervention=names.intervention(cut.intervention_id),
        area=names.area(cut.area_id),
        partner=names.partner(cut.partner_id),
        role=names.role(cut.role_id),
        wanted=number(cut.wanted, lang, None),
        allowed=number(cut.allowed, lang, None),
        share=share(cut.allowed, lang),
        reason=reason or "",
    )


Wording = Callable[[Names, Any, str], "str | list[str]"]

WORDINGS: dict[type, Wording] = {
    StaffShortfall: staff_shortfall_sentence,
    MoneyShortfall: money_shortfall_sentence,
    BudgetShortfall: budget_shortfall_sentence,
    LockConflict: lock_sentence,
    TimeRanOut: time_sentence,
    UnexplainedInfeasibility: unexplained_sentence,
    SolverFailed: solver_sentence,
    BrokenPlan: broken_plan_lines,
    NoOptimum: no_optimum_lines,
    StaffFixedUnsolved: staff_fixed_sentence,
    ExtremeUnproven: extreme_sentence,
    Cut: cut_sentence,
}
"""Fact type → its wording (conflicts are numbered, so :func:`fact_sentences` words them)."""


def fact_sentences(
    scenario: Scenario, facts: Sequence[object], lang: str | None = None
) -> list[str]:
    """The facts in ``lang`` (default: the language in force), one sentence each (a broken plan:
    a heading and its violations); conflicts numbered in order."""
    lang = lang_or_current(lang)
    names = Names(scenario)
    out: list[str] = []
    conflicts = 0
    for fact in facts:
        if isinstance(fact, Conflict):
            conflicts += 1
            out.append(conflict_sentence(names, fact, conflicts, lang))
            continue
        text = WORDINGS[type(fact)](names, fact, lang)
        out.extend([text] if isinstance(text, str) else text)
    return out


def no_plan_sentences(result: RunResult, lang: str | None = None) -> list[str]:
    """Why ``result`` has no plan, in words (empty for a run with a plan)."""
    return fact_sentences(result.scenario, result.facts, lang)


def no_plan_text(result: RunResult, lang: str | None = None) -> str:
    """:func:`no_plan_sentences` on one line (a batch job's message)."""
    return " ".join(no_plan_sentences(result, lang))


def executor_words(executor: Executor, lang: str | None = None) -> str:
    """Where a study's solves run: 'in questo processo', '2 processi locali', 'Dask (...)'."""
    lang = lang_or_current(lang)
    if executor.name == "dask":
        where = executor.scheduler or _("a LocalCluster on this machine", lang)
        return _("Dask ({n} workers, {where})", lang).format(n=executor.workers, where=where)
    if executor.name == "local" and executor.workers > 1:
        return _("{n} local worker processes", lang).format(n=executor.workers)
    return _("in this process", lang)
