"""Why a run has no plan, in words: the facts of optimization/ and studies/ as sentences.

:mod:`allocator.optimization` returns facts (a conflict among requirements, a shortfall of staff
or money, a lock that must give, a solver that stopped) carrying ids and numbers; this module
writes them in Italian or English with the names of areas, interventions, partners, funders and
roles, and the project's number formatting (:mod:`allocator.render.formats`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from allocator.inputs.schema import STAFF_PREFIX, WILDCARD, Scenario, staff_item
from allocator.lang import lang_or_current, words
from allocator.optimization.conflicts import Conflict, Requirement
from allocator.optimization.feasibility import BudgetShortfall, MoneyShortfall, StaffShortfall
from allocator.optimization.lock_conflicts import LockConflict
from allocator.optimization.pipeline import (
    BrokenPlan,
    RunResult,
    SolverFailed,
    TimeRanOut,
    UnexplainedInfeasibility,
)
from allocator.render.formats import euro, number
from allocator.studies.alternatives import ExtremeUnproven, NoOptimum, StaffFixedUnsolved
from allocator.studies.executor import Executor


class Names:
    """The names of a scenario's rows by id, for sentences; an id without a row stays an id."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.areas = {a.area_id: a.name for a in scenario.areas}
        self.interventions = {i.intervention_id: i.name for i in scenario.interventions}
        self.partners = {p.partner_id: p.name for p in scenario.partners}
        self.funders = {f.funder_id: f.name for f in scenario.funders}
        self.roles = {r.role_id: r.name for r in scenario.staff}

    def area(self, area_id: str) -> str:
        return self.areas.get(area_id, area_id)

    def intervention(self, intervention_id: str) -> str:
        return self.interventions.get(intervention_id, intervention_id)

    def partner(self, partner_id: str) -> str:
        return self.partners.get(partner_id, partner_id)

    def funder(self, funder_id: str) -> str:
        return self.funders.get(funder_id, funder_id)

    def role(self, role_id: str) -> str:
        return self.roles.get(role_id, role_id)


def fte(value: float, lang: str) -> str:
    """FTE as a short number: ``1``, ``0,5``."""
    return number(value, lang, None)


# --------------------------------------------------------------------------- conflicts


def earmark_scope(names: Names, intervention_id: str, area_id: str, lang: str) -> str:
    """What an earmark row covers: 'Doposcuola a Barona', 'tutto in tutti i quartieri'."""
    if intervention_id == WILDCARD:
        what = words("tutto", "anything", lang)
    elif intervention_id.startswith(STAFF_PREFIX):
        role = names.role(intervention_id.removeprefix(STAFF_PREFIX))
        what = words("personale {role}", "staff {role}", lang).format(role=role)
    else:
        what = names.intervention(intervention_id)
    if area_id == WILDCARD:
        where = words("in tutti i quartieri", "in all areas", lang)
    else:
        where = words("a {area}", "in {area}", lang).format(area=names.area(area_id))
    return f"{what} {where}"


def _staff_minimum(names: Names, req: Requirement, lang: str) -> str:
    role_id, area_id = req.key
    role = next(r for r in names.scenario.staff if r.role_id == role_id)
    text = words(
        "almeno {fte} FTE di {role} nel quartiere {area}, che costano {cost} l'anno",
        "at least {fte} FTE of {role} in {area}, costing {cost} a year",
        lang,
    ).format(
        fte=fte(req.amount, lang),
        role=role.name,
        area=names.area(area_id),
        cost=euro(req.amount * role.cost_per_fte, lang),
    )
    payers = [f for f in names.funders if names.scenario.may_fund(f, staff_item(role_id), area_id)]
    if not payers:
        text += words(
            ", ma nessun finanziatore può pagarli lì (vincoli di destinazione)",
            ", but no funder may pay for them there (earmarks)",
            lang,
        )
    return text


def requirement_sentence(names: Names, req: Requirement, lang: str) -> str:
    """One requirement in words, with its numbers."""
    if req.kind == "staff_minimum":
        return _staff_minimum(names, req, lang)
    if req.kind == "staff_available":
        return words(
            "solo {fte} FTE di {role} disponibili", "only {fte} FTE of {role} available", lang
        ).format(fte=fte(req.amount, lang), role=names.role(req.key[0]))
    if req.kind == "funder_amount":
        funder_id = req.key[0]
        rows = names.scenario.earmarks_of(funder_id)
        text = words("{funder} dispone di {money}", "{funder} has {money}", lang).format(
            funder=names.funder(funder_id), money=euro(req.amount, lang)
        )
        if not rows:
            return text
        scope = ", ".join(earmark_scope(names, e.intervention_id, e.area_id, lang) for e in rows)
        return text + words(" e può pagare solo {scope}", " and may pay only {scope}", lang).format(
            scope=scope
        )
    earmark = names.scenario.earmarks[int(req.key[0])]
    return words(
        "il vincolo di destinazione di {funder} su {scope} limita la spesa a {money}",
        "{funder}'s earmark on {scope} caps its spending at {money}",
        lang,
    ).format(
        funder=names.funder(earmark.funder_id),
        scope=earmark_scope(names, earmark.intervention_id, earmark.area_id, lang),
        money=euro(req.amount, lang),
    )


