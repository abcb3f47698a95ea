"""The bundled Milan scenarios, rebuilt from the open data in ``../shared/data/milano``.

``scenarios/milano``: the 24 NIL matched to the 22 published QuBì networks (the matching is an
ESTIMATE from the names; the 23rd network is not in public sources). ``scenarios/milano-citta``:
all 88 NIL, extending ``../milano``. Demographics: "Fonte: Comune di Milano – Open Data
(CC BY 4.0)". Needs: :mod:`allocator.datasets.needs`. Partners, capacities, baseline: SYNTHETIC
(:mod:`allocator.datasets.synth`). Costs, funders' split, staff: ESTIMATES from
``allocator/data/needs_parameters.csv``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from allocator.datasets.needs import estimate_needs, load_parameters, poverty_estimate
from allocator.datasets.synth import synth_supply, write_supply
from allocator.outputs.files import write_csv_atomically

CREDIT = "Fonte: Comune di Milano – Open Data (CC BY 4.0)"
MILANO_SEED = 2017
"""Seed of the synthetic partners (the year QuBì started)."""
MILANO_PARTNERS = 475
"""Synthetic partners for the 24 QuBì NIL: QuBì reports 450-500+ organisations."""
MILANO_TOTAL_CAPACITY = 50_000
"""Total synthetic capacity (beneficiaries per year) over the 24 NIL: QuBì reports about 53,000
people supported."""
BASELINE_BUDGET_SHARE = 0.9
"""Today's allocation spends at most this share of the yearly budget (ESTIMATE)."""

AREA_COLUMNS = [
    "area_id",
    "name",
    "population",
    "minors",
    "households_with_minors",
    "municipio",
    "lat",
    "lon",
]

INTERVENTION_POPULARITY: dict[str, float] = {
    "emporio_solidale": 0.10,
    "doposcuola": 0.24,
    "centro_estivo": 0.20,
    "sostegno_genitorialita": 0.14,
    "orientamento_lavoro": 0.10,
    "supporto_psicologico": 0.08,
    "orientamento_servizi": 0.14,
}
"""Share of partners' offers per intervention (ESTIMATE, synthetic supply)."""

TYPICAL_CAPACITY: dict[str, float] = {
    "emporio_solidale": 120,
    "doposcuola": 35,
    "centro_estivo": 50,
    "sostegno_genitorialita": 25,
    "orientamento_lavoro": 20,
    "supporto_psicologico": 12,
    "orientamento_servizi": 60,
}
"""Typical beneficiaries per year of one partner's offer in one area (ESTIMATE; a Caritas
solidarity grocery serves about 200 families)."""


def default_shared_data_dir() -> Path:
    """``../shared/data/milano`` beside the repository."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "milano"


def default_scenarios_dir() -> Path:
    """``scenarios/`` at the repository root."""
    return Path(__file__).resolve().parents[2] / "scenarios"


_ACCENTS = {"CITTA'": "Città", "MONLUE'": "Monluè"}
_LOWER = {"di", "del", "dei", "degli", "delle", "della", "in", "sul", "ed", "e"}
_KEEP = {"XXII": "XXII", "QT": "QT", "Q.RE": "Q.re", "PTA": "P.ta", "P.TA": "P.ta", "S.": "S."}


def nil_title(name: str) -> str:
    """A NIL name in Title Case: ``CITTA' STUDI`` → ``Città Studi``, ``Q.RE`` → ``Q.re``."""
    words = []
    for i, word in enumerate(name.split(" ")):
        if word in _ACCENTS:
            words.append(_ACCENTS[word])
        elif word in _KEEP:
            words.append(_KEEP[word])
        elif i > 0 and word.lower() in _LOWER:
            words.append(word.lower())
        else:
            words.append(word.capitalize() if "'" not in word[:-1] else word.title())
    return " ".join(words)


def area_id(nil: int) -> str:
    """Stable area id of a NIL: ``NIL_080``."""
    return f"NIL_{nil:03d}"


def qubi_networks(shared_data_dir: Path) -> dict[int, tuple[str, str]]:
    """NIL id → (QuBì network, matching confidence), from qubi_reti_quartieri.csv."""
    result: dict[int, tuple[str, str]] = {}
    path = shared_data_dir / "qubi_reti_quartieri.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for nil in row["id_nil_suggeriti"].split(";"):
                result[int(nil)] = (row["rete_qubi"], row["confidenza_abbinamento"])
    return result


