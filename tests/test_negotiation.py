"""Locks and transition limits on hand-solvable scenarios: each optimum is worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from allocator.errors import InputError
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import BaselineRow, Lock, Scenario
from allocator.optimization.lock_conflicts import LockConflict
from allocator.optimization.negotiation import loss_bounds
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.transition import transition_table
from allocator.render.facts import no_plan_sentences
from allocator.render.negotiation import transition_sentence
from tests.builders import scenario
from tests.conftest import solved

pytestmark = pytest.mark.exact

EXACT = 1e-6


def by_partner(result: RunResult) -> dict[str, float]:
    assert result.plan is not None
    frame = result.plan.allocation.groupby("partner_id")["beneficiaries"].sum()
    return {str(k): float(v) for k, v in frame.items()}


def two_partners(**policy: Any) -> Scenario:
    """P serves at 10 €, Q at 20 €, 60 places each, need 100, 800 €.

    Optimum: P's 60 places (600 €), then 200 € buy 10 of Q: 70 served.
    """
    return scenario(
        partners=[
            {"partner_id": "P", "name": "P", "legal_form": "aps", "years_experience": 5},
            {"partner_id": "Q", "name": "Q", "legal_form": "aps", "years_experience": 5},
        ],
        needs=[{"area_id": "A", "intervention_id": "k", "need": 100}],
        capacities=[
            {
                "partner_id": "P",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 60,
                "unit_cost": 10,
            },
            {
                "partner_id": "Q",
                "area_id": "A",
                "intervention_id": "k",
                "capacity": 60,
                "unit_cost": 20,
            },
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 800}],
        policy=policy,
    )


def locked(s: Scenario, *locks: dict[str, Any]) -> Scenario:
    rows = tuple(Lock(**{"area_id": "*", "intervention_id": "*", **lock}) for lock in locks)
    return s.model_copy(update={"locks": rows})


def test_without_locks_the_cheaper_partner_fills_first() -> None:
    assert by_partner(solved(two_partners())) == pytest.approx({"P": 60, "Q": 10})


def test_lock_out_leaves_only_the_dearer_partner() -> None:
    """P locked out (max 0): 800 € buy 40 places of Q at 20 €."""
    result = solved(locked(two_partners(), {"partner_id": "P", "max_beneficiaries": 0}))
    assert by_partner(result) == pytest.approx({"Q": 40})
    assert result.plan is not None
    assert result.plan.kpis["beneficiaries_served"] == pytest.approx(40, abs=EXACT)


def test_lock_in_keeps_the_dearer_partner() -> None:
    """Q locked in at 30 (600 €): 200 € left buy 20 of P; 50 served."""
    result = solved(locked(two_partners(), {"partner_id": "Q", "min_beneficiaries": 30}))
    assert by_partner(result) == pytest.approx({"P": 20, "Q": 30})


def test_fix_sets_the_partner_exactly() -> None:
    """P fixed at 40 (400 €): 400 € left buy 20 of Q; 60 served."""
    result = solved(
        locked(
            two_partners(),
            {
                "partner_id": "P",
                "area_id": "A",
                "intervention_id": "k",
                "min_beneficiaries": 40,
                "max_beneficiaries": 40,
            },
        )
    )
    assert by_partner(result) == pytest.approx({"P": 40, "Q": 20})


def test_a_lock_the_money_cannot_pay_is_named() -> None:
    """Q at least 50 costs 1000 € of 800: at most 40, so the fix is 10 fewer."""
    s = locked(two_partners(), {"partner_id": "Q", "min_beneficiaries": 50})
    result = run_scenario(s)
    assert result.status is SolveStatus.INFEASIBLE
    assert [type(f) for f in result.facts] == [LockConflict]
    (sentence,) = no_plan_sentences(result, "en")
    assert "partner Q" in sentence and "at least 50" in sentence and "by 10" in sentence


def two_areas(baseline: dict[str, float], capacity_q: float = 100, **policy: Any) -> Scenario:
    """P serves A (priority 2), Q serves B (priority 1), both 10 €, need 100 each, 1000 €.

    Without limits all 100 places go to A; today P serves baseline['P'] and Q baseline['Q'].
    """
    s = scenario(
        areas=[
            {"area_id": "A", "name": "A", "population": 100, "minors": 50},
            {"area_id": "B", "name": "B", "population": 100, "minors": 50},
        ],
        partners=[
            {"partner_id": "P", "name": "P", "legal_form": "aps", "years_experience": 5},
            {"partner_id": "Q", "name": "Q", "legal_form": "aps", "years_experience": 5},
        ],
        needs=[
            {"area_id": "A", "intervention_id": "k", "need": 100, "priority": 2},
            {"area_id": "B", "intervention_id": "k", "need": 100},
        ],
        capacities=[
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 100},
            {"partner_id": "Q", "area_id": "B", "intervention_id": "k", "capacity": capacity_q},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1000}],
        policy=policy,
    )
    rows = (
        BaselineRow(partner_id="P", area_id="A", intervention_id="k", beneficiaries=baseline["P"]),
        BaselineRow(partner_id="Q", area_id="B", intervention_id="k", beneficiaries=baseline["Q"]),
    )
    return s.model_copy(update={"baseline": rows})


def test_without_a_limit_the_partner_of_the_lesser_area_loses_everything() -> None:
    assert by_partner(solved(two_areas({"P": 50, "Q": 50}))) == pytest.approx({"P": 100})


def test_a_binding_partner_loss_limit_gives_the_hand_worked_plan() -> None:
    """Q may lose 20% of its 50: at least 40 in B (400 €), the other 600 € buy 60 in A.

    Objective (2·60 + 40) / (2·100 + 100) = 160/300.
    """
    result = solved(two_areas({"P": 50, "Q": 50}, max_partner_loss=0.2))
    assert by_partner(result) == pytest.approx({"P": 60, "Q": 40})
    assert result.plan is not None
    assert result.plan.kpis["objective"] == pytest.approx(160 / 300, abs=EXACT)


def test_an_area_loss_limit_binds_the_same_way() -> None:
    """Area B may lose half of today's 50: at least 25 there, 75 in A."""
    result = solved(two_areas({"P": 50, "Q": 50}, max_area_loss=0.5))
    assert by_partner(result) == pytest.approx({"P": 75, "Q": 25})


