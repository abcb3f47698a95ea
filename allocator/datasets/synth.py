"""Seeded synthetic records: Third-sector partners, their capacities, today's allocation, and
whole synthetic scenarios of any size for tests and benchmarks.

Everything here is SYNTHETIC: names like "Cooperativa Sociale Aurora 12" and ids ``SYN-0012`` are
made up. The same seed always gives the same bytes (``numpy.random.default_rng(seed)``, rows
sorted, :func:`allocator.outputs.files.write_csv_atomically` with ``fixed=True``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.outputs.files import write_csv_atomically

LEGAL_FORM_SHARES: dict[str, float] = {
    "cooperativa_sociale": 0.30,
    "aps": 0.24,
    "odv": 0.18,
    "ente_religioso": 0.08,
    "fondazione": 0.06,
    "altro": 0.06,
    "consorzio": 0.04,
    "impresa_sociale": 0.04,
}
"""Mix of legal forms (ESTIMATE: social cooperatives and associations dominate QuBì networks)."""

COFUNDING_SHARE: dict[str, tuple[float, float]] = {
    "cooperativa_sociale": (0.0, 0.10),
    "consorzio": (0.0, 0.05),
    "impresa_sociale": (0.0, 0.10),
    "aps": (0.10, 0.30),
    "odv": (0.20, 0.50),
    "ente_religioso": (0.20, 0.50),
    "fondazione": (0.10, 0.40),
    "altro": (0.0, 0.20),
}
"""Range of the share of the unit cost a partner brings itself (volunteers, own funds, in kind)."""

_FORM_LABEL: dict[str, str] = {
    "cooperativa_sociale": "Cooperativa Sociale",
    "consorzio": "Consorzio",
    "aps": "APS",
    "odv": "ODV",
    "impresa_sociale": "Impresa Sociale",
    "ente_religioso": "Ente Religioso",
    "fondazione": "Fondazione",
    "altro": "Associazione",
}

_WORDS: tuple[str, ...] = (
    "Aurora",
    "Arcobaleno",
    "Girasole",
    "Ponte",
    "Orizzonte",
    "Germoglio",
    "Faro",
    "Ginestra",
    "Tandem",
    "Mosaico",
    "Sorgente",
    "Aquilone",
    "Libellula",
    "Quercia",
    "Bussola",
    "Stella",
    "Alveare",
    "Incontro",
    "Radici",
    "Cantiere",
    "Trama",
    "Approdo",
    "Sentiero",
    "Melograno",
    "Officina",
    "Crocevia",
    "Vela",
    "Nido",
    "Fucina",
    "Rondine",
)

_ELIGIBLE_FORMS = frozenset(LEGAL_FORM_SHARES) - {"altro"}

PARTNER_COLUMNS = ["partner_id", "name", "legal_form", "years_experience"]
CAPACITY_COLUMNS = [
    "partner_id",
    "area_id",
    "intervention_id",
    "capacity",
    "unit_cost",
    "cofunding_per_beneficiary",
]
BASELINE_COLUMNS = ["partner_id", "area_id", "intervention_id", "beneficiaries"]


@dataclass(frozen=True)
class Supply:
    """Synthetic partners (with their home area), capacities and status-quo allocation."""

    partners: pd.DataFrame
    partners_profile: pd.DataFrame
    capacities: pd.DataFrame
    baseline: pd.DataFrame


def synth_partners(
    area_ids: list[str],
    weights: np.ndarray,
    *,
    count: int,
    rng: np.random.Generator,
    share_new: float = 0.12,
) -> pd.DataFrame:
    """``count`` partners: id, synthetic name, legal form, whole years of experience, home area.

    A share ``share_new`` (in expectation) has under two years of experience; home areas are drawn
    with probability proportional to ``weights``.
    """
    forms = list(LEGAL_FORM_SHARES)
    probs = np.array([LEGAL_FORM_SHARES[f] for f in forms])
    legal = rng.choice(len(forms), size=count, p=probs / probs.sum())
    new = rng.random(count) < share_new
    years = np.where(new, rng.integers(0, 2, size=count), 2 + np.round(rng.gamma(2.0, 6.0, count)))
    years = np.minimum(years, 60)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(area_ids), 1 / len(area_ids))
    homes = rng.choice(len(area_ids), size=count, p=w)
    words = rng.integers(0, len(_WORDS), size=count)
    rows = []
    for i in range(count):
        form = forms[int(legal[i])]
        rows.append(
            {
                "partner_id": f"SYN-{i + 1:04d}",
                "name": f"{_FORM_LABEL[form]} {_WORDS[int(words[i])]} {i + 1}",
                "legal_form": form,
                "years_experience": int(years[i]),
                "home_area_id": area_ids[int(homes[i])],
            }
        )
    return pd.DataFrame(rows)


def _nearest(areas: pd.DataFrame) -> dict[str, str]:
    """Each area's nearest other area by centroid (or the next one in order without centroids)."""
    ids = areas["area_id"].astype(str).tolist()
    if len(ids) < 2:
        return {}
    if {"lat", "lon"} <= set(areas.columns) and areas[["lat", "lon"]].notna().all().all():
        lat = areas["lat"].to_numpy(dtype=float)
        lon = areas["lon"].to_numpy(dtype=float) * math.cos(math.radians(float(lat.mean())))
        d = (lat[:, None] - lat[None, :]) ** 2 + (lon[:, None] - lon[None, :]) ** 2
        np.fill_diagonal(d, np.inf)
        return {ids[i]: ids[int(np.argmin(d[i]))] for i in range(len(ids))}
    return {ids[i]: ids[(i + 1) % len(ids)] for i in range(len(ids))}


