"""Why a run has no plan: optimization/ and studies/ return facts (ids and numbers, no text);
render/facts.py words them with the names planners know, never the ids."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from allocator.inputs.schema import BaselineRow, Lock, Scenario
from allocator.optimization.conflicts import Conflict, Requirement
from allocator.optimization.feasibility import (
    BudgetShortfall,
    MoneyShortfall,
    StaffShortfall,
    check_feasibility,
)
from allocator.optimization.lock_conflicts import LockConflict
from allocator.optimization.pipeline import (
    BrokenPlan,
    SolverFailed,
    TimeRanOut,
    fact_records,
    run_scenario,
)
from allocator.optimization.solve import SolveStatus
from allocator.render.facts import (
    executor_words,
    fact_sentences,
    no_plan_sentences,
    no_plan_text,
)
from allocator.render.ranges import alternatives_frame
from allocator.studies.alternatives import ExtremeUnproven, NoOptimum, near_optimal
from allocator.studies.batch import solve_job
from allocator.studies.executor import Executor, LocalExecutor
from allocator.studies.feasible import Cut
from allocator.studies.rules import status_quo_plan
from tests.builders import scenario
from tests.toy import toy_loader, write_toy

pytestmark = pytest.mark.exact

IDS = ("NIL_1", "NIL_2", "edu_role", "FND_X", "P_AUR", "k_dopo")
"""The ids of :func:`named`: none may appear in a sentence, their names must."""


def named(**staff: Any) -> dict[str, Any]:
    """Two areas, one intervention, one partner, one funder and one role, each named unlike its
    id; the role's minimum and availability from ``staff``."""
    return {
        "areas": [
            {"area_id": "NIL_1", "name": "Barona", "population": 100, "minors": 50},
            {"area_id": "NIL_2", "name": "Gratosoglio", "population": 100, "minors": 50},
        ],
        "interventions": [
            {"intervention_id": "k_dopo", "name": "Doposcuola", "unit": "minors", "unit_cost": 10}
        ],
        "partners": [
            {
                "partner_id": "P_AUR",
                "name": "Cooperativa Aurora",
                "legal_form": "aps",
                "years_experience": 5,
            }
        ],
        "funders": [
            {"funder_id": "FND_X", "name": "Fondazione Cariplo", "kind": "private", "amount": 1000}
        ],
        "staff": [
            {
                "role_id": "edu_role",
                "name": "Educatore",
                "available_fte": 10,
                "cost_per_fte": 100,
                "min_fte_per_area": 1,
                **staff,
            }
        ],
    }


def no_ids(sentences: list[str]) -> bool:
    return not any(i in s for s in sentences for i in IDS)


def test_a_role_short_of_staff_is_a_fact_and_worded_with_its_name() -> None:
    """0.5 FTE per area rounded up to steps of 1: 2 areas need 2 FTE, 1.5 available."""
    s = scenario(**named(min_fte_per_area=0.5, available_fte=1.5))
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE and r.outcome is None
    assert r.facts == [StaffShortfall("edu_role", 2, 1.0, 0.5, 1.0, 2.0, 1.5)]
    (it,) = no_plan_sentences(r, "it")
    assert it == (
        "ruolo del personale Educatore: 2 quartieri × minimo 1 FTE (il minimo 0,5 arrotondato a "
        "passi di 1) = 2 FTE, ma solo 1,5 FTE disponibili"
    )
    assert "1.5 FTE available" in no_plan_sentences(r, "en")[0]


def test_minimum_posts_beyond_their_payers_name_the_funders() -> None:
    """2 areas × 1 FTE × 100 € = 200 € of posts; the one funder has 150 €."""
    data = named()
    data["funders"][0]["amount"] = 150
    s = scenario(**data)
    assert check_feasibility(s) == [MoneyShortfall("edu_role", 200, ("FND_X",), 150)]
    (it,) = fact_sentences(s, check_feasibility(s), "it")
    assert "Educatore" in it and "(Fondazione Cariplo)" in it and "200 €" in it
    assert no_ids([it])


def test_the_whole_budget_short_is_worded_in_both_languages() -> None:
    s = scenario(**named())
    fact = BudgetShortfall(12_500.5, 10_000)
    (it,) = fact_sentences(s, [fact], "it")
    (en,) = fact_sentences(s, [fact], "en")
    assert "12.500 €" in it and "10.000 €" in it and "budget" in it
    assert "12,500 €" in en and "10,000 €" in en


