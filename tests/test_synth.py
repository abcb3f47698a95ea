"""The synthetic generator: deterministic, sized as asked, valid against the schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allocator.datasets.synth import synth_scenario
from tests._rows import ROW_MODELS, validate_table

pytestmark = pytest.mark.unit

TABLES = sorted(ROW_MODELS)


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = synth_scenario(tmp_path / "a", areas=6, interventions=4, partners=40, seed=7)
    b = synth_scenario(tmp_path / "b", areas=6, interventions=4, partners=40, seed=7)
    c = synth_scenario(tmp_path / "c", areas=6, interventions=4, partners=40, seed=8)
    assert _bytes(a) == _bytes(b)
    assert _bytes(a) != _bytes(c)


@pytest.mark.parametrize(("areas", "interventions", "partners"), [(1, 1, 1), (12, 5, 150)])
def test_counts_and_validity(tmp_path: Path, areas: int, interventions: int, partners: int) -> None:
    d = synth_scenario(
        tmp_path / "s", areas=areas, interventions=interventions, partners=partners, seed=1
    )
    assert (d / "scenario.toml").is_file()
    assert len(validate_table(d, "areas")) == areas
    assert len(validate_table(d, "interventions")) == interventions
    assert len(validate_table(d, "partners")) == partners
    assert len(validate_table(d, "needs")) == areas * interventions
    for table in TABLES:
        validate_table(d, table)


def test_capacity_and_baseline_invariants(tmp_path: Path) -> None:
    d = synth_scenario(tmp_path / "s", areas=20, interventions=6, partners=600, seed=3)
    partners = pd.read_csv(d / "partners.csv")
    caps = pd.read_csv(d / "capacities.csv")
    base = pd.read_csv(d / "baseline.csv")
    new_share = float((partners["years_experience"] < 2).mean())
    assert 0.06 < new_share < 0.2
    assert partners["legal_form"].nunique() == 8
    assert partners["name"].is_unique and partners["partner_id"].is_unique
    assert (caps["capacity"] >= 0).all()
    assert (caps["cofunding_per_beneficiary"] >= 0).all()
    keys = ["partner_id", "area_id", "intervention_id"]
    assert not caps.duplicated(keys).any()
    merged = base.merge(caps, on=keys, how="left", validate="one_to_one")
    assert merged["capacity"].notna().all()
    assert (merged["beneficiaries"] <= merged["capacity"]).all()
    young = set(partners.loc[partners["years_experience"] < 2, "partner_id"])
    assert not set(base["partner_id"]) & young


def test_staff_minimum_is_feasible(tmp_path: Path) -> None:
    d = synth_scenario(tmp_path / "s", areas=30, interventions=3, partners=50, seed=0)
    staff = pd.read_csv(d / "staff.csv")
    assert (staff["min_fte_per_area"] * 30 <= staff["available_fte"]).all()


def test_bad_sizes_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        synth_scenario(tmp_path / "s", areas=0, interventions=1, partners=1)
