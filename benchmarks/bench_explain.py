"""Time the plain run against its explanation, on a synthetic scenario of realistic size and on
the bundled Milan default.

~25 areas, 10 interventions, 500 partners each offering a few (area, intervention) pairs, 5 funders
(one with an earmark), 2 staff roles. Run: ``python benchmarks/bench_explain.py [--seed N]``.
Target: the full explanation (confirmed marginal values) under twice the plain run.
"""

from __future__ import annotations

import argparse
import random
import time

from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import (
    Area,
    Capacity,
    Earmark,
    Funder,
    Intervention,
    Need,
    Partner,
    Scenario,
    Settings,
    StaffRole,
)
from allocator.optimization.pipeline import run_scenario
from allocator.render.explanations import explain

INTERVENTIONS = [
    ("doposcuola", "minors", 900, 1.0, None, None),
    ("centro_estivo", "minors", 600, 0.8, None, None),
    ("emporio", "households", 400, 1.2, "cws", 60.0),
    ("genitorialita", "households", 700, 1.0, "cws", 40.0),
    ("orientamento", "people", 1200, 0.9, "wcm", 80.0),
    ("sport", "minors", 300, 0.6, None, None),
    ("musica", "minors", 350, 0.5, None, None),
    ("psicologo", "minors", 1500, 1.5, "cws", 30.0),
    ("mensa", "minors", 500, 1.1, None, None),
    ("casa", "households", 2500, 1.3, "wcm", 25.0),
]


def synthetic(seed: int = 1, areas: int = 25, partners: int = 500) -> Scenario:
    """A synthetic scenario of Milan's size (no real data)."""
    rng = random.Random(seed)
    area_rows = [
        Area(area_id=f"NIL{n:02d}", name=f"Quartiere {n}", population=20_000, minors=3_000)
        for n in range(areas)
    ]
    interventions = [
        Intervention(
            intervention_id=k,
            name=k.replace("_", " "),
            unit=unit,
            unit_cost=cost,
            value=value,
            max_coverage=0.8,
            staff_role=role,
            beneficiaries_per_fte=per_fte,
        )
        for k, unit, cost, value, role, per_fte in INTERVENTIONS
    ]
    needs = [
        Need(
            area_id=a.area_id,
            intervention_id=i.intervention_id,
            need=rng.randint(50, 600),
            priority=rng.choice([1.0, 1.0, 1.5, 2.0]),
        )
        for a in area_rows
        for i in interventions
    ]
    partner_rows = [
        Partner(
            partner_id=f"ETS{n:03d}",
            name=f"Ente {n}",
            legal_form=rng.choice(["cooperativa_sociale", "aps", "odv", "fondazione"]),
            years_experience=rng.randint(1, 20),
        )
        for n in range(partners)
    ]
    capacities = []
    for p in partner_rows:
        pairs = {
            (rng.choice(area_rows).area_id, rng.choice(interventions).intervention_id)
            for _ in range(rng.randint(2, 5))
        }
        for a, k in sorted(pairs):
            capacities.append(
                Capacity(
                    partner_id=p.partner_id,
                    area_id=a,
                    intervention_id=k,
                    capacity=rng.randint(10, 80),
                    unit_cost=None if rng.random() < 0.6 else rng.uniform(200, 2500),
                    cofunding_per_beneficiary=rng.choice([0.0, 0.0, 50.0, 100.0]),
                )
            )
    funders = [
        Funder(funder_id="comune", name="Comune di Milano", kind="public", amount=4_000_000),
        Funder(funder_id="cariplo", name="Fondazione Cariplo", kind="private", amount=2_000_000),
        Funder(funder_id="vismara", name="Fondazione Vismara", kind="private", amount=800_000),
        Funder(funder_id="intesa", name="Intesa Sanpaolo", kind="private", amount=600_000),
        Funder(funder_id="snam", name="Fondazione Snam", kind="private", amount=300_000),
    ]
    earmarks = [
        Earmark(funder_id="cariplo", intervention_id="doposcuola", area_id="*", max_amount=900_000),
        Earmark(funder_id="cariplo", intervention_id="staff:cws", area_id="*"),
    ]
    staff = [
        StaffRole(
            role_id="cws",
            name="assistente sociale di comunità",
            available_fte=40,
            cost_per_fte=45_000,
            min_fte_per_area=1,
        ),
        StaffRole(
            role_id="wcm",
            name="Welfare Community Manager",
            available_fte=15,
            cost_per_fte=50_000,
            fte_step=0.5,
        ),
    ]
    return Scenario(
        settings=Settings(name="synthetic"),
        areas=tuple(area_rows),
        interventions=tuple(interventions),
        needs=tuple(needs),
        partners=tuple(partner_rows),
        capacities=tuple(capacities),
        funders=tuple(funders),
        earmarks=tuple(earmarks),
        staff=tuple(staff),
    )


def measure(label: str, s: Scenario, sentences: bool) -> None:
    """Plain run, short (duals only) and full (confirmed) explanation of one scenario."""
    start = time.perf_counter()
    result = run_scenario(s)
    plain = time.perf_counter() - start
    assert result.plan is not None, result.facts
    k = result.plan.kpis
    print(
        f"{label}: {len(s.areas)} areas, {len(s.interventions)} interventions, "
        f"{len(s.partners)} partners, {len(s.capacities)} capacity rows; status {k['status']}, "
        f"objective {k['objective']:.4f}, served {k['beneficiaries_served']:,.0f}"
    )
    print(f"  plain run:                       {plain:7.3f} s")
    start = time.perf_counter()
    explain(result, confirm=False)
    short_s = time.perf_counter() - start
    print(f"  short explanation (duals only):  {short_s:7.3f} s  ({short_s / plain:.2f}× plain)")
    start = time.perf_counter()
    full = explain(result, confirm=True)
    full_s = time.perf_counter() - start
    mv = full.marginal_values
    print(
        f"  full explanation (confirmed):    {full_s:7.3f} s  ({full_s / plain:.2f}× plain; "
        f"{int(mv['confirmed'].sum())} re-solves of {len(mv)} resources)"
    )
    if sentences:
        for line in full.sentences:
            print(f"    - {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sentences", action="store_true", help="Print the explanations too.")
    args = parser.parse_args()
    measure(f"synthetic (seed {args.seed})", synthetic(args.seed), args.sentences)
    measure("Milan default (scenarios/milano)", load_scenario(None), args.sentences)


if __name__ == "__main__":
    main()