def test_a_conflict_found_by_the_solver_names_areas_roles_and_funders() -> None:
    """The funder may pay only in Barona: the minimum post in Gratosoglio has no payer."""
    data = named()
    data["earmarks"] = [{"funder_id": "FND_X", "intervention_id": "*", "area_id": "NIL_1"}]
    s = scenario(**data)
    r = run_scenario(s)
    assert r.status is SolveStatus.INFEASIBLE and r.outcome is not None
    (conflict,) = r.facts
    assert isinstance(conflict, Conflict) and r.conflicts == [conflict]
    minimum = Requirement("staff_minimum", ("edu_role", "NIL_2"), 1.0, "FTE")
    assert minimum in conflict.requirements
    assert (minimum, pytest.approx(1.0)) in conflict.fixes
    (it,) = no_plan_sentences(r, "it")
    assert it.startswith("Conflitto 1: ")
    assert "almeno 1 FTE di Educatore nel quartiere Gratosoglio" in it
    assert "nessun finanziatore può pagarli lì" in it
    assert "ridurre il minimo di Educatore a Gratosoglio di 1 FTE" in it
    assert no_ids([it])
    assert no_ids(no_plan_sentences(r, "en"))


def test_an_earmark_cap_is_worded_with_what_and_where_it_covers() -> None:
    """The funder may spend 150 € on the role anywhere: 200 € of minimum posts."""
    data = named()
    data["earmarks"] = [
        {
            "funder_id": "FND_X",
            "intervention_id": "staff:edu_role",
            "area_id": "*",
            "max_amount": 150,
        },
        {"funder_id": "FND_X", "intervention_id": "k_dopo", "area_id": "NIL_2"},
    ]
    s = scenario(**data)
    r = run_scenario(s)
    (conflict,) = r.facts
    assert isinstance(conflict, Conflict)
    assert [(q.kind, by) for q, by in conflict.fixes] == [("earmark_cap", pytest.approx(50))]
    (it,) = no_plan_sentences(r, "it")
    assert (
        "il vincolo di destinazione di Fondazione Cariplo su personale Educatore in tutti i "
        "quartieri limita la spesa a 150 €"
    ) in it
    assert "alzare di 50 € il tetto del vincolo di Fondazione Cariplo" in it
    assert no_ids([it])


def lock_scenario() -> Scenario:
    """Cooperativa Aurora serves Doposcuola in Barona at 10 €, 60 places; 400 € buy 40 of the
    50 the lock asks."""
    data = named(min_fte_per_area=0)
    data["funders"][0]["amount"] = 400
    s = scenario(
        **data,
        needs=[{"area_id": "NIL_1", "intervention_id": "k_dopo", "need": 100}],
        capacities=[
            {"partner_id": "P_AUR", "area_id": "NIL_1", "intervention_id": "k_dopo", "capacity": 60}
        ],
    )
    lock = Lock(partner_id="P_AUR", area_id="NIL_1", intervention_id="*", min_beneficiaries=50)
    return s.model_copy(update={"locks": (lock,)})


def test_a_lock_at_fault_is_a_fact_worded_with_the_partner_and_area_names() -> None:
    r = run_scenario(lock_scenario())
    assert r.status is SolveStatus.INFEASIBLE
    (fact,) = r.facts
    assert isinstance(fact, LockConflict)
    assert (fact.lock, fact.side, fact.limit) == (0, "min", 50)
    assert fact.by == pytest.approx(10)
    (it,) = no_plan_sentences(r, "it")
    assert "ente Cooperativa Aurora, quartiere Barona, qualsiasi intervento" in it
    assert "almeno 50 beneficiari" in it and "abbassarlo di 10" in it
    assert no_ids([it])
    (en,) = no_plan_sentences(r, "en")
    assert "partner Cooperativa Aurora, area Barona, any intervention" in en


def test_solver_outcomes_are_facts_worded_in_italian() -> None:
    s = scenario(**named())
    facts = [TimeRanOut(2.5, 0.25), SolverFailed("no plan found in time"), BrokenPlan(("x", "y"))]
    assert fact_sentences(s, facts, "it") == [
        "il tempo limite di 2,5 s è finito prima della risoluzione (costruire il modello ha "
        "richiesto 0,2 s)",
        "il risolutore non ha trovato un piano: no plan found in time",
        "il piano del risolutore viola un limite; non viene usato:",
        "x",
        "y",
    ]