def fix_sentence(names: Names, req: Requirement, by: float, lang: str) -> str:
    """How to relax one requirement by ``by`` (FTE or euros), in words."""
    amount = f"{fte(by, lang)} FTE" if req.unit == "FTE" else euro(by, lang)
    if req.kind == "staff_minimum":
        return words(
            "ridurre il minimo di {role} a {area} di {amount}",
            "lower the minimum of {role} in {area} by {amount}",
            lang,
        ).format(role=names.role(req.key[0]), area=names.area(req.key[1]), amount=amount)
    if req.kind == "staff_available":
        return words(
            "rendere disponibili {amount} in più di {role}",
            "make {amount} more of {role} available",
            lang,
        ).format(role=names.role(req.key[0]), amount=amount)
    if req.kind == "funder_amount":
        return words(
            "aumentare di {amount} i fondi di {funder}", "raise {funder}'s amount by {amount}", lang
        ).format(funder=names.funder(req.key[0]), amount=amount)
    earmark = names.scenario.earmarks[int(req.key[0])]
    return words(
        "alzare di {amount} il tetto del vincolo di {funder} su {scope}",
        "raise {funder}'s earmark cap on {scope} by {amount}",
        lang,
    ).format(
        funder=names.funder(earmark.funder_id),
        scope=earmark_scope(names, earmark.intervention_id, earmark.area_id, lang),
        amount=amount,
    )


def conflict_sentence(names: Names, conflict: Conflict, n: int, lang: str) -> str:
    """Conflict number ``n``: its requirements, and the smallest fix found."""
    parts = "; ".join(requirement_sentence(names, r, lang) for r in conflict.requirements)
    text = words(
        "Conflitto {n}: questi requisiti non possono valere insieme: {parts}.",
        "Conflict {n}: these requirements cannot all hold together: {parts}.",
        lang,
    ).format(n=n, parts=parts)
    if conflict.fixes:
        fixes = words(" e ", " and ", lang).join(
            fix_sentence(names, r, by, lang) for r, by in conflict.fixes
        )
        text += words(
            " La correzione più piccola trovata: {fixes}.",
            " The smallest fix found: {fixes}.",
            lang,
        ).format(fixes=fixes)
    return text


# --------------------------------------------------------------------------- locks


def lock_scope(names: Names, partner_id: str, area_id: str, intervention_id: str, lang: str) -> str:
    """A lock's selectors with names: 'ente Cooperativa Aurora, qualsiasi quartiere, ...'."""
    parts = [
        words("qualsiasi ente", "any partner", lang)
        if partner_id == WILDCARD
        else words("ente {name}", "partner {name}", lang).format(name=names.partner(partner_id)),
        words("qualsiasi quartiere", "any area", lang)
        if area_id == WILDCARD
        else words("quartiere {name}", "area {name}", lang).format(name=names.area(area_id)),
        words("qualsiasi intervento", "any intervention", lang)
        if intervention_id == WILDCARD
        else words("intervento {name}", "intervention {name}", lang).format(
            name=names.intervention(intervention_id)
        ),
    ]
    return ", ".join(parts)


def lock_sentence(names: Names, fact: LockConflict, lang: str) -> str:
    """The lock at fault, what it asks and by how much it must give."""
    lock = names.scenario.locks[fact.lock]
    what = lock_scope(names, lock.partner_id, lock.area_id, lock.intervention_id, lang)
    if fact.side == "min":
        text = words(
            "Il vincolo fisso di locks.csv su {what} chiede almeno {limit} beneficiari, che i "
            "fondi e le capacità non consentono insieme agli altri vincoli: la correzione più "
            "piccola trovata è abbassarlo di {by}.",
            "The lock of locks.csv on {what} asks for at least {limit} beneficiaries, which the "
            "money and capacity cannot give together with the other requirements: the smallest "
            "fix found is to lower it by {by}.",
            lang,
        )
    else:
        text = words(
            "Il vincolo fisso di locks.csv su {what} chiede al più {limit} beneficiari, che i "
            "fondi e le capacità non consentono insieme agli altri vincoli: la correzione più "
            "piccola trovata è alzarlo di {by}.",
            "The lock of locks.csv on {what} asks for at most {limit} beneficiaries, which the "
            "money and capacity cannot give together with the other requirements: the smallest "
            "fix found is to raise it by {by}.",
            lang,
        )
    return text.format(
        what=what, limit=number(fact.limit, lang, None), by=number(fact.by, lang, None)
    )


# --------------------------------------------------------------------------- before solving


