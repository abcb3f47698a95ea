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

All of this is an ESTIMATE: ISTAT rates are national, not per neighbourhood. Every parameter has
a ``low`` and a ``high`` with the reason for the range (``range_basis``): :class:`ParameterSampler`
re-estimates the needs within them for ``allocator uncertainty`` and robust plans.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allocator.errors import UsageError
from allocator.inputs.loading import DEFAULT_SCENARIO
from allocator.inputs.schema import Scenario
from allocator.outputs.files import write_csv_atomically
from allocator.studies.uncertainty import Dimension, NeedSampler, NeedVector, spread_sampler

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
SAMPLED_GROUPS = ("poverty", "demography", "need")
"""The parameter groups the needs depend on: those resampled by ``allocator uncertainty``."""
AREA_FACTOR = "area_rate_factor"
"""Multiplies one area's estimated rate: 1 in the estimate, drawn per area when sampling."""


def load_parameters(path: Path | None = None) -> dict[str, float]:
    """Parameter name → value from a parameters CSV (the bundled one by default)."""
    with (path or PARAMETERS_FILE).open(encoding="utf-8", newline="") as handle:
        return {row["parameter"]: float(row["value"]) for row in csv.DictReader(handle)}


def load_parameter_table(path: Path | None = None) -> pd.DataFrame:
    """The parameters CSV as a table, with units, sources and notes (for reports)."""
    return pd.read_csv(path or PARAMETERS_FILE, dtype=str, keep_default_na=False)


def load_ranges(path: Path | None = None) -> dict[str, tuple[float, float, str]]:
    """Parameter name → (low, high, reason for the range) from a parameters CSV."""
    table = load_parameter_table(path)
    if not {"low", "high"} <= set(table.columns):
        return {}
    ranges = {}
    for row in table.itertuples(index=False):
        value = float(row.value)
        low = float(row.low) if row.low != "" else value
        high = float(row.high) if row.high != "" else value
        if not low <= value <= high:
            raise UsageError(
                f"{path or PARAMETERS_FILE}: parameter {row.parameter}: value {value:g} is not "
                f"within its range low {low:g} .. high {high:g}"
            )
        ranges[str(row.parameter)] = (low, high, str(getattr(row, "range_basis", "")))
    return ranges


def _column(profile: pd.DataFrame, name: str, default: float) -> pd.Series:
    if name in profile.columns:
        return pd.to_numeric(profile[name], errors="coerce").fillna(default).astype(float)
    return pd.Series(default, index=profile.index, dtype=float)


