"""Locks, transition limits and their price in words (Italian by default, GLOSSARY.md)."""

from __future__ import annotations

import pandas as pd

from allocator.i18n import N_, _
from allocator.optimization.pipeline import RunResult
from allocator.postprocess.transition import transition_table
from allocator.render.formats import number, share
from allocator.studies.price import Price, price_of_negotiation

LIMIT_WORDS = {
    "partner": N_("the partner transition limit ({limit})"),
    "area": N_("the area transition limit ({limit})"),
}


def _what(price: Price, lang: str) -> str:
    parts = []
    if price.locks:
        n = price.locks
        parts.append((_("{n} lock", lang) if n == 1 else _("{n} locks", lang)).format(n=n))
    for who, limit in (("partner", price.max_partner_loss), ("area", price.max_area_loss)):
        if limit is not None:
            parts.append(_(LIMIT_WORDS[who], lang).format(limit=share(limit, lang, 0)))
    joiner = _(" and ", lang)
    return joiner.join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def price_sentence(price: Price, lang: str = "it") -> str:
    """One sentence: the objective and beneficiaries with and without the locks and limits."""
    what = _what(price, lang)
    w, wo = price.with_negotiation, price.without_negotiation
    lost = -price.difference("beneficiaries_served")
    several = (
        price.locks + (price.max_partner_loss is not None) + (price.max_area_loss is not None) > 1
        or price.locks > 1
    )
    text = _(PRICE_WORDS[(several, lost > 0.5)], lang)
    return text.format(
        what=what,
        lost=number(lost, lang),
        served=number(w["beneficiaries_served"], lang),
        served_without=number(wo["beneficiaries_served"], lang),
        objective=number(w["objective"], lang, 4),
        objective_without=number(wo["objective"], lang, 4),
    )


PRICE_WORDS = {
    (True, True): N_(
        "Price of the negotiation: {what} cost {lost} beneficiaries ({served} served instead of "
        "{served_without}; objective {objective} instead of {objective_without})."
    ),
    (False, True): N_(
        "Price of the negotiation: {what} costs {lost} beneficiaries ({served} served instead of "
        "{served_without}; objective {objective} instead of {objective_without})."
    ),
    (True, False): N_(
        "Price of the negotiation: {what} cost no beneficiaries ({served} served instead of "
        "{served_without}; objective {objective} instead of {objective_without})."
    ),
    (False, False): N_(
        "Price of the negotiation: {what} costs no beneficiaries ({served} served instead of "
        "{served_without}; objective {objective} instead of {objective_without})."
    ),
}
"""The price sentence by (several locks or limits, beneficiaries lost): the verb agrees."""


KEEP_FLOOR = {
    "partner": N_("{kept} of {total} partners active today keep their floor"),
    "area": N_("{kept} of {total} areas active today keep their floor"),
}
BELOW_FLOOR = {
    "partner": N_(
        "; {count} partners stay below it by {below} beneficiaries in all "
        "(staff or money fall short)"
    ),
    "area": N_(
        "; {count} areas stay below it by {below} beneficiaries in all (staff or money fall short)"
    ),
}


def transition_sentence(table: pd.DataFrame, lang: str = "it") -> str:
    """One sentence on the transition limits: kept, clipped to capacity, short of their floor."""
    if table.empty:
        return ""
    parts = []
    for kind in ("partner", "area"):
        rows = table[table["kind"] == kind]
        if rows.empty:
            continue
        short = rows[rows["shortfall"] > 0]
        clipped = int(rows["clipped"].sum())
        kept = len(rows) - len(short)
        text = _(KEEP_FLOOR[kind], lang).format(kept=kept, total=len(rows))
        if clipped:
            text += _(
                " ({count} with the floor clipped to what capacity and needs allow)", lang
            ).format(count=clipped)
        if len(short):
            below = number(float(short["shortfall"].sum()), lang)
            text += _(BELOW_FLOOR[kind], lang).format(count=len(short), below=below)
        parts.append(text)
    return _("Transition limits: ", lang) + "; ".join(parts) + "."


def negotiation_outputs(
    result: RunResult, lang: str = "it"
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """For a run with locks or transition limits: the tables to write beside the plan
    (``negotiation_price``, ``transition``) and the sentences to print. One extra solve."""
    tables: dict[str, pd.DataFrame] = {}
    sentences: list[str] = []
    if result.plan is None:
        return tables, sentences
    transition = transition_table(result.scenario, result.plan.allocation)
    if not transition.empty:
        tables["transition"] = transition
        sentences.append(transition_sentence(transition, lang))
    price = price_of_negotiation(result)
    if price is not None:
        tables["negotiation_price"] = price.table()
        sentences.append(price_sentence(price, lang))
    return tables, sentences
