"""Needs per area and intervention, estimated from area demographics and published poverty rates.

Method (every figure is a row of ``allocator/data/needs_parameters.csv``, with its source):

1. An area's share of households headed by a foreigner ``f`` mixes the ISTAT poverty rates of
   Italian (6.2%) and foreign (35.2%) households: ``mix = (1 - f) * r_it + f * r_for``.
2. Two ratios of published rates adapt it: households with minors against all households
   (12.3 / 8.4) and the centres of northern metropolitan areas against Italy (8.2 / 8.4). Single
   parents get the ratio 14.4 / 12.3 on top. A level factor (``poverty_level_factor``, see
   :func:`calibrate_level`) keeps the mix's differences between areas but sets the city-wide level
   to ISTAT's share of poor minors (13.8%) times the territorial ratio. The result is capped
   (``poverty_rate_cap``).
3. Poor households with minors = rate × households with minors; poor minors = poor households ×
   minors per poor household (2.09, Milan 2016), never more than the area's minors.
4. Need of an intervention = its base (poor households or poor minors) × its ``need_share_<id>``.

All of this is an ESTIMATE: ISTAT rates are national, not per neighbourhood.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from allocator.errors import UsageError
from allocator.outputs.tabular import write_csv

PARAMETERS_FILE = Path(__file__).resolve().parents[1] / "data" / "needs_parameters.csv"
"""The one file holding every parameter of the estimate, with its source."""

NEED_BASES: dict[str, str] = {
    "emporio_solidale": "poor_households",
    "doposcuola": "poor_minors",
    "centro_estivo": "poor_minors",
    "sostegno_genitorialita": "poor_households",
    "orientamento_lavoro": "poor_households",
    "supporto_psicologico": "poor_minors",
    "orientamento_servizi": "poor_households",
}
"""What each bundled intervention's need is a share of (``need_share_<intervention_id>``)."""

NEEDS_COLUMNS = ["area_id", "intervention_id", "need", "priority"]


def load_parameters(path: Path | None = None) -> dict[str, float]:
    """Parameter name → value from a parameters CSV (the bundled one by default)."""
    with (path or PARAMETERS_FILE).open(encoding="utf-8", newline="") as handle:
        return {row["parameter"]: float(row["value"]) for row in csv.DictReader(handle)}


def load_parameter_table(path: Path | None = None) -> pd.DataFrame:
    """The parameters CSV as a table, with units, sources and notes (for reports)."""
    return pd.read_csv(path or PARAMETERS_FILE, dtype=str, keep_default_na=False)


def _column(profile: pd.DataFrame, name: str, default: float) -> pd.Series:
    if name in profile.columns:
        return pd.to_numeric(profile[name], errors="coerce").fillna(default).astype(float)
    return pd.Series(default, index=profile.index, dtype=float)


def poverty_estimate(areas_profile: pd.DataFrame, parameters: Mapping[str, float]) -> pd.DataFrame:
    """Per area: estimated poverty rate of households with minors, poor households, poor minors.

    ``areas_profile`` needs ``area_id`` and ``households_with_minors``; it may give
    ``households_single_parent``, ``foreign_household_share`` (0-1), ``minors`` and
    ``population`` (missing ones take defaults: no single parents, the default foreign share,
    minors from households, no cap by population).
    """
    p = parameters
    households = _column(areas_profile, "households_with_minors", 0.0)
    single = _column(areas_profile, "households_single_parent", 0.0).clip(upper=households)
    default_foreign = p["foreign_household_share_default"]
    foreign = _column(areas_profile, "foreign_household_share", default_foreign)
    minors = _column(areas_profile, "minors", float("nan"))
    minors = minors.where(minors.notna(), households * p["minors_per_household_with_minors"])
    if "population" in areas_profile.columns:
        minors = minors.clip(upper=_column(areas_profile, "population", 0.0))

    mix = (1 - foreign) * p["poverty_rate_italian_households"] + foreign * p[
        "poverty_rate_foreign_households"
    ]
    territorial = p["poverty_rate_metro_north"] / p["poverty_rate_all_households"]
    with_minors = p["poverty_rate_households_with_minors"] / p["poverty_rate_all_households"]
    cap = p["poverty_rate_cap"]
    level = p.get("poverty_level_factor", 1.0)
    rate_couples = (mix * territorial * with_minors * level).clip(upper=cap) / 100
    single_ratio = (
        p["poverty_rate_single_parent_with_minors"] / p["poverty_rate_households_with_minors"]
    )
    rate_single = (rate_couples * single_ratio).clip(upper=cap / 100)
    poor_households = rate_couples * (households - single) + rate_single * single
    poor_minors = (poor_households * p["minors_per_poor_household_with_minors"]).clip(upper=minors)
    rate = (poor_households / households.where(households > 0)).fillna(rate_couples)
    return pd.DataFrame(
        {
            "area_id": areas_profile["area_id"].astype(str).to_numpy(),
            "poverty_rate_households_with_minors": rate.round(4).to_numpy(),
            "poor_households_with_minors": poor_households.round(1).to_numpy(),
            "poor_minors": poor_minors.round(1).to_numpy(),
        }
    )


