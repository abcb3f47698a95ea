"""Near-optimal ranges and alternatives: hand-worked ranges, slack honoured, invariants kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from allocator.cli import app
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Scenario
from allocator.postprocess.invariants import check_plan
from allocator.render.ranges import write_alternatives
from allocator.render.report_negotiation import ranges_section
from allocator.studies.alternatives import NearOptimal, near_optimal
from tests.builders import scenario

pytestmark = pytest.mark.exact

EXACT = 1e-6


def two_areas() -> Scenario:
    """P serves A (priority 2), Q serves B (priority 1), 10 € each, 60 places each, need 100 each,
    1000 € (100 places).

    Unique optimum: A 60, B 40; objective (2·60 + 40) / (2·100 + 100) = 160/300.
    Within 10%: 2a + b ≥ 144 with a + b ≤ 100, a, b ≤ 60, so a ∈ [44, 60] and b ∈ [24, 56].
    """
    return scenario(
        areas=[
            {"area_id": "A", "name": "Area A", "population": 100, "minors": 50},
            {"area_id": "B", "name": "Area B", "population": 100, "minors": 50},
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
            {"partner_id": "P", "area_id": "A", "intervention_id": "k", "capacity": 60},
            {"partner_id": "Q", "area_id": "B", "intervention_id": "k", "capacity": 60},
        ],
        funders=[{"funder_id": "F", "name": "F", "kind": "public", "amount": 1000}],
    )


def ranges_of(outcome: NearOptimal) -> dict[str, tuple[float, ...]]:
    columns = ["served_min", "served_max", "funded_min", "funded_max"]
    frame = outcome.ranges.set_index(outcome.ranges.columns[0])
    return {str(k): tuple(float(v) for v in frame.loc[k, columns]) for k in frame.index}


def test_ranges_within_ten_percent_are_the_hand_worked_ones() -> None:
    outcome = near_optimal(two_areas(), slack=0.1, count=3)
    assert outcome.ok, outcome.facts
    got = ranges_of(outcome)
    assert got["A"] == pytest.approx((44, 60, 440, 600), abs=1e-4)
    assert got["B"] == pytest.approx((24, 56, 240, 560), abs=1e-4)
    assert not outcome.ranges["firm"].any()


def test_slack_zero_collapses_the_ranges_to_the_unique_optimum() -> None:
    outcome = near_optimal(two_areas(), slack=0.0, count=2)
    got = ranges_of(outcome)
    assert got["A"] == pytest.approx((60, 60, 600, 600), abs=1e-4)
    assert got["B"] == pytest.approx((40, 40, 400, 400), abs=1e-4)
    assert outcome.ranges["firm"].all()
    assert outcome.alternatives == []  # nothing differs from the optimum


def check_outcome(s: Scenario, outcome: NearOptimal) -> None:
    """Every alternative within the slack and sound; the optimum inside every range."""
    assert outcome.ok, outcome.facts
    assert outcome.optimum.plan is not None
    best = outcome.optimum.plan.kpis["objective"]
    for alternative in outcome.alternatives:
        assert alternative.plan.kpis["objective"] >= (1 - outcome.slack) * best - 1e-6
        assert check_plan(s, alternative.plan) == []
    r = outcome.ranges
    for what in ("served", "funded"):
        optimum = r[f"{what}_optimum"]
        tolerance = 1e-6 * (1 + optimum.abs())
        assert (r[f"{what}_min"] <= optimum + tolerance).all()
        assert (optimum <= r[f"{what}_max"] + tolerance).all()
    # the ranges hold the optimum plan's own per-area (per-partner) figures
    plan = outcome.optimum.plan
    key = r.columns[0]
    column = "area_id" if key == "area_id" else "partner_id"
    served = plan.allocation.groupby(column)["beneficiaries"].sum()
    for row in r.itertuples(index=False):
        assert float(served.get(getattr(row, key), 0.0)) == pytest.approx(
            row.served_optimum, abs=1e-5
        )


def test_alternatives_stay_within_slack_and_differ() -> None:
    s = two_areas()
    outcome = near_optimal(s, slack=0.1, count=3)
    check_outcome(s, outcome)
    assert 1 <= len(outcome.alternatives) <= 3
    assert all(a.distance_from_optimum > 0 for a in outcome.alternatives)
    table = outcome.alternatives_table()
    assert table["plan"].iloc[0] == "ottimo"


def test_ranges_by_partner() -> None:
    s = two_areas()
    outcome = near_optimal(s, slack=0.1, count=1, by="partner")
    check_outcome(s, outcome)
    assert ranges_of(outcome)["P"] == pytest.approx((44, 60, 440, 600), abs=1e-4)


def test_written_folder_and_report_section(tmp_path: Path) -> None:
    outcome = near_optimal(two_areas(), slack=0.1, count=2)
    out = write_alternatives(outcome, tmp_path / "alt")
    ranges = pd.read_csv(out / "ranges.csv")
    assert list(ranges.columns) == [
        "area_id",
        "name",
        "funded_min",
        "funded_max",
        "served_min",
        "served_max",
        "funded_optimum",
        "served_optimum",
        "firm",
    ]
    table = pd.read_csv(out / "alternatives.csv")
    for folder in table["folder"]:
        assert (out / folder / "allocation.csv").is_file()
    assert (out / "ranges.png").read_bytes()[:4] == b"\x89PNG"
    section = ranges_section(out)
    assert "Alternative quasi ottimali" in section and "Area A" in section


@pytest.mark.cli
def test_cli_alternatives_writes_ranges(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    folder.mkdir()
    s = two_areas()
    for name, text in {
        "scenario.toml": 'name = "due"\n',
        "areas.csv": "area_id,name,population,minors\nA,Area A,100,50\nB,Area B,100,50\n",
        "interventions.csv": "intervention_id,name,unit,unit_cost\nk,K,minors,10\n",
        "needs.csv": "area_id,intervention_id,need,priority\nA,k,100,2\nB,k,100,1\n",
        "partners.csv": "partner_id,name,legal_form,years_experience\nP,P,aps,5\nQ,Q,aps,5\n",
        "capacities.csv": "partner_id,area_id,intervention_id,capacity\nP,A,k,60\nQ,B,k,60\n",
        "funders.csv": "funder_id,name,kind,amount\nF,F,public,1000\n",
    }.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert load_scenario(folder).needs == s.needs
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["alternatives", str(folder), "--slack", "0.1", "--count", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "margine di trattativa" in result.output
    ranges = pd.read_csv(out / "ranges.csv").set_index("area_id")
    assert ranges.loc["A", "served_min"] == pytest.approx(44, abs=1e-4)
    bad = CliRunner().invoke(app, ["alternatives", str(folder), "--by", "funder"])
    assert bad.exit_code == 2


@pytest.mark.slow
def test_milan_alternatives_within_two_percent() -> None:
    s = load_scenario(None)
    outcome = near_optimal(s, slack=0.02, count=3)
    check_outcome(s, outcome)
    assert len(outcome.ranges) == 24
    assert len(outcome.alternatives) == 3
