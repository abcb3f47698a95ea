"""Which lock cannot be met with the money and capacity, in words.

The scenario is built without its locks, which are then added back elastic: each side of each one
gets a slack, and the solver minimises their sum. The slacks left above zero are the smallest
relaxation found that makes the scenario feasible: they name the locks at fault and by how much
each must give. (Transition limits are soft: they never make a scenario infeasible.)
"""

from __future__ import annotations

from allocator.inputs.locks import all_locks, describe_lock
from allocator.inputs.schema import Room, Scenario, SolverName
from allocator.lang import words
from allocator.optimization.model import build_model
from allocator.optimization.negotiation import (
    Elastic,
    define_lock_constraints,
)
from allocator.optimization.solve import solve

TOLERANCE = 1e-6


def _number(value: float, lang: str) -> str:
    text = f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"
    if lang == "it":
        text = text.replace(",", "§").replace(".", ",").replace("§", ".")
    return text


def explain_lock_conflicts(scenario: Scenario, lang: str = "en") -> list[str]:
    """One sentence per lock that must give for the scenario to have a plan.

    Empty when the scenario has none, or when it stays infeasible without them (the cause is
    elsewhere).
    """
    locks = all_locks(scenario)
    if not locks:
        return []
    free = scenario.settings.model_copy(update={"room": Room()})
    model = build_model(scenario.model_copy(update={"locks": (), "settings": free}))
    elastic: Elastic = {}
    define_lock_constraints(model, locks, elastic)
    model.problem.sense = 1  # minimise the slack
    model.problem.setObjective(sum(elastic.values()) + 0.0)
    settings = scenario.settings.solver.model_copy(update={"name": SolverName.HIGHS})
    if not solve(model, settings).is_ok:
        return []
    sentences = []
    for (family, key, side), slack in elastic.items():
        by = float(slack.varValue or 0.0)
        if by <= TOLERANCE:
            continue
        amount = _number(by, lang)
        if family == "lock":  # the only elastic family
            assert isinstance(key, int)
            lock = locks[key]
            what = describe_lock(lock, lang)
            low = side == "min"
            limit = _number(
                (lock.min_beneficiaries if low else lock.max_beneficiaries) or 0.0, lang
            )
            it = (
                f"Il vincolo fisso di locks.csv su {what} chiede {'almeno' if low else 'al più'} "
                f"{limit} beneficiari, che i fondi e le capacità non consentono insieme agli altri "
                f"vincoli: la correzione più piccola trovata è "
                f"{'abbassare' if low else 'alzare'}lo di {amount}."
            )
            en = (
                f"The lock of locks.csv on {what} asks for {'at least' if low else 'at most'} "
                f"{limit} beneficiaries, which the money and capacity cannot give together with "
                f"the other requirements: the smallest fix found is to "
                f"{'lower' if low else 'raise'} it by {amount}."
            )
            sentences.append(words(it, en, lang))
    return sentences