def test_a_limit_beyond_capacity_is_clipped_and_said() -> None:
    """Q can serve only 30 now: the floor of 40 is clipped to 30, and listed as clipped."""
    s = two_areas({"P": 50, "Q": 50}, capacity_q=30, max_partner_loss=0.2)
    (p_bound, q_bound) = loss_bounds(s)
    assert (p_bound.key, p_bound.clipped) == ("P", False)
    assert (q_bound.key, q_bound.wanted, q_bound.bound, q_bound.clipped) == ("Q", 40, 30, True)
    assert by_partner(solved(s)) == pytest.approx({"P": 70, "Q": 30})


def test_a_limit_the_money_cannot_meet_gives_a_plan_with_the_shortfall_stated() -> None:
    """Floors of 80 + 80 places cost 1600 € of 1000: the 100 places affordable go first to the
    floors (penalised shortfall), A's first (priority 2): P 80, Q 20, Q short of its floor by 60.
    """
    s = two_areas({"P": 100, "Q": 100}, max_partner_loss=0.2)
    result = solved(s)
    assert by_partner(result) == pytest.approx({"P": 80, "Q": 20})
    assert result.plan is not None
    table = transition_table(s, result.plan.allocation).set_index("id")
    assert table.loc["P", "shortfall"] == pytest.approx(0, abs=EXACT)
    assert table.loc["Q", "shortfall"] == pytest.approx(60, abs=EXACT)
    assert table.loc["Q", "change"] == pytest.approx(-0.8)
    sentence = transition_sentence(table.reset_index(), lang="it")
    assert "1 partner" in sentence and "60" in sentence


# --- locks.csv through the loader -------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "scenario.toml", 'name = "locks"\n')
    write(tmp_path, "areas.csv", "area_id,name,population,minors\nA,A,100,50\n")
    write(tmp_path, "interventions.csv", "intervention_id,name,unit,unit_cost\nk,K,minors,10\n")
    write(tmp_path, "needs.csv", "area_id,intervention_id,need\nA,k,100\n")
    write(
        tmp_path,
        "partners.csv",
        "partner_id,name,legal_form,years_experience\nP,P,aps,5\nQ,Q,aps,5\nN,N,aps,1\n",
    )
    write(
        tmp_path,
        "capacities.csv",
        "partner_id,area_id,intervention_id,capacity\nP,A,k,60\nQ,A,k,60\nN,A,k,60\n",
    )
    write(tmp_path, "funders.csv", "funder_id,name,kind,amount\nF,F,public,800\n")
    return tmp_path


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        load_scenario(folder)
    return [str(p) for p in error.value.problems]


