"""The bundled Milan scenarios: derived figures against the shared open data, validity against
the schema, and byte-for-byte reproduction by build_milano."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from allocator.datasets.milano import build_areas_profile, build_milano, nil_title
from allocator.datasets.needs import calibrate_level, load_parameters
from tests._rows import ROW_MODELS, read_rows, validate_table

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
MILANO = SCENARIOS / "milano"
CITTA = SCENARIOS / "milano-citta"
SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data" / "milano"

needs_shared = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"the shared open data is not at {DATA} (../shared beside the repo)"
)

OWN_TABLES = ["areas", "needs", "partners", "capacities", "baseline"]
INHERITED = ["interventions", "funders", "earmarks", "staff"]


def _demography() -> dict[int, dict[str, str]]:
    with (DATA / "milano_nil_demografia_2021.csv").open(encoding="utf-8") as handle:
        return {int(r["id_nil"]): r for r in csv.DictReader(handle)}


def _qubi_nil() -> list[int]:
    with (DATA / "qubi_reti_quartieri.csv").open(encoding="utf-8") as handle:
        return [int(n) for r in csv.DictReader(handle) for n in r["id_nil_suggeriti"].split(";")]


@pytest.mark.parametrize("table", sorted(ROW_MODELS))
def test_milano_tables_validate(table: str) -> None:
    assert validate_table(MILANO, table)


@pytest.mark.parametrize("table", OWN_TABLES)
def test_milano_citta_tables_validate(table: str) -> None:
    assert validate_table(CITTA, table)


def test_milano_citta_extends_and_inherits() -> None:
    settings = tomllib.loads((CITTA / "scenario.toml").read_text(encoding="utf-8"))
    assert settings["extends"] == "../milano"
    for table in INHERITED:
        assert not (CITTA / f"{table}.csv").exists()
    assert len(read_rows(CITTA / "areas.csv")) == 88


def test_milano_settings() -> None:
    settings = tomllib.loads((MILANO / "scenario.toml").read_text(encoding="utf-8"))
    assert settings["solver"] == {"name": "highs", "time_limit": 60}
    assert 0 <= settings["policy"]["equity_weight"] <= 0.5


@pytest.mark.parametrize("directory", [MILANO, CITTA])
def test_references_are_consistent(directory: Path) -> None:
    areas = {r["area_id"] for r in read_rows(directory / "areas.csv")}
    kinds = {r["intervention_id"] for r in read_rows(MILANO / "interventions.csv")}
    partners = {r["partner_id"] for r in read_rows(directory / "partners.csv")}
    needs = read_rows(directory / "needs.csv")
    assert {(r["area_id"], r["intervention_id"]) for r in needs} == {
        (a, k) for a in areas for k in kinds
    }
    caps = {
        (r["partner_id"], r["area_id"], r["intervention_id"]): float(r["capacity"])
        for r in read_rows(directory / "capacities.csv")
    }
    assert {p for p, _, _ in caps} <= partners
    assert {a for _, a, _ in caps} <= areas and {k for _, _, k in caps} <= kinds
    for row in read_rows(directory / "baseline.csv"):
        key = (row["partner_id"], row["area_id"], row["intervention_id"])
        assert float(row["beneficiaries"]) <= caps[key]


def test_staff_and_earmarks_are_feasible() -> None:
    staff = pd.read_csv(MILANO / "staff.csv")
    funders = pd.read_csv(MILANO / "funders.csv")
    earmarks = pd.read_csv(MILANO / "earmarks.csv")
    for directory in (MILANO, CITTA):
        n_areas = len(read_rows(directory / "areas.csv"))
        assert (staff["min_fte_per_area"] * n_areas <= staff["available_fte"]).all()
    kinds = set(pd.read_csv(MILANO / "interventions.csv")["intervention_id"])
    roles = {f"staff:{r}" for r in staff["role_id"]}
    assert set(earmarks["intervention_id"]) <= kinds | roles | {"*"}
    assert set(earmarks["funder_id"]) <= set(funders["funder_id"])
    staff_cost = float((staff["available_fte"] * staff["cost_per_fte"]).sum())
    staff_payers = set(earmarks.loc[earmarks["intervention_id"].isin(roles), "funder_id"])
    assert staff_cost <= funders.loc[funders["funder_id"].isin(staff_payers), "amount"].sum()
    assert {"public", "private"} == set(funders["kind"])


def test_synthetic_partners_as_documented() -> None:
    partners = pd.read_csv(MILANO / "partners.csv")
    assert 450 <= len(partners) <= 500
    assert partners["partner_id"].str.startswith("SYN-").all()
    assert (partners["years_experience"] < 2).any()
    total = pd.read_csv(MILANO / "capacities.csv")["capacity"].sum()
    assert 40_000 <= total <= 60_000


@needs_shared
def test_qubi_areas_match_the_source() -> None:
    demo = _demography()
    nil = _qubi_nil()
    areas = pd.read_csv(MILANO / "areas.csv")
    assert len(nil) == 24 and len(areas) == 24
    assert sorted(areas["area_id"]) == sorted(f"NIL_{n:03d}" for n in nil)
    assert areas["households_with_minors"].sum() == sum(int(demo[n]["fam_con_minori"]) for n in nil)
    assert areas["population"].sum() == sum(int(demo[n]["pop_totale_2021"]) for n in nil)
    profile = pd.read_csv(MILANO / "areas_profile.csv")
    single = sum(int(demo[n]["fam_monogenitore_con_minori"]) for n in nil)
    assert profile["households_single_parent"].sum() == single
    assert (profile["minors_is_estimate"] == "ESTIMATE").all()
    assert profile["source"].str.contains("CC BY 4.0").all()


@needs_shared
def test_city_areas_match_the_source() -> None:
    demo = _demography()
    areas = pd.read_csv(CITTA / "areas.csv")
    assert areas["households_with_minors"].sum() == 129_560
    assert areas["population"].sum() == sum(int(r["pop_totale_2021"]) for r in demo.values())
    assert (areas["minors"] <= areas["population"]).all()
    tiny = areas.set_index("area_id").loc["NIL_003"]
    assert tiny["population"] == 42


@needs_shared
def test_stored_level_factor_matches_calibration() -> None:
    params = load_parameters()
    city = build_areas_profile(DATA, params)
    assert calibrate_level(city, params) == pytest.approx(params["poverty_level_factor"], abs=1e-3)


@needs_shared
def test_build_milano_reproduces_committed_files(tmp_path: Path) -> None:
    written = build_milano(DATA, tmp_path)
    assert written
    for path in written:
        committed = SCENARIOS / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} differs from a rebuild"


def test_nil_titles() -> None:
    assert nil_title("CITTA' STUDI") == "Città Studi"
    assert nil_title("BAGGIO - Q.RE DEGLI OLMI - Q.RE VALSESIA") == (
        "Baggio - Q.re degli Olmi - Q.re Valsesia"
    )
    assert nil_title("NIGUARDA - CA' GRANDA") == "Niguarda - Ca' Granda"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["milano", "milano-citta"])
def test_milano_scenarios_load_and_solve_to_optimality(name: str) -> None:
    """Through the real loader (extends included), to an optimal plan that breaks no limit."""
    from allocator.inputs.loading import load_scenario
    from allocator.optimization.pipeline import run_scenario
    from allocator.optimization.solve import SolveStatus
    from allocator.postprocess.invariants import check_plan

    scenario = load_scenario(SCENARIOS / name)
    result = run_scenario(scenario)
    assert result.status is SolveStatus.OPTIMAL, result.facts
    assert result.plan is not None
    assert check_plan(scenario, result.plan) == []
    kpis = result.plan.kpis
    assert 0 < kpis["coverage"] < 1
    assert kpis["partners_excluded"] > 0
    assert kpis["funded"] <= kpis["budget_total"] + 1e-6