def staff_shortfall_sentence(names: Names, fact: StaffShortfall, lang: str) -> str:
    """A role's minimum in every area needs more FTE than it has."""
    note = ""
    if fact.per_area != fact.minimum:
        note = words(
            " (il minimo {minimum} arrotondato a passi di {step})",
            " (the minimum {minimum} rounded up to steps of {step})",
            lang,
        ).format(minimum=fte(fact.minimum, lang), step=fte(fact.step, lang))
    return words(
        "ruolo del personale {role}: {areas} quartieri × minimo {per_area} FTE{note} = "
        "{needed} FTE, ma solo {available} FTE disponibili",
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
    who = ", ".join(names.funder(j) for j in fact.payers) or words(
        "nessun finanziatore", "no funder", lang
    )
    return words(
        "ruolo del personale {role}: i posti minimi costano {cost} l'anno, ma i finanziatori "
        "che possono pagarli ({who}) hanno solo {money}",
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
    return words(
        "i posti minimi del personale costano {cost} l'anno, più dell'intero budget di {budget}",
        "the minimum staff posts cost {cost} a year, more than the whole budget of {budget}",
        lang,
    ).format(cost=euro(fact.cost, lang), budget=euro(fact.budget, lang))


# --------------------------------------------------------------------------- the solver


def time_sentence(_names: Names, fact: TimeRanOut, lang: str) -> str:
    return words(
        "il tempo limite di {limit} s è finito prima della risoluzione (costruire il modello "
        "ha richiesto {build} s)",
        "the time limit of {limit} s ran out before solving (building the model took {build} s)",
        lang,
    ).format(limit=number(fact.time_limit, lang, None), build=number(fact.build_seconds, lang, 1))


def unexplained_sentence(_names: Names, fact: UnexplainedInfeasibility, lang: str) -> str:
    return words(
        "il risolutore ha dimostrato che i minimi di personale non si possono rispettare e "
        "pagare tutti: i finanziatori che possono pagare ciascun ruolo, i loro fondi e i tetti "
        "dei loro vincoli di destinazione lasciano troppo poco per i posti minimi ({message})",
        "the solver proved that the staff minima cannot all be met and paid for: the funders "
        "allowed to pay each role, their amounts and their earmarks' caps leave too little "
        "money for the minimum posts ({message})",
        lang,
    ).format(message=fact.message)


def solver_sentence(_names: Names, fact: SolverFailed, lang: str) -> str:
    return words(
        "il risolutore non ha trovato un piano: {message}",
        "the solver found no plan: {message}",
        lang,
    ).format(message=fact.message)


def broken_plan_lines(_names: Names, fact: BrokenPlan, lang: str) -> list[str]:
    head = words(
        "il piano del risolutore viola un limite; non viene usato:",
        "the solver's plan breaks a limit; it is not used:",
        lang,
    )
    return [head, *fact.violations]


# --------------------------------------------------------------------------- near-optimal ranges


def no_optimum_lines(names: Names, fact: NoOptimum, lang: str) -> list[str]:
    head = words(
        "lo scenario non ha un piano ottimo da cui partire:",
        "the scenario has no optimal plan to start from:",
        lang,
    )
    return [head, *fact_sentences(names.scenario, fact.facts, lang)]


def staff_fixed_sentence(_names: Names, fact: StaffFixedUnsolved, lang: str) -> str:
    return words(
        "il modello con il personale del piano ottimo fissato non si è risolto: {message}",
        "the model with the optimal plan's staff fixed did not solve: {message}",
        lang,
    ).format(message=fact.message)


EXTREME_WORDS = {
    ("funded", False): (
        "il risolutore non ha dimostrato il minimo dei fondi a {name}",
        "the solver did not prove the least money for {name}",
    ),
    ("funded", True): (
        "il risolutore non ha dimostrato il massimo dei fondi a {name}",
        "the solver did not prove the most money for {name}",
    ),
    ("served", False): (
        "il risolutore non ha dimostrato il minimo dei beneficiari serviti a {name}",
        "the solver did not prove the fewest beneficiaries served for {name}",
    ),
    ("served", True): (
        "il risolutore non ha dimostrato il massimo dei beneficiari serviti a {name}",
        "the solver did not prove the most beneficiaries served for {name}",
    ),
}


def extreme_sentence(names: Names, fact: ExtremeUnproven, lang: str) -> str:
    name = names.area(fact.key) if fact.by == "area" else names.partner(fact.key)
    it, en = EXTREME_WORDS[(fact.measure, fact.maximise)]
    return words(it, en, lang).format(name=name)


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
        where = executor.scheduler or words(
            "un LocalCluster su questa macchina", "a LocalCluster on this machine", lang
        )
        return words("Dask ({n} worker, {where})", "Dask ({n} workers, {where})", lang).format(
            n=executor.workers, where=where
        )
    if executor.name == "local" and executor.workers > 1:
        return words(
            "{n} processi di lavoro su questa macchina", "{n} local worker processes", lang
        ).format(n=executor.workers)
    return words("in questo processo", "in this process", lang)
