"""Needs estimation: monotone in the rates, pure, and in whole non-negative units."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from allocator.datasets.needs import (
    NEED_BASES,
    PARAMETERS_FILE,
    estimate_needs,
    load_parameter_table,
    load_parameters,
    write_needs,
)

pytestmark = pytest.mark.unit


def _profile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["A", "B", "C", "Z"],
            "population": [30000, 12000, 500, 0],
            "households_with_minors": [3000, 1500, 40, 2],
            "households_single_parent": [600, 400, 10, 0],
            "foreign_household_share": [0.1, 0.4, 0.2, 0.0],
            "minors": [4700, 2400, 60, 0],
        }
    )


def test_every_parameter_has_a_source_or_is_marked() -> None:
    table = load_parameter_table()
    assert table["parameter"].is_unique
    assert set(table["status"]) <= {"SOURCE", "DERIVED", "ESTIMATE"}
    sourced = table[table["status"] == "SOURCE"]
    assert (sourced["source"].str.startswith("http")).all()


def test_needs_cover_every_area_and_intervention() -> None:
    needs = estimate_needs(_profile(), load_parameters())
    assert len(needs) == 4 * len(NEED_BASES)
    assert list(needs.columns) == ["area_id", "intervention_id", "need", "priority"]
    assert (needs["need"] >= 0).all()
    assert needs.loc[needs["area_id"] == "Z", "need"].sum() == 0


@pytest.mark.parametrize(
    "parameter",
    [
        "poverty_rate_foreign_households",
        "poverty_rate_italian_households",
        "poverty_rate_households_with_minors",
        "need_share_doposcuola",
        "minors_per_poor_household_with_minors",
    ],
)
def test_needs_grow_with_a_rate(parameter: str) -> None:
    base = load_parameters()
    higher = {**base, parameter: base[parameter] * 1.5}
    before = estimate_needs(_profile(), base)
    after = estimate_needs(_profile(), higher)
    assert (after["need"].to_numpy() >= before["need"].to_numpy()).all()
    assert after["need"].sum() > before["need"].sum()


def test_foreign_share_raises_need() -> None:
    params = load_parameters()
    profile = _profile()
    more = profile.assign(foreign_household_share=profile["foreign_household_share"] + 0.1)
    assert (
        estimate_needs(more, params)["need"].sum() > estimate_needs(profile, params)["need"].sum()
    )


def test_estimate_is_pure() -> None:
    profile = _profile()
    copy = profile.copy()
    params = load_parameters()
    estimate_needs(profile, params)
    pd.testing.assert_frame_equal(profile, copy)
    assert load_parameters() == params


def test_unknown_intervention_is_refused() -> None:
    with pytest.raises(ValueError, match="mensa"):
        estimate_needs(_profile(), load_parameters(), interventions=["mensa"])


def test_write_needs_with_changed_parameter_file(tmp_path: Path) -> None:
    _profile().to_csv(tmp_path / "areas_profile.csv", index=False)
    default = pd.read_csv(write_needs(tmp_path))
    table = pd.read_csv(PARAMETERS_FILE, dtype=str, keep_default_na=False)
    table.loc[table["parameter"] == "need_share_emporio_solidale", "value"] = "0.5"
    changed_file = tmp_path / "params.csv"
    table.to_csv(changed_file, index=False)
    changed = pd.read_csv(write_needs(tmp_path, changed_file, tmp_path / "needs2.csv"))
    grocery = default["intervention_id"] == "emporio_solidale"
    assert changed.loc[grocery, "need"].sum() < default.loc[grocery, "need"].sum()
    assert changed.loc[~grocery, "need"].tolist() == default.loc[~grocery, "need"].tolist()