def calibrate_level(
    city_profile: pd.DataFrame, parameters: Mapping[str, float], iterations: int = 20
) -> float:
    """The ``poverty_level_factor`` making the city's poor minors equal the target share of its
    minors (``poverty_rate_minors`` × metro-north / Italy), with the other parameters given."""
    p = dict(parameters)
    target_share = (
        p["poverty_rate_minors"]
        / 100
        * p["poverty_rate_metro_north"]
        / p["poverty_rate_all_households"]
    )
    minors = _column(city_profile, "minors", 0.0).sum()
    factor = 1.0
    for _ in range(iterations):
        p["poverty_level_factor"] = factor
        poor = poverty_estimate(city_profile, p)["poor_minors"].sum()
        if poor <= 0:
            break
        factor *= target_share * minors / poor
    return round(factor, 4)


def estimate_needs(
    areas_profile: pd.DataFrame,
    parameters: Mapping[str, float],
    interventions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """needs.csv rows (area_id, intervention_id, need, priority=1), sorted, needs in whole units.

    Pure: a planner changing a rate in ``parameters`` sees the needs move. ``interventions``
    defaults to every bundled intervention with a ``need_share_<id>`` parameter.
    """
    ids = list(interventions) if interventions is not None else list(NEED_BASES)
    missing = [k for k in ids if k not in NEED_BASES or f"need_share_{k}" not in parameters]
    if missing:
        raise ValueError(f"no need base or need_share parameter for: {', '.join(missing)}")
    poverty = poverty_estimate(areas_profile, parameters)
    bases = {
        "poor_households": poverty["poor_households_with_minors"],
        "poor_minors": poverty["poor_minors"],
    }
    rows: list[tuple[str, str, int, int]] = []
    for k in ids:
        need = bases[NEED_BASES[k]] * parameters[f"need_share_{k}"]
        for area_id, value in zip(poverty["area_id"], need, strict=True):
            rows.append((area_id, k, max(0, round(float(value))), 1))
    table = pd.DataFrame(rows, columns=NEEDS_COLUMNS)
    return table.sort_values(["area_id", "intervention_id"], kind="stable").reset_index(drop=True)


def _find_profile(scenario_dir: Path) -> Path:
    """areas_profile.csv, else areas.csv, in the scenario or the parents it extends."""
    return _find_file(scenario_dir, ("areas_profile.csv", "areas.csv"))


def _find_file(scenario_dir: Path, names: tuple[str, ...]) -> Path:
    """The first of ``names`` found in the scenario or the parents it extends."""
    directory: Path | None = scenario_dir
    seen: set[Path] = set()
    while directory is not None and directory.resolve() not in seen:
        seen.add(directory.resolve())
        for name in names:
            if (directory / name).is_file():
                return directory / name
        toml = directory / "scenario.toml"
        parent = None
        if toml.is_file():
            extends = tomllib.loads(toml.read_text(encoding="utf-8")).get("extends")
            parent = (directory / extends) if isinstance(extends, str) else None
        directory = parent
    raise FileNotFoundError(f"no {' or '.join(names)} in {scenario_dir} or its parents")


def write_needs(
    scenario_dir: Path, parameters_file: Path | None = None, out: Path | None = None
) -> Path:
    """Estimate a scenario's needs and write them (CLI ``allocator needs``); return the file.

    Reads ``areas_profile.csv`` (or ``areas.csv``) of ``scenario_dir``, the parameters from
    ``parameters_file`` (the bundled file by default), writes ``out`` (default
    ``scenario_dir/needs.csv``).
    """
    profile = pd.read_csv(_find_profile(scenario_dir), dtype={"area_id": str})
    interventions = _scenario_interventions(scenario_dir)
    unknown = sorted(set(interventions or ()) - set(NEED_BASES))
    if unknown:
        raise UsageError(
            f"no estimation rule for the interventions {', '.join(unknown)} of {scenario_dir}: "
            f"the rules cover {', '.join(sorted(NEED_BASES))} (see needs_parameters.csv)"
        )
    needs = estimate_needs(profile, load_parameters(parameters_file), interventions)
    return write_csv(needs, out or scenario_dir / "needs.csv")


def _scenario_interventions(scenario_dir: Path) -> list[str] | None:
    """The intervention ids of the scenario's interventions.csv (or its parents'); None when
    the folder has none (then every bundled intervention is estimated)."""
    try:
        table = _find_file(scenario_dir, ("interventions.csv",))
    except FileNotFoundError:
        return None
    return sorted(pd.read_csv(table, dtype=str)["intervention_id"])