def test_facts_are_plain_data_for_provenance() -> None:
    data = named()
    data["earmarks"] = [{"funder_id": "FND_X", "intervention_id": "*", "area_id": "NIL_1"}]
    r = run_scenario(scenario(**data))
    (record,) = json.loads(json.dumps(fact_records(r.facts)))
    assert record["fact"] == "Conflict"
    kinds = {q["kind"] for q in record["requirements"]}
    assert "staff_minimum" in kinds


def test_near_optimal_without_an_optimum_says_why_with_the_run_s_facts() -> None:
    s = scenario(**named(available_fte=1))
    outcome = near_optimal(s, slack=0.1, count=1)
    assert not outcome.ok
    assert outcome.facts == [NoOptimum(tuple(outcome.optimum.facts))]
    head, why = fact_sentences(s, outcome.facts, "it")
    assert head.startswith("lo scenario non ha un piano ottimo") and "Educatore" in why
    (unproven,) = fact_sentences(s, [ExtremeUnproven("served", True, "area", "NIL_2")], "it")
    assert unproven.endswith("il massimo dei beneficiari serviti a Gratosoglio")


def test_alternatives_are_described_with_area_names() -> None:
    """Two named areas, each a partner place at 10 €; the optimum and extremes per area."""
    data = named(min_fte_per_area=0)
    data["partners"].append(
        {"partner_id": "P_2", "name": "Altro ente", "legal_form": "aps", "years_experience": 5}
    )
    s = scenario(
        **data,
        needs=[
            {"area_id": a, "intervention_id": "k_dopo", "need": 100} for a in ("NIL_1", "NIL_2")
        ],
        capacities=[
            {"partner_id": p, "area_id": a, "intervention_id": "k_dopo", "capacity": 60}
            for p, a in (("P_AUR", "NIL_1"), ("P_2", "NIL_2"))
        ],
    )
    outcome = near_optimal(s, slack=0.1, count=2)
    assert outcome.ok and outcome.alternatives
    frame = alternatives_frame(outcome, "it")
    assert frame["description"].iloc[0] == "il piano ottimo"
    described = " ".join(frame["description"].iloc[1:])
    assert ("Barona" in described or "Gratosoglio" in described) and no_ids([described])
    assert "description" not in outcome.alternatives_table()


def test_a_batch_job_keeps_the_facts_and_words_them_when_asked(tmp_path: Path) -> None:
    write_toy(tmp_path / "x", "infeasible")
    bare = solve_job(tmp_path / "x", toy_loader)
    assert bare.exit_code == 3 and bare.message == "" and bare.facts
    assert isinstance(bare.facts[0], StaffShortfall)
    worded = solve_job(tmp_path / "x", toy_loader, why=partial(no_plan_text, lang="it"))
    assert worded.facts == bare.facts
    assert worded.message.startswith("ruolo del personale R: ")


def test_where_a_study_runs_is_said_in_italian() -> None:
    assert executor_words(Executor(), "it") == "in questo processo"
    assert executor_words(LocalExecutor(1), "it") == "in questo processo"
    assert executor_words(LocalExecutor(3), "it") == "3 processi di lavoro su questa macchina"
    assert executor_words(LocalExecutor(3), "en") == "3 local worker processes"


def test_what_a_rule_of_thumb_cut_is_worded_with_names() -> None:
    """Today Cooperativa Aurora serves 90 in Barona, where it has 60 places."""
    s = lock_scenario().model_copy(update={"locks": ()})
    today = BaselineRow(
        partner_id="P_AUR", area_id="NIL_1", intervention_id="k_dopo", beneficiaries=90
    )
    rule = status_quo_plan(s.model_copy(update={"baseline": (today,)}))
    assert rule is not None
    assert rule.clipped[0] == Cut("capacity", "NIL_1", "k_dopo", "P_AUR", wanted=90, allowed=60)
    it = fact_sentences(s, list(rule.clipped), "it")
    assert it[0] == (
        "Cooperativa Aurora (Doposcuola a Barona): 90 beneficiari di oggi ridotti alla capacità "
        "di 60"
    )
    assert no_ids(it)
    (money,) = fact_sentences(s, [Cut("money", "NIL_2", "k_dopo", wanted=1, allowed=0.25)], "en")
    assert money == (
        "Doposcuola in Gratosoglio: cut to the 25.0% funders may pay (amounts and earmarks)"
    )
