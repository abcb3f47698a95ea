"""Checks of ``locks.csv`` that need the whole scenario, and what a set of arcs can reach.

A lock row bounds the beneficiaries of all the capacity rows (of eligible partners) it matches,
summed. Its own checks (ids, ``*``, min ≤ max) are the table's; here a minimum is checked against
the most those rows can serve: their capacities, each area-intervention clipped by its
``max_coverage`` × need. The money is not counted here: a lock the funders cannot pay for makes the
scenario infeasible, and the solver's explanation names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from allocator.errors import Problem
from allocator.inputs.schema import Lock, Scenario

TOLERANCE = 1e-9


def reachable(scenario: Scenario, selects: Callable[[str, str, str], bool]) -> float:
    """The most beneficiaries the eligible partners' capacity rows selected can serve together.

    Capacity summed per (area, intervention), each clipped by ``max_coverage`` × need.
    """
    eligible = {p for p, why in scenario.eligibility().items() if why is None}
    share = {i.intervention_id: i.max_coverage for i in scenario.interventions}
    need = {(n.area_id, n.intervention_id): n.need for n in scenario.needs}
    capacity: dict[tuple[str, str], float] = defaultdict(float)
    for c in scenario.capacities:
        chosen = c.partner_id in eligible and c.capacity > 0
        if chosen and selects(c.partner_id, c.area_id, c.intervention_id):
            capacity[(c.area_id, c.intervention_id)] += c.capacity
    return sum(
        min(cap, share.get(k, 0.0) * need.get((a, k), 0.0)) for (a, k), cap in capacity.items()
    )


def describe_lock(lock: Lock, lang: str = "en") -> str:
    """The row's selectors in words: 'partner X, area *, intervention doposcuola'."""
    if lang == "it":
        return (
            f"partner {lock.partner_id}, quartiere {lock.area_id}, "
            f"intervento {lock.intervention_id}"
        )
    return f"partner {lock.partner_id}, area {lock.area_id}, intervention {lock.intervention_id}"


def lock_problems(scenario: Scenario, label: str, rows: Sequence[int]) -> list[Problem]:
    """Every lock whose minimum is above what the rows it matches can serve.

    ``label`` is the file as problems name it, ``rows`` the row number of each lock, in order.
    """
    problems: list[Problem] = []
    excluded = {p for p, why in scenario.eligibility().items() if why is not None}
    for lock, row in zip(scenario.locks, rows, strict=True):
        low = lock.min_beneficiaries
        if low is None or low <= 0:
            continue
        most = reachable(scenario, lock.matches)
        if low <= most + TOLERANCE * max(1.0, most):
            continue
        if lock.partner_id in excluded:
            why = f"partner {lock.partner_id} is excluded as ineligible, so it serves nobody"
        elif most <= 0:
            why = "it matches no capacity row of an eligible partner with need to serve"
        else:
            why = (
                f"the capacity rows it matches can serve at most {most:g} "
                "(capacities, each area-intervention within max_coverage × need)"
            )
        problems.append(
            Problem(
                label,
                f"the minimum cannot be met: {why}",
                row=row,
                column="min_beneficiaries",
                value=f"{low:g}",
                expected=f"at most {most:g}",
            )
        )
    return problems


# --------------------------------------------------------------------------- the room's choices

ROOM_KEYS = ("exclude_areas", "protect_areas", "exclude_partners", "protect_partners")
"""The ``[room]`` settings, each a list of area or partner ids."""


def unknown_room_ids(scenario: Scenario) -> dict[str, list[str]]:
    """``room.<key>`` → the ids it names that the scenario does not have (empty when all known)."""
    known = {
        "areas": {a.area_id for a in scenario.areas},
        "partners": {p.partner_id for p in scenario.partners},
    }
    unknown: dict[str, list[str]] = {}
    for key in ROOM_KEYS:
        ids = getattr(scenario.settings.room, key)
        missing = sorted(set(ids) - known[key.split("_", 1)[1]])
        if missing:
            unknown[f"room.{key}"] = missing
    return unknown


def room_locks(scenario: Scenario) -> tuple[Lock, ...]:
    """The lock rows the room's choices add (``[room]``): excluded → at most 0, protected → at
    least today's beneficiaries in ``baseline.csv``, clipped to what the capacities can serve."""
    room = scenario.settings.room
    if not any(getattr(room, key) for key in ROOM_KEYS):
        return ()
    locks = [
        Lock(partner_id="*", area_id=a, intervention_id="*", max_beneficiaries=0)
        for a in sorted(set(room.exclude_areas))
    ]
    locks += [
        Lock(partner_id=p, area_id="*", intervention_id="*", max_beneficiaries=0)
        for p in sorted(set(room.exclude_partners))
    ]
    for column, chosen in (("area_id", room.protect_areas), ("partner_id", room.protect_partners)):
        today: dict[str, float] = defaultdict(float)
        for row in scenario.baseline:
            today[getattr(row, column)] += row.beneficiaries
        for key in sorted(set(chosen)):
            selector = {"partner_id": "*", "area_id": "*", column: key}
            lock = Lock(**selector, intervention_id="*", min_beneficiaries=1.0)
            floor = min(today.get(key, 0.0), reachable(scenario, lock.matches))
            if floor > 0:
                locks.append(lock.model_copy(update={"min_beneficiaries": floor}))
    return tuple(locks)


def all_locks(scenario: Scenario) -> tuple[Lock, ...]:
    """Every lock of the plan: the rows of ``locks.csv``, then those of the room's choices."""
    return scenario.locks + room_locks(scenario)
