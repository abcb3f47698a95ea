"""The sentences that compare the optimised plan with the rules of thumb, like with like.

A rule is compared with the optimised plan that spends the same money from each funder at equal or
better equity (:func:`allocator.studies.frontier.dominating`), never with the plan at the whole
budget when the rule leaves money unspent; each plan's money spent is stated beside its
beneficiaries, and a rule that cannot spend everything says so, and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from allocator.i18n import N_, _
from allocator.postprocess.kpis import kpi_label
from allocator.render.formats import euro, number, share
from allocator.studies.frontier import Domination

REASONS = {
    "capacity": N_(
        "the partners of the area-intervention pairs the rule funds have no more places"
    ),
    "limits": N_("staff available, earmarks or the funders allowed stop the rest being spent"),
}
"""Why a rule of thumb leaves money unspent, by ``unspent_reason`` (translated at use)."""


def _signed(value: float, lang: str) -> str:
    return ("+" if value >= 0 else "") + number(value, lang, 0 if abs(value) >= 10 else 1)


def rule_sentence(row: Mapping[str, Any], key: str, budget_total: float, lang: str = "it") -> str:
    """One sentence from a row of :func:`allocator.studies.frontier.rules_placed` (scenario,
    funded, beneficiaries_served, ``key``, better_*, unspent_reason): the rule, its money and
    beneficiaries, why money is left, and what the same money buys optimised."""
    name, spent = str(row["scenario"]), float(row["funded"])
    served, eq = float(row["beneficiaries_served"]), float(row[key])
    head = _("“{name}” spends {spent} and serves {served} ({equity} {share})", lang).format(
        name=name,
        spent=euro(spent, lang),
        served=number(served, lang),
        equity=kpi_label(key, lang),
        share=share(eq, lang),
    )
    reason = str(row.get("unspent_reason") or "")
    if reason and reason != "nan" and budget_total > spent + 1:
        why = _(REASONS[reason], lang) if reason in REASONS else reason
        head += _("; it leaves {left} unspent because {why}", lang).format(
            left=euro(budget_total - spent, lang), why=why
        )
    better = float(row.get("better_beneficiaries_served", float("nan")))
    if better != better:  # NaN: no optimised plan
        return head + "; " + _("no optimised plan found", lang) + "."
    extra = better - served
    ratio = f" ({_signed(100 * extra / served, lang)}%)" if served > 0 else ""
    return _(
        "{head}. With the same money from each funder and equal or better equity ({equity}), "
        "the optimised plan serves {better}: {extra}{ratio}.",
        lang,
    ).format(
        head=head,
        equity=share(float(row[f"better_{key}"]), lang),
        better=number(better, lang),
        extra=_signed(extra, lang),
        ratio=ratio,
    )


def rule_sentences(
    rules: pd.DataFrame | None, key: str, budget_total: float, lang: str = "it"
) -> list[str]:
    """One sentence per rule of thumb; a sentence saying none could be computed if so."""
    if rules is None or not len(rules):
        return [_("No rule of thumb could be computed for comparison.", lang)]
    return [rule_sentence(row, key, budget_total, lang) for row in rules.to_dict("records")]


def domination_sentence(d: Domination, lang: str = "it") -> str:
    """:func:`rule_sentence` for one :class:`Domination`."""
    columns = ["weighted_coverage", d.equity_key, "beneficiaries_served", "funded"]
    row: dict[str, Any] = {"scenario": d.label, **{c: d.plan.kpis[c] for c in columns}}
    better = d.better.kpis if d.better is not None else {}
    row.update({f"better_{c}": better.get(c, float("nan")) for c in columns})
    row["unspent_reason"] = d.unspent_reason
    return rule_sentence(row, d.equity_key, d.budget_total, lang)


def domination_sentences(dominations: Sequence[Domination], lang: str = "it") -> list[str]:
    """One sentence per rule of thumb; a sentence saying none could be computed if so."""
    if not dominations:
        return rule_sentences(None, "", 0.0, lang)
    return [domination_sentence(d, lang) for d in dominations]


def next_money_sentence(more: Mapping[str, float], lang: str = "it") -> str:
    """What the next ``euros`` above today's budget buy, from a re-solve (not from a grid)."""
    gain = more.get("beneficiaries_served_gain", float("nan"))
    euros = euro(more["euros"], lang)
    today = euro(more["budget_total"], lang)
    if gain != gain:  # NaN: a run without a plan
        return _("Value of the next {euros}: not available (no plan).", lang).format(euros=euros)
    return _(
        "The next {euros} above today's budget ({today}) would serve {gain} beneficiaries (the "
        "plan re-solved with {euros} more).",
        lang,
    ).format(euros=euros, today=today, gain=_signed(gain, lang))