def test_locks_csv_is_read(folder: Path) -> None:
    write(
        folder,
        "locks.csv",
        "partner_id,area_id,intervention_id,min_beneficiaries,max_beneficiaries\n"
        "P,*,*,,0\nQ,A,k,30,30\n",
    )
    loaded = load_scenario(folder)
    assert loaded.locks == (
        Lock(partner_id="P", area_id="*", intervention_id="*", max_beneficiaries=0),
        Lock(
            partner_id="Q",
            area_id="A",
            intervention_id="k",
            min_beneficiaries=30,
            max_beneficiaries=30,
        ),
    )
    assert by_partner(solved(loaded)) == pytest.approx({"Q": 30})


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("X,*,*,10,", "locks.csv, row 2, column 'partner_id': no partner_id 'X'"),
        (
            "P,*,*,50,20",
            "locks.csv, row 2, column 'min_beneficiaries': min_beneficiaries (50) "
            "is above max_beneficiaries (20)",
        ),
        (
            "P,*,*,,",
            "locks.csv, row 2, column 'min_beneficiaries': min_beneficiaries and "
            "max_beneficiaries are both blank",
        ),
        (
            "*,A,*,130,",
            "locks.csv, row 2, column 'min_beneficiaries': the minimum cannot be met: "
            "the capacity rows it matches can serve at most 100",
        ),
        (
            "P,A,k,70,",
            "locks.csv, row 2, column 'min_beneficiaries': the minimum cannot be met: "
            "the capacity rows it matches can serve at most 60",
        ),
        ("N,*,*,5,", "partner N is excluded as ineligible"),
        ("P,*,*,-1,", "locks.csv, row 2, column 'min_beneficiaries': is negative"),
    ],
)
def test_bad_locks_are_refused_with_file_row_column(
    folder: Path, row: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOCATOR_LANG", "en")  # the messages in English (Italian by default)
    write(
        folder,
        "locks.csv",
        f"partner_id,area_id,intervention_id,min_beneficiaries,max_beneficiaries\n{row}\n",
    )
    found = problems(folder)
    assert any(expected in p for p in found), found


# --- Milan --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_milan_partners_keep_80_percent_of_today_where_capacity_allows() -> None:
    """With max_partner_loss = 0.2 every partner active today keeps 80% of its beneficiaries,
    except where staff availability does not allow it: with three times the staff, all do."""
    s = load_scenario(None, ["policy.max_partner_loss=0.2"])
    more_staff = s.model_copy(
        update={
            "staff": tuple(
                r.model_copy(update={"available_fte": 3 * r.available_fte}) for r in s.staff
            )
        }
    )
    for case, expect_all in ((s, False), (more_staff, True)):
        result = solved(case)
        assert result.plan is not None
        table = transition_table(case, result.plan.allocation)
        assert len(table) > 200
        kept = table[table["shortfall"] == 0]
        assert (kept["served"] >= kept["floor"] - 1e-6).all()
        capacity_kept = kept[~kept["clipped"]]
        assert (capacity_kept["change"] >= -0.2 - 1e-9).all()
        if expect_all:
            assert table["shortfall"].sum() == 0
        else:  # what staff cannot keep is a small, stated shortfall
            assert 0 < table["shortfall"].sum() < 0.05 * table["floor"].sum()


@pytest.mark.cli
def test_run_prints_and_writes_the_price_and_the_report_shows_it(
    folder: Path, tmp_path: Path
) -> None:
    """Q locked in at 30 in the two-partner scenario: 50 served instead of 70 (P 60, Q 10)."""
    from typer.testing import CliRunner

    from allocator.cli import app
    from allocator.render.report import build_report, read_run

    write(
        folder,
        "capacities.csv",
        "partner_id,area_id,intervention_id,capacity,unit_cost\nP,A,k,60,10\nQ,A,k,60,20\n",
    )
    write(
        folder,
        "partners.csv",
        "partner_id,name,legal_form,years_experience\nP,P,aps,5\nQ,Q,aps,5\n",
    )
    write(folder, "locks.csv", "partner_id,area_id,intervention_id,min_beneficiaries\nQ,*,*,30\n")
    out = tmp_path.with_name(f"{tmp_path.name}-run")  # beside the scenario, never inside it
    result = CliRunner().invoke(app, ["run", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "costa 20 beneficiari (50 serviti invece di 70" in " ".join(result.output.split())
    price = pd.read_csv(out / "negotiation_price.csv").set_index("measure")
    assert price.loc["beneficiaries_served", "difference"] == pytest.approx(-20)
    html = build_report([read_run(out)])
    assert "Vincoli fissi e gradualità" in html and "50 beneficiari invece di 70" in html


def test_with_locks_checks_rows_as_locks_csv() -> None:
    from allocator.optimization.negotiation import with_locks

    s = two_partners()
    assert by_partner(solved(with_locks(s, {"partner_id": "P", "max_beneficiaries": 0}))) == (
        pytest.approx({"Q": 40})
    )
    with pytest.raises(InputError, match="no partner_id 'X'"):
        with_locks(s, {"partner_id": "X", "min_beneficiaries": 1})
    with pytest.raises(InputError, match="at most 60"):
        with_locks(s, {"partner_id": "P", "min_beneficiaries": 61})