def poverty_estimate(
    areas_profile: pd.DataFrame, parameters: Mapping[str, float], rounded: bool = True
) -> pd.DataFrame:
    """Per area: estimated poverty rate of households with minors, poor households, poor minors.

    ``areas_profile`` needs ``area_id`` and ``households_with_minors``; it may give
    ``households_single_parent``, ``foreign_household_share`` (0-1), ``minors``,
    ``population`` and ``area_rate_factor`` (missing ones take defaults: no single parents, the
    default foreign share, minors from households, no cap by population, factor 1).
    ``rounded=False`` keeps every digit (for ratios between two estimates).
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
    local = _column(areas_profile, AREA_FACTOR, p.get(AREA_FACTOR, 1.0))
    rate_couples = (mix * territorial * with_minors * level * local).clip(upper=cap) / 100
    single_ratio = (
        p["poverty_rate_single_parent_with_minors"] / p["poverty_rate_households_with_minors"]
    )
    rate_single = (rate_couples * single_ratio).clip(upper=cap / 100)
    poor_households = rate_couples * (households - single) + rate_single * single
    poor_minors = (poor_households * p["minors_per_poor_household_with_minors"]).clip(upper=minors)
    rate = (poor_households / households.where(households > 0)).fillna(rate_couples)
    digits = (4, 1) if rounded else (None, None)
    return pd.DataFrame(
        {
            "area_id": areas_profile["area_id"].astype(str).to_numpy(),
            "poverty_rate_households_with_minors": _round(rate, digits[0]),
            "poor_households_with_minors": _round(poor_households, digits[1]),
            "poor_minors": _round(poor_minors, digits[1]),
        }
    )


def _round(values: pd.Series, digits: int | None) -> object:
    return (values if digits is None else values.round(digits)).to_numpy()


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
    rounded: bool = True,
) -> pd.DataFrame:
    """needs.csv rows (area_id, intervention_id, need, priority=1), sorted, needs in whole units
    (every digit with ``rounded=False``).

    Pure: a planner changing a rate in ``parameters`` sees the needs move. ``interventions``
    defaults to every bundled intervention with a ``need_share_<id>`` parameter.
    """
    ids = list(interventions) if interventions is not None else list(NEED_BASES)
    missing = [k for k in ids if k not in NEED_BASES or f"need_share_{k}" not in parameters]
    if missing:
        raise ValueError(f"no need base or need_share parameter for: {', '.join(missing)}")
    poverty = poverty_estimate(areas_profile, parameters, rounded=rounded)
    bases = {
        "poor_households": poverty["poor_households_with_minors"],
        "poor_minors": poverty["poor_minors"],
    }
    rows: list[tuple[str, str, float, int]] = []
    for k in ids:
        need = bases[NEED_BASES[k]] * parameters[f"need_share_{k}"]
        for area_id, value in zip(poverty["area_id"], need, strict=True):
            amount = max(0.0, float(value))
            rows.append((area_id, k, round(amount) if rounded else amount, 1))
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
    return write_csv_atomically(needs, out or scenario_dir / "needs.csv", fixed=True)


def _scenario_interventions(scenario_dir: Path) -> list[str] | None:
    """The intervention ids of the scenario's interventions.csv (or its parents'); None when
    the folder has none (then every bundled intervention is estimated)."""
    try:
        table = _find_file(scenario_dir, ("interventions.csv",))
    except FileNotFoundError:
        return None
    return sorted(pd.read_csv(table, dtype=str)["intervention_id"])


@dataclass(frozen=True)
class ParameterSampler:
    """Needs re-estimated with the parameters drawn within their ranges.

    The sampled dimensions are the parameters of :data:`SAMPLED_GROUPS` whose range is not a
    point, and one rate factor per area (:data:`AREA_FACTOR`). A sample's need is the scenario's
    need times the ratio of the two estimates (sampled / nominal), so the needs as given (even
    edited by hand) are the centre and a zero-width range gives them back exactly.
    """

    profile: pd.DataFrame = field(compare=False)
    parameters: Mapping[str, float]
    ranges: Mapping[str, tuple[float, float, str]]
    groups: Mapping[str, str]
    """Parameter → its group (poverty, demography, need, cost, ...)."""
    base: tuple[tuple[str, str, float], ...]
    interventions: tuple[str, ...]

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        dims = []
        for name, (low, high, basis) in sorted(self.ranges.items()):
            if self.groups.get(name) in SAMPLED_GROUPS and high > low and name != AREA_FACTOR:
                dims.append(Dimension(name, self.parameters[name], low, high, basis))
        low, high, basis = self.ranges.get(AREA_FACTOR, (1.0, 1.0, ""))
        if high > low:
            for area_id in sorted(self.profile["area_id"].astype(str)):
                dims.append(Dimension(f"{AREA_FACTOR}:{area_id}", 1.0, low, high, basis))
        return tuple(dims)

    def _estimate(
        self, parameters: Mapping[str, float], factors: Mapping[str, float]
    ) -> NeedVector:
        profile = self.profile.assign(
            **{AREA_FACTOR: self.profile["area_id"].astype(str).map(factors).fillna(1.0)}
        )
        table = estimate_needs(profile, parameters, self.interventions, rounded=False)
        keys = zip(table["area_id"], table["intervention_id"], strict=True)
        return dict(zip(keys, table["need"].astype(float), strict=True))

    def needs(self, values: Sequence[float]) -> NeedVector:
        point = dict(zip((d.name for d in self.dimensions), values, strict=True))
        parameters = {**self.parameters, **{k: v for k, v in point.items() if ":" not in k}}
        factors = {
            k.split(":", 1)[1]: v for k, v in point.items() if k.startswith(AREA_FACTOR + ":")
        }
        nominal = self._estimate(self.parameters, {})
        sampled = self._estimate(parameters, factors)
        out: NeedVector = {}
        for a, k, need in self.base:
            centre = nominal.get((a, k), 0.0)
            out[(a, k)] = need * (sampled[(a, k)] / centre) if centre > 0 else need
        return out


def need_sampler(
    scenario: Scenario, folder: Path | None = None, parameters_file: Path | None = None
) -> NeedSampler:
    """How the scenario's needs vary: its declared spreads (``[uncertainty]``) if any, else the
    estimate's parameters within their ranges, from the areas' demographics
    (``areas_profile.csv`` of ``folder``, the bundled Milan scenario by default)."""
    spread = spread_sampler(scenario)
    if spread is not None:
        return spread
    folder = DEFAULT_SCENARIO if folder is None else Path(folder)
    hint = (
        "declare how uncertain the needs are in scenario.toml instead: [uncertainty] "
        "need_spread = 0.2 (± 20% for every need) and/or [uncertainty.need_spreads] "
        "<intervention_id> = 0.3"
    )
    try:
        profile = pd.read_csv(_find_profile(folder), dtype={"area_id": str})
    except FileNotFoundError:
        raise UsageError(
            f"{folder} has no areas_profile.csv to re-estimate the needs: {hint}"
        ) from None
    if "households_with_minors" not in profile.columns:
        raise UsageError(
            f"the areas of {folder} have no households_with_minors to re-estimate needs: {hint}"
        )
    missing = sorted({a.area_id for a in scenario.areas} - set(profile["area_id"]))
    unknown = sorted({i.intervention_id for i in scenario.interventions} - set(NEED_BASES))
    if missing or unknown:
        what = f"areas {', '.join(missing)}" if missing else f"interventions {', '.join(unknown)}"
        raise UsageError(f"no estimation rule or demographics for the {what} of {folder}: {hint}")
    base = tuple(sorted((n.area_id, n.intervention_id, n.need) for n in scenario.needs))
    table = load_parameter_table(parameters_file)
    return ParameterSampler(
        profile=profile,
        parameters=load_parameters(parameters_file),
        ranges=load_ranges(parameters_file),
        groups=dict(zip(table["parameter"], table["group"], strict=True)),
        base=base,
        interventions=tuple(sorted({k for _, k, _ in base})),
    )