def synth_capacities(
    partners: pd.DataFrame,
    areas: pd.DataFrame,
    interventions: pd.DataFrame,
    *,
    rng: np.random.Generator,
    total_capacity: float | None = None,
    popularity: Mapping[str, float] | None = None,
    typical_capacity: Mapping[str, float] | None = None,
    second_area_share: float = 0.25,
) -> pd.DataFrame:
    """Capacity rows: each partner offers 1-3 interventions in its home area, some also in the
    nearest area; sizes are lognormal around ``typical_capacity`` and, with ``total_capacity``,
    rescaled to that total. About 30% of rows override the unit cost (±15-25%); cofunding follows
    the legal form (:data:`COFUNDING_SHARE`).
    """
    ids = interventions["intervention_id"].astype(str).tolist()
    cost = dict(zip(ids, interventions["unit_cost"].astype(float), strict=True))
    pop = np.array([(popularity or {}).get(k, 1.0) for k in ids], dtype=float)
    pop = pop / pop.sum()
    nearest = _nearest(areas)
    rows = []
    for partner in partners.itertuples(index=False):
        n_kinds = min(len(ids), int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])))
        kinds = sorted(rng.choice(len(ids), size=n_kinds, replace=False, p=pop))
        served = [str(partner.home_area_id)]
        if rng.random() < second_area_share and str(partner.home_area_id) in nearest:
            served.append(nearest[str(partner.home_area_id)])
        for area_id in served:
            for k_index in kinds:
                k = ids[int(k_index)]
                size = (typical_capacity or {}).get(k, 40.0) * rng.lognormal(0.0, 0.6)
                override = rng.random() < 0.3
                factor = rng.uniform(0.85, 1.25)
                low, high = COFUNDING_SHARE[str(partner.legal_form)]
                share = rng.uniform(low, high)
                unit_cost = round(cost[k] * factor) if override else math.nan
                effective = unit_cost if override else cost[k]
                rows.append(
                    {
                        "partner_id": partner.partner_id,
                        "area_id": area_id,
                        "intervention_id": k,
                        "capacity": size,
                        "unit_cost": unit_cost,
                        "cofunding_per_beneficiary": float(round(effective * share)),
                    }
                )
    table = pd.DataFrame(rows, columns=CAPACITY_COLUMNS)
    if total_capacity is not None and len(table) and table["capacity"].sum() > 0:
        table["capacity"] *= total_capacity / table["capacity"].sum()
    table["capacity"] = table["capacity"].round().clip(lower=1).astype(int)
    return table.sort_values(["partner_id", "area_id", "intervention_id"]).reset_index(drop=True)


