"""The sentences that compare the optimised plan with the rules of thumb, like with like.

A rule is compared with the optimised plan that spends the same money from each funder at equal or
better equity (:func:`allocator.studies.frontier.dominating`), never with the plan at the whole
budget when the rule leaves money unspent; each plan's money spent is stated beside its
beneficiaries, and a rule that cannot spend everything says so, and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from allocator.postprocess.kpis import kpi_label
from allocator.render.formats import euro, number, share
from allocator.studies.frontier import Domination

REASONS = {
    "it": {
        "capacity": "i partner delle coppie quartiere-intervento che la regola finanzia non hanno "
        "altri posti",
        "limits": "personale disponibile, vincoli di destinazione o finanziatori ammessi "
        "impediscono di spendere il resto",
    },
    "en": {
        "capacity": "the partners of the area-intervention pairs the rule funds have no more "
        "places",
        "limits": "staff available, earmarks or the funders allowed stop the rest being spent",
    },
}


def _signed(value: float, lang: str) -> str:
    return ("+" if value >= 0 else "") + number(value, lang, 0 if abs(value) >= 10 else 1)


def domination_sentence(d: Domination, lang: str = "it") -> str:
    """One sentence: the rule, its money and beneficiaries, and what the same money buys."""
    it = lang == "it"
    k = d.plan.kpis
    spent, served, eq = float(k["funded"]), float(k["beneficiaries_served"]), float(k[d.equity_key])
    eq_name = kpi_label(d.equity_key, lang)
    head = (
        f"«{d.label}» spende {euro(spent, lang)} e raggiunge {number(served, lang)} beneficiari "
        f"({eq_name} {share(eq, lang)})"
        if it
        else f"“{d.label}” spends {euro(spent, lang)} and serves {number(served, lang)} "
        f"({eq_name} {share(eq, lang)})"
    )
    unspent = ""
    if d.unspent_reason and d.budget_total > 0:
        left = d.budget_total - spent
        why = REASONS[lang].get(d.unspent_reason, d.unspent_reason)
        unspent = (
            f"; non spende {euro(left, lang)} delle risorse perché {why}"
            if it
            else f"; it leaves {euro(left, lang)} unspent because {why}"
        )
    if d.better is None:
        tail = (
            "; nessun piano ottimizzato trovato con la stessa spesa."
            if it
            else "; no optimised plan found with the same money."
        )
        return head + unspent + tail
    b = d.better.kpis
    extra = float(b["beneficiaries_served"]) - served
    ratio = f" ({_signed(100 * extra / served, lang)}%)" if served > 0 else ""
    if it:
        return (
            f"{head}{unspent}. Con la stessa spesa per finanziatore e un'equità pari o migliore "
            f"({share(float(b[d.equity_key]), lang)}), il piano ottimizzato raggiunge "
            f"{number(float(b['beneficiaries_served']), lang)} beneficiari: "
            f"{_signed(extra, lang)}{ratio}."
        )
    return (
        f"{head}{unspent}. With the same money from each funder and equal or better equity "
        f"({share(float(b[d.equity_key]), lang)}), the optimised plan serves "
        f"{number(float(b['beneficiaries_served']), lang)}: {_signed(extra, lang)}{ratio}."
    )


def domination_sentences(dominations: Sequence[Domination], lang: str = "it") -> list[str]:
    """One sentence per rule of thumb; a sentence saying none could be computed if so."""
    if not dominations:
        return [
            "Nessuna regola empirica calcolabile per il confronto."
            if lang == "it"
            else "No rule of thumb could be computed for comparison."
        ]
    return [domination_sentence(d, lang) for d in dominations]


def next_money_sentence(more: Mapping[str, float], lang: str = "it") -> str:
    """What the next ``euros`` above today's budget buy, from a re-solve (not from a grid)."""
    gain = more.get("beneficiaries_served_gain", float("nan"))
    euros = euro(more["euros"], lang)
    today = euro(more["budget_total"], lang)
    if gain != gain:  # NaN: a run without a plan
        return (
            f"Valore dei prossimi {euros}: non calcolabile (nessun piano)."
            if lang == "it"
            else f"Value of the next {euros}: not available (no plan)."
        )
    if lang == "it":
        return (
            f"I prossimi {euros} oltre il budget di oggi ({today}) raggiungerebbero "
            f"{_signed(gain, lang)} beneficiari (ricalcolo del piano con {euros} in più)."
        )
    return (
        f"The next {euros} above today's budget ({today}) would serve {_signed(gain, lang)} "
        f"beneficiaries (the plan re-solved with {euros} more)."
    )
