"""Conflicts among the hard requirements and locks at fault, in words with names.

:func:`allocator.optimization.conflicts.find_conflicts` and
:func:`allocator.optimization.lock_conflicts.find_lock_conflicts` return the facts;
:mod:`allocator.render.facts` calls these to word them.
"""

from __future__ import annotations

from allocator.i18n import _
from allocator.inputs.locks import all_locks
from allocator.inputs.schema import STAFF_PREFIX, WILDCARD, staff_item
from allocator.optimization.conflicts import Conflict, Requirement
from allocator.optimization.lock_conflicts import LockConflict
from allocator.render.formats import euro, number
from allocator.render.names import Names, fte


def earmark_scope(names: Names, intervention_id: str, area_id: str, lang: str) -> str:
    """What an earmark row covers: 'Doposcuola a Barona', 'tutto in tutti i quartieri'."""
    if intervention_id == WILDCARD:
        what = _("anything", lang)
    elif intervention_id.startswith(STAFF_PREFIX):
        role = names.role(intervention_id.removeprefix(STAFF_PREFIX))
        what = _("staff {role}", lang).format(role=role)
    else:
        what = names.intervention(intervention_id)
    if area_id == WILDCARD:
        where = _("in all areas", lang)
    else:
        where = _("in {area}", lang).format(area=names.area(area_id))
    return f"{what} {where}"


def _staff_minimum(names: Names, req: Requirement, lang: str) -> str:
    role_id, area_id = req.key
    role = next(r for r in names.scenario.staff if r.role_id == role_id)
    text = _("at least {fte} FTE of {role} in {area}, costing {cost} a year", lang).format(
        fte=fte(req.amount, lang),
        role=role.name,
        area=names.area(area_id),
        cost=euro(req.amount * role.cost_per_fte, lang),
    )
    payers = [f for f in names.funders if names.scenario.may_fund(f, staff_item(role_id), area_id)]
    if not payers:
        text += _(", but no funder may pay for them there (earmarks)", lang)
    return text


def requirement_sentence(names: Names, req: Requirement, lang: str) -> str:
    """One requirement in words, with its numbers."""
    if req.kind == "staff_minimum":
        return _staff_minimum(names, req, lang)
    if req.kind == "staff_available":
        return _("only {fte} FTE of {role} available", lang).format(
            fte=fte(req.amount, lang), role=names.role(req.key[0])
        )
    if req.kind == "funder_amount":
        funder_id = req.key[0]
        rows = names.scenario.earmarks_of(funder_id)
        text = _("{funder} has {money}", lang).format(
            funder=names.funder(funder_id), money=euro(req.amount, lang)
        )
        if not rows:
            return text
        scope = ", ".join(earmark_scope(names, e.intervention_id, e.area_id, lang) for e in rows)
        return text + _(" and may pay only {scope}", lang).format(scope=scope)
    return _("{funder}'s earmark on {scope} caps its spending at {money}", lang).format(
        **_earmark(names, req, lang), money=euro(req.amount, lang)
    )


def _earmark(names: Names, req: Requirement, lang: str) -> dict[str, str]:
    """The funder and scope of an earmark cap requirement, for its sentences."""
    earmark = names.scenario.earmarks[int(req.key[0])]
    return {
        "funder": names.funder(earmark.funder_id),
        "scope": earmark_scope(names, earmark.intervention_id, earmark.area_id, lang),
    }


def fix_sentence(names: Names, req: Requirement, by: float, lang: str) -> str:
    """How to relax one requirement by ``by`` (FTE or euros), in words."""
    amount = f"{fte(by, lang)} FTE" if req.unit == "FTE" else euro(by, lang)
    if req.kind == "staff_minimum":
        return _("lower the minimum of {role} in {area} by {amount}", lang).format(
            role=names.role(req.key[0]), area=names.area(req.key[1]), amount=amount
        )
    if req.kind == "staff_available":
        return _("make {amount} more of {role} available", lang).format(
            role=names.role(req.key[0]), amount=amount
        )
    if req.kind == "funder_amount":
        return _("raise {funder}'s amount by {amount}", lang).format(
            funder=names.funder(req.key[0]), amount=amount
        )
    return _("raise {funder}'s earmark cap on {scope} by {amount}", lang).format(
        **_earmark(names, req, lang), amount=amount
    )


def conflict_sentence(names: Names, conflict: Conflict, n: int, lang: str) -> str:
    """Conflict number ``n``: its requirements, and the smallest fix found."""
    parts = "; ".join(requirement_sentence(names, r, lang) for r in conflict.requirements)
    text = _("Conflict {n}: these requirements cannot all hold together: {parts}.", lang).format(
        n=n, parts=parts
    )
    if conflict.fixes:
        fixes = _(" and ", lang).join(fix_sentence(names, r, by, lang) for r, by in conflict.fixes)
        text += _(" The smallest fix found: {fixes}.", lang).format(fixes=fixes)
    return text


# --------------------------------------------------------------------------- locks


def lock_scope(names: Names, partner_id: str, area_id: str, intervention_id: str, lang: str) -> str:
    """A lock's selectors with names: 'ente Cooperativa Aurora, qualsiasi quartiere, ...'."""
    parts = [
        _("any partner", lang)
        if partner_id == WILDCARD
        else _("partner {name}", lang).format(name=names.partner(partner_id)),
        _("any area", lang)
        if area_id == WILDCARD
        else _("area {name}", lang).format(name=names.area(area_id)),
        _("any intervention", lang)
        if intervention_id == WILDCARD
        else _("intervention {name}", lang).format(name=names.intervention(intervention_id)),
    ]
    return ", ".join(parts)


def lock_sentence(names: Names, fact: LockConflict, lang: str) -> str:
    """The lock at fault, what it asks and by how much it must give."""
    lock = all_locks(names.scenario)[fact.lock]
    what = lock_scope(names, lock.partner_id, lock.area_id, lock.intervention_id, lang)
    if fact.side == "min":
        text = _(
            "The lock of locks.csv on {what} asks for at least {limit} beneficiaries, which the "
            "money and capacity cannot give together with the other requirements: the smallest "
            "fix found is to lower it by {by}.",
            lang,
        )
    else:
        text = _(
            "The lock of locks.csv on {what} asks for at most {limit} beneficiaries, which the "
            "money and capacity cannot give together with the other requirements: the smallest "
            "fix found is to raise it by {by}.",
            lang,
        )
    return text.format(
        what=what, limit=number(fact.limit, lang, None), by=number(fact.by, lang, None)
    )