def synth_baseline(
    capacities: pd.DataFrame,
    partners: pd.DataFrame,
    interventions: pd.DataFrame,
    *,
    rng: np.random.Generator,
    limits: Mapping[tuple[str, str], float] | None = None,
    budget: float | None = None,
    min_experience: float = 2.0,
    active_share: float = 0.6,
) -> pd.DataFrame:
    """Today's allocation: eligible partners serve 40-90% of ``active_share`` of their rows;
    scaled down (rounding down) to stay within ``limits[(area, intervention)]`` (need × max
    coverage) and within ``budget`` at net cost. Always within capacity.
    """
    eligible = set(
        partners.loc[
            partners["legal_form"].isin(_ELIGIBLE_FORMS)
            & (partners["years_experience"] >= min_experience),
            "partner_id",
        ]
    )
    table = capacities.copy()
    draw_active = rng.random(len(table)) < active_share
    fill = rng.uniform(0.4, 0.9, len(table))
    active = draw_active & table["partner_id"].isin(eligible).to_numpy()
    table["beneficiaries"] = np.where(active, np.floor(table["capacity"] * fill), 0.0)
    if limits is not None:
        served = table.groupby(["area_id", "intervention_id"])["beneficiaries"].transform("sum")
        keys = zip(table["area_id"], table["intervention_id"], strict=True)
        limit = np.array([limits.get((a, k), 0.0) for a, k in keys])
        ratio = np.where(served > limit, limit / served.where(served > 0, 1.0), 1.0)
        table["beneficiaries"] = np.floor(table["beneficiaries"] * ratio)
    if budget is not None:
        cost = dict(zip(interventions["intervention_id"], interventions["unit_cost"], strict=True))
        unit = table["unit_cost"].fillna(table["intervention_id"].map(cost)).astype(float)
        net = (unit - table["cofunding_per_beneficiary"]).clip(lower=0)
        spent = float((net * table["beneficiaries"]).sum())
        if spent > budget > 0:
            table["beneficiaries"] = np.floor(table["beneficiaries"] * budget / spent)
    table["beneficiaries"] = table["beneficiaries"].clip(upper=table["capacity"]).astype(int)
    table = table.loc[table["beneficiaries"] > 0, BASELINE_COLUMNS]
    return table.sort_values(["partner_id", "area_id", "intervention_id"]).reset_index(drop=True)


def synth_supply(
    areas: pd.DataFrame,
    interventions: pd.DataFrame,
    *,
    partners: int,
    seed: int,
    total_capacity: float | None = None,
    needs: pd.DataFrame | None = None,
    baseline_budget: float | None = None,
    popularity: Mapping[str, float] | None = None,
    typical_capacity: Mapping[str, float] | None = None,
    share_new: float = 0.12,
) -> Supply:
    """Partners, capacities and baseline for given areas and interventions, from one seed.

    Home areas are weighted by ``households_with_minors`` (else ``population``); with ``needs``
    the baseline stays within need × max_coverage per area and intervention.
    """
    rng = np.random.default_rng(seed)
    area_ids = areas["area_id"].astype(str).tolist()
    weight_col = "households_with_minors" if "households_with_minors" in areas else "population"
    weights = areas[weight_col].fillna(0).to_numpy(dtype=float)
    profile = synth_partners(area_ids, weights, count=partners, rng=rng, share_new=share_new)
    caps = synth_capacities(
        profile,
        areas,
        interventions,
        rng=rng,
        total_capacity=total_capacity,
        popularity=popularity,
        typical_capacity=typical_capacity,
    )
    limits = None
    if needs is not None:
        coverage = dict(
            zip(interventions["intervention_id"], interventions["max_coverage"], strict=True)
        )
        limits = {
            (str(a), str(k)): float(n) * float(coverage[k])
            for a, k, n in zip(
                needs["area_id"], needs["intervention_id"], needs["need"], strict=True
            )
        }
    baseline = synth_baseline(
        caps, profile, interventions, rng=rng, limits=limits, budget=baseline_budget
    )
    return Supply(
        partners=profile[PARTNER_COLUMNS].copy(),
        partners_profile=profile[["partner_id", "home_area_id"]].copy(),
        capacities=caps,
        baseline=baseline,
    )


def write_supply(supply: Supply, directory: Path) -> list[Path]:
    """Write partners.csv, partners_profile.csv, capacities.csv, baseline.csv; return the paths."""
    return [
        write_csv_atomically(supply.partners, directory / "partners.csv", fixed=True),
        write_csv_atomically(
            supply.partners_profile, directory / "partners_profile.csv", fixed=True
        ),
        write_csv_atomically(supply.capacities, directory / "capacities.csv", fixed=True),
        write_csv_atomically(supply.baseline, directory / "baseline.csv", fixed=True),
    ]


_UNITS = ("households", "minors", "people")