def build_areas_profile(
    shared_data_dir: Path, parameters: Mapping[str, float], nil_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """One row per NIL (all 88, or ``nil_ids``): demographics, QuBì network, estimated minors."""
    demo = pd.read_csv(shared_data_dir / "milano_nil_demografia_2021.csv")
    centroids = pd.read_csv(shared_data_dir / "milano_nil_centroidi.csv")
    demo = demo.merge(centroids[["id_nil", "lat", "lon"]], on="id_nil", how="left")
    if nil_ids is not None:
        wanted = sorted(set(nil_ids))
        demo = demo[demo["id_nil"].isin(wanted)]
        if len(demo) != len(wanted):
            raise ValueError("some NIL ids are not in milano_nil_demografia_2021.csv")
    networks = qubi_networks(shared_data_dir)
    demo = demo.sort_values("id_nil").reset_index(drop=True)
    households = demo["fam_con_minori"].astype(int)
    population = demo["pop_totale_2021"].astype(int)
    minors = (households * parameters["minors_per_household_with_minors"]).round()
    total_types = demo["fam_tipologia_totale"].astype(float)
    italian = demo["fam_capofamiglia_italiano"].astype(float)
    foreign_households = (1 - italian / total_types.where(total_types > 0)).fillna(0).clip(0, 1)
    municipio = demo["municipio_prevalente_stima"].map(lambda m: "" if pd.isna(m) else str(int(m)))
    return pd.DataFrame(
        {
            "area_id": demo["id_nil"].map(area_id),
            "nil_id": demo["id_nil"].astype(int),
            "name": demo["nil"].map(nil_title),
            "qubi_network": demo["id_nil"].map(lambda n: networks.get(int(n), ("", ""))[0]),
            "match_confidence": demo["id_nil"].map(lambda n: networks.get(int(n), ("", ""))[1]),
            "municipio": municipio,
            "municipi_observed": demo["municipi_osservati"].fillna(""),
            "area_km2": demo["area_km2"].astype(float),
            "population": population,
            "foreign_residents": demo["stranieri_2021"].fillna(0).astype(int),
            "foreign_resident_share": (demo["pct_stranieri_2021"].fillna(0) / 100).round(4),
            "households": demo["famiglie_2021"].astype(int),
            "households_with_minors": households,
            "households_couple_with_minors": (
                demo["fam_coppia_sposata_con_minori"] + demo["fam_coppia_convivente_con_minori"]
            ).astype(int),
            "households_single_parent": demo["fam_monogenitore_con_minori"].astype(int),
            "households_italian_head": italian.astype(int),
            "foreign_household_share": foreign_households.round(4),
            "minors": minors.clip(upper=population).astype(int),
            "minors_is_estimate": "ESTIMATE",
            "household_types_year": demo["fam_tipologia_anno"].astype(int),
            "lat": demo["lat"],
            "lon": demo["lon"],
            "source": CREDIT,
        }
    )


def areas_table(profile: pd.DataFrame) -> pd.DataFrame:
    """areas.csv: the contract columns only."""
    return profile[AREA_COLUMNS].copy()


_INTERVENTIONS: tuple[tuple[str, str, str], ...] = (
    ("emporio_solidale", "Emporio solidale", "households"),
    ("doposcuola", "Doposcuola", "minors"),
    ("centro_estivo", "Centro estivo", "minors"),
    ("sostegno_genitorialita", "Sostegno alla genitorialità", "households"),
    ("orientamento_lavoro", "Orientamento al lavoro per genitori", "people"),
    ("supporto_psicologico", "Supporto psicologico", "minors"),
    ("orientamento_servizi", "Orientamento ai servizi e ai benefici", "households"),
)


def unit_costs(p: Mapping[str, float]) -> dict[str, float]:
    """Unit cost per beneficiary and year (ESTIMATE): hours × hourly cost + goods, plus overhead."""
    direct = {
        "emporio_solidale": p["emporio_goods_per_month"] * p["emporio_months_per_year"]
        + p["emporio_operator_hours"] * p["hourly_cost_social_operator"],
        "doposcuola": p["doposcuola_hours"] / p["doposcuola_group_size"] * p["hourly_cost_educator"]
        + p["doposcuola_materials"],
        "centro_estivo": p["centro_estivo_hours"]
        / p["centro_estivo_group_size"]
        * p["hourly_cost_educator"]
        + p["centro_estivo_meals"],
        "sostegno_genitorialita": p["genitorialita_hours"] * p["hourly_cost_professional"],
        "orientamento_lavoro": p["lavoro_hours"] * p["hourly_cost_professional"],
        "supporto_psicologico": p["psicologico_hours"] * p["hourly_cost_psychologist"],
        "orientamento_servizi": p["servizi_hours"] * p["hourly_cost_social_operator"],
    }
    return {k: round(v * (1 + p["overhead_rate"]), 2) for k, v in direct.items()}


def interventions_table(p: Mapping[str, float]) -> pd.DataFrame:
    """interventions.csv: the QuBì recipe with estimated unit costs; parenting support needs
    community social workers, access to services needs Welfare Community Managers."""
    costs = unit_costs(p)
    staff = {
        "sostegno_genitorialita": ("community_social_worker", p["social_worker_families_per_fte"]),
        "orientamento_servizi": ("welfare_community_manager", p["wcm_households_per_fte"]),
    }
    rows = []
    for kind, name, unit in _INTERVENTIONS:
        role, per_fte = staff.get(kind, (None, None))
        rows.append(
            {
                "intervention_id": kind,
                "name": name,
                "unit": unit,
                "unit_cost": costs[kind],
                "value": 1,
                "max_coverage": p[f"max_coverage_{kind}"],
                "staff_role": role,
                "beneficiaries_per_fte": per_fte,
            }
        )
    return pd.DataFrame(rows)


def staff_table(p: Mapping[str, float]) -> pd.DataFrame:
    """staff.csv: community social workers (8, QuBì) and Welfare Community Managers (few,
    experimental); no minimum per area, half posts."""
    social_worker_cost = round(
        p["social_worker_salary"] * (1 + p["employer_contribution_rate"])
        + p["social_worker_allowances"]
    )
    return pd.DataFrame(
        {
            "role_id": ["community_social_worker", "welfare_community_manager"],
            "name": ["Assistente sociale di comunità", "Welfare Community Manager"],
            "available_fte": [p["social_workers_available"], p["wcm_available"]],
            "cost_per_fte": [
                float(social_worker_cost),
                float(round(p["wcm_hours_per_fte"] * p["wcm_hourly_cost"])),
            ],
            "min_fte_per_area": [0.0, 0.0],
            "fte_step": [0.5, 0.5],
        }
    )


_PRIVATE_FUNDERS = (
    ("fondazione_cariplo", "Fondazione Cariplo", "share_cariplo"),
    ("fondazione_vismara", "Fondazione Peppino Vismara", "share_vismara"),
    ("intesa_sanpaolo", "Intesa Sanpaolo", "share_intesa_sanpaolo"),
    ("fondazione_invernizzi", "Fondazione Romeo ed Enrica Invernizzi", "share_invernizzi"),
    ("fondazione_fiera_milano", "Fondazione Fiera Milano", "share_fiera_milano"),
    ("fondazione_snam", "Fondazione Snam", "share_snam"),
)


def funders_table(p: Mapping[str, float]) -> pd.DataFrame:
    """funders.csv: the Comune (ESTIMATE) and the programme's foundations and sponsors, sharing
    the published ~25 M EUR over 3 years (the split is an ESTIMATE)."""
    yearly = p["programme_budget_3_years"] / 3
    rows = [("comune_milano", "Comune di Milano", "public", float(round(p["comune_amount"])))]
    rows += [
        (fid, name, "private", float(round(yearly * p[key]))) for fid, name, key in _PRIVATE_FUNDERS
    ]
    return pd.DataFrame(rows, columns=["funder_id", "name", "kind", "amount"])


def earmarks_table(p: Mapping[str, float]) -> pd.DataFrame:
    """earmarks.csv: the Comune pays staff, parenting support and access to services; Vismara
    pays only minors' interventions (after-school capped); Intesa Sanpaolo food aid and work."""
    nan = float("nan")
    rows = [
        ("comune_milano", "staff:community_social_worker", "*", nan),
        ("comune_milano", "staff:welfare_community_manager", "*", nan),
        ("comune_milano", "sostegno_genitorialita", "*", nan),
        ("comune_milano", "orientamento_servizi", "*", nan),
        ("fondazione_vismara", "doposcuola", "*", p["vismara_doposcuola_max"]),
        ("fondazione_vismara", "centro_estivo", "*", nan),
        ("fondazione_vismara", "supporto_psicologico", "*", nan),
        ("intesa_sanpaolo", "emporio_solidale", "*", nan),
        ("intesa_sanpaolo", "orientamento_lavoro", "*", nan),
    ]
    return pd.DataFrame(rows, columns=["funder_id", "intervention_id", "area_id", "max_amount"])


MILANO_TOML = """\
name = "Milano QuBì – base"
description = "I 24 NIL delle 22 reti QuBì pubblicate. Popolazione e famiglie: Comune di Milano \
Open Data (CC BY 4.0); bisogni, costi e fondi STIMATI; partner SINTETICI"

# Maps: areas.csv's area_id NIL_080 is the polygon whose ID_NIL is 80 in the Comune's NIL
# boundaries (dataset ds964).
map_id_column = "area_id"
map_feature_property = "ID_NIL"
map_match_number = true

[budget]
scale = 1.0

[policy]
equity_weight = 0.2
min_coverage = 0.0
min_partner_experience_years = 2

[solver]
name = "highs"
time_limit = 60
"""

MILANO_CITTA_TOML = """\
extends = "../milano"
name = "Milano città – 88 NIL"
description = "Tutti gli 88 NIL con interventi, finanziatori e personale di QuBì. Popolazione e \
famiglie: Comune di Milano Open Data (CC BY 4.0); bisogni STIMATI; partner SINTETICI"

[solver]
time_limit = 300
"""


def _write_areas_side(
    directory: Path,
    profile: pd.DataFrame,
    parameters: Mapping[str, float],
    interventions: pd.DataFrame,
    *,
    partners: int,
    total_capacity: float,
    budget: float,
) -> list[Path]:
    needs = estimate_needs(profile, parameters)
    supply = synth_supply(
        areas_table(profile),
        interventions,
        partners=partners,
        seed=MILANO_SEED,
        total_capacity=total_capacity,
        needs=needs,
        baseline_budget=budget * BASELINE_BUDGET_SHARE,
        popularity=INTERVENTION_POPULARITY,
        typical_capacity=TYPICAL_CAPACITY,
    )
    return [
        write_csv_atomically(areas_table(profile), directory / "areas.csv", fixed=True),
        write_csv_atomically(profile, directory / "areas_profile.csv", fixed=True),
        write_csv_atomically(
            poverty_estimate(profile, parameters), directory / "poverty_estimate.csv", fixed=True
        ),
        write_csv_atomically(needs, directory / "needs.csv", fixed=True),
        *write_supply(supply, directory),
    ]


def build_milano(
    shared_data_dir: Path | None = None,
    scenarios_dir: Path | None = None,
    parameters_file: Path | None = None,
) -> list[Path]:
    """Rebuild ``scenarios/milano`` and ``scenarios/milano-citta`` from the shared open data;
    return the files written. Re-running gives the same bytes. DATA.md files are not touched."""
    shared = shared_data_dir or default_shared_data_dir()
    out = scenarios_dir or default_scenarios_dir()
    p = load_parameters(parameters_file)
    milano, citta = out / "milano", out / "milano-citta"
    milano.mkdir(parents=True, exist_ok=True)
    citta.mkdir(parents=True, exist_ok=True)

    interventions = interventions_table(p)
    funders = funders_table(p)
    budget = float(funders["amount"].sum())
    written = []
    for directory, text in ((milano, MILANO_TOML), (citta, MILANO_CITTA_TOML)):
        path = directory / "scenario.toml"
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    written += [
        write_csv_atomically(interventions, milano / "interventions.csv", fixed=True),
        write_csv_atomically(funders, milano / "funders.csv", fixed=True),
        write_csv_atomically(earmarks_table(p), milano / "earmarks.csv", fixed=True),
        write_csv_atomically(staff_table(p), milano / "staff.csv", fixed=True),
    ]
    qubi = build_areas_profile(shared, p, qubi_networks(shared))
    city = build_areas_profile(shared, p)
    scale = float(city["households_with_minors"].sum()) / float(
        qubi["households_with_minors"].sum()
    )
    written += _write_areas_side(
        milano,
        qubi,
        p,
        interventions,
        partners=MILANO_PARTNERS,
        total_capacity=MILANO_TOTAL_CAPACITY,
        budget=budget,
    )
    written += _write_areas_side(
        citta,
        city,
        p,
        interventions,
        partners=round(MILANO_PARTNERS * scale),
        total_capacity=round(MILANO_TOTAL_CAPACITY * scale),
        budget=budget,
    )
    return written