def synth_scenario(
    directory: Path,
    *,
    areas: int,
    interventions: int,
    partners: int,
    funders: int = 4,
    seed: int = 0,
    staff_roles: int = 1,
    budget_share: float = 0.35,
) -> Path:
    """Write a complete synthetic scenario folder (CLI ``allocator synth``); return the folder.

    No real data: areas ``A001``…, interventions ``K01``…, partners ``SYN-0001``…, funders ``F1``
    (public, paying staff and the first intervention) and ``F2``… (private, the second one with a
    capped earmark), ``staff_roles`` roles with no minimum per area. The yearly budget is
    ``budget_share`` of what serving every need up to max coverage would cost, so the plan must
    choose.
    """
    if areas < 1 or interventions < 1 or partners < 1 or funders < 1:
        raise ValueError("areas, interventions, partners and funders must be at least 1")
    rng = np.random.default_rng([seed, 1])
    population = np.round(rng.lognormal(math.log(15000), 0.6, areas))
    households = np.round(population * rng.uniform(0.08, 0.15, areas))
    area_table = pd.DataFrame(
        {
            "area_id": [f"A{i + 1:03d}" for i in range(areas)],
            "name": [f"Area sintetica {i + 1}" for i in range(areas)],
            "population": population.astype(int),
            "minors": np.minimum(np.round(households * 1.58), population).astype(int),
            "households_with_minors": households.astype(int),
            "municipio": [str(1 + i % 9) for i in range(areas)],
            "lat": np.round(45.40 + rng.uniform(0, 0.15, areas), 5),
            "lon": np.round(9.10 + rng.uniform(0, 0.17, areas), 5),
        }
    )
    roles = [f"role_{r + 1}" for r in range(staff_roles)]
    kinds = []
    for k in range(interventions):
        role = roles[k % len(roles)] if roles and k < len(roles) else None
        kinds.append(
            {
                "intervention_id": f"K{k + 1:02d}",
                "name": f"Intervento sintetico {k + 1}",
                "unit": _UNITS[k % len(_UNITS)],
                "unit_cost": float(round(rng.uniform(150, 1200))),
                "value": 1,
                "max_coverage": round(float(rng.uniform(0.5, 0.9)), 2),
                "staff_role": role,
                "beneficiaries_per_fte": 150 if role else math.nan,
            }
        )
    kind_table = pd.DataFrame(kinds)
    poverty = rng.uniform(0.08, 0.25, areas)
    shares = rng.uniform(0.3, 1.0, interventions)
    need_rows = []
    for a in range(areas):
        for k in range(interventions):
            per_household = 1.6 if kinds[k]["unit"] == "minors" else 1.0
            need = households[a] * poverty[a] * shares[k] * per_household
            need_rows.append(
                (area_table["area_id"][a], kinds[k]["intervention_id"], round(need), 1)
            )
    need_table = pd.DataFrame(need_rows, columns=["area_id", "intervention_id", "need", "priority"])
    unit_costs = need_table["intervention_id"].map(
        kind_table.set_index("intervention_id")["unit_cost"]
    )
    full_cost = float((need_table["need"] * unit_costs).sum())
    budget = full_cost * budget_share
    split = rng.dirichlet(np.ones(funders))
    funder_table = pd.DataFrame(
        {
            "funder_id": [f"F{f + 1}" for f in range(funders)],
            "name": [
                "Comune sintetico" if f == 0 else f"Fondazione sintetica {f}"
                for f in range(funders)
            ],
            "kind": ["public" if f == 0 else "private" for f in range(funders)],
            "amount": [float(round(budget * s, -3)) for s in split],
        }
    )
    earmarks = [("F1", "K01", "*", math.nan)] + [("F1", f"staff:{r}", "*", math.nan) for r in roles]
    if funders >= 2 and interventions >= 2:
        cap = float(funder_table["amount"][1]) * 0.5
        earmarks.append(("F2", "K02", "*", cap))
    earmark_table = pd.DataFrame(
        earmarks, columns=["funder_id", "intervention_id", "area_id", "max_amount"]
    )
    staff_table = pd.DataFrame(
        {
            "role_id": roles,
            "name": [f"Ruolo sintetico {r + 1}" for r in range(staff_roles)],
            "available_fte": [float(max(1, areas // 3)) for _ in roles],
            "cost_per_fte": [35000.0 for _ in roles],
            "min_fte_per_area": [0.0 for _ in roles],
            "fte_step": [0.5 for _ in roles],
        }
    )
    supply = synth_supply(
        area_table,
        kind_table,
        partners=partners,
        seed=seed,
        needs=need_table,
        baseline_budget=budget * 0.9,
        total_capacity=float(need_table["need"].sum()) * 0.8,
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scenario.toml").write_text(
        f'name = "Synthetic {areas} areas, {interventions} interventions, {partners} partners, '
        f'seed {seed}"\n'
        'description = "SYNTHETIC scenario from synth_scenario: no real data"\n'
        "\n[policy]\nequity_weight = 0.0\nmin_coverage = 0.0\n"
        '\n[solver]\nname = "highs"\ntime_limit = 60\n',
        encoding="utf-8",
        newline="\n",
    )
    write_csv_atomically(area_table, directory / "areas.csv", fixed=True)
    write_csv_atomically(kind_table, directory / "interventions.csv", fixed=True)
    write_csv_atomically(need_table, directory / "needs.csv", fixed=True)
    write_csv_atomically(funder_table, directory / "funders.csv", fixed=True)
    write_csv_atomically(earmark_table, directory / "earmarks.csv", fixed=True)
    if staff_roles:
        write_csv_atomically(staff_table, directory / "staff.csv", fixed=True)
    write_supply(supply, directory)
    return directory
