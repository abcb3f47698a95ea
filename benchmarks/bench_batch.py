"""How long ``batch`` takes for 100 budget variants, with 2 jobs against 1, and what reusing one
built model for budget variants saves.

Uses the Milan scenario when it and the loader are present, else a synthetic one (25 areas,
10 interventions, 500 partners) generated here. Run: ``python benchmarks/bench_batch.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.builders
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine, peak_memory

from allocator.inputs.schema import Scenario
from allocator.studies.batch import Loader, default_loader, run_batch, worst_exit_code
from allocator.studies.sweep import sweep
from allocator.studies.variants import WarmSolver, with_setting
from tests.builders import scenario

MILANO = Path(__file__).resolve().parents[1] / "scenarios" / "milano"
BASE_JSON = "base.json"


def synthetic(seed: int = 7) -> Scenario:
    """25 areas, 10 interventions (3 needing staff), 500 partners with ~12 capacity rows each."""
    rng = np.random.default_rng(seed)
    areas = [f"A{i:02d}" for i in range(25)]
    kinds = [f"k{i}" for i in range(10)]
    roles = {"k0": "cws", "k1": "cws", "k2": "wcm"}
    capacities = []
    for p in range(500):
        for a in rng.choice(areas, 3, replace=False):
            for k in rng.choice(kinds, 4, replace=False):
                capacities.append(
                    {
                        "partner_id": f"P{p:03d}",
                        "area_id": str(a),
                        "intervention_id": str(k),
                        "capacity": float(rng.integers(5, 60)),
                        "unit_cost": float(rng.integers(200, 2000)),
                        "cofunding_per_beneficiary": float(rng.choice([0, 0, 50, 100])),
                    }
                )
    return scenario(
        areas=[
            {"area_id": a, "name": a, "population": 2e4, "minors": float(rng.integers(2, 6)) * 1e3}
            for a in areas
        ],
        interventions=[
            {
                "intervention_id": k,
                "name": k,
                "unit": "minors",
                "unit_cost": 800,
                "value": float(rng.uniform(0.5, 2)),
                **(
                    {"staff_role": roles[k], "beneficiaries_per_fte": 150.0} if k in roles else {}
                ),
            }
            for k in kinds
        ],
        needs=[
            {"area_id": a, "intervention_id": k, "need": float(rng.integers(20, 400))}
            for a in areas
            for k in kinds
        ],
        partners=[
            {"partner_id": f"P{p:03d}", "name": f"P{p}", "legal_form": "aps", "years_experience": 5}
            for p in range(500)
        ],
        capacities=capacities,
        funders=[
            {"funder_id": "comune", "name": "Comune", "kind": "public", "amount": 4e6},
            {"funder_id": "fond", "name": "Fondazione", "kind": "private", "amount": 5e6},
        ],
        earmarks=[{"funder_id": "fond", "intervention_id": "*", "area_id": "*", "max_amount": 4e6}],
        staff=[
            {"role_id": "cws", "name": "CWS", "available_fte": 8, "cost_per_fte": 35e3,
             "fte_step": 0.5},
            {"role_id": "wcm", "name": "WCM", "available_fte": 3, "cost_per_fte": 49.5e3,
             "fte_step": 0.5},
        ],
    )  # fmt: skip


def synthetic_loader(folder: Path) -> Scenario:
    """A variant folder: scenario.toml with [budget] scale, the base as JSON one level up."""
    base = Scenario.model_validate_json((folder.parent / BASE_JSON).read_text())
    scale = tomllib.loads((folder / "scenario.toml").read_text())["budget"]["scale"]
    return with_setting(with_setting(base, "budget.scale", scale), "name", folder.name)


def write_variants(root: Path, n: int, use_milano: bool, policy: str = "") -> list[Path]:
    """n folders scaling the budget from 0.5 to 1.5 (``policy``: extra lines of [policy])."""
    folders = []
    for i, scale in enumerate(np.linspace(0.5, 1.5, n)):
        folder = root / f"budget-{i:03d}"
        folder.mkdir()
        extends = f'extends = "{MILANO}"\n' if use_milano else ""
        (folder / "scenario.toml").write_text(
            f'name = "budget {scale:.3f}"\n{extends}\n[budget]\nscale = {scale:.6f}\n'
            + (f"\n[policy]\n{policy}\n" if policy else "")
        )
        folders.append(folder)
    return folders


def time_batch(folders: list[Path], jobs: int, loader: Loader, label: str) -> None:
    """Run the batch and print its wall time beside the seconds the jobs spent inside the
    workers (load, solve, extract): the difference is what the engine itself costs."""
    start = time.perf_counter()
    results = list(run_batch(folders, jobs=jobs, loader=loader))
    seconds = time.perf_counter() - start
    inside = sum(r.seconds for r in results)
    n = len(folders)
    print(
        f"{label} --jobs {jobs}: {seconds:6.1f} s ({seconds / n:.2f} s a variant; the jobs "
        f"themselves {inside:.1f} s, {inside / n:.2f} s each; worst exit code "
        f"{worst_exit_code(results)})",
        flush=True,
    )


def main(n: int = 100) -> None:
    print(machine())
    try:
        import allocator.inputs.loading  # noqa: F401

        use_milano = (MILANO / "scenario.toml").exists()
    except ImportError:
        use_milano = False
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        loader: Loader = default_loader if use_milano else synthetic_loader
        base = default_loader(MILANO) if use_milano else synthetic()
        if not use_milano:
            (root / BASE_JSON).write_text(base.model_dump_json())
        folders = write_variants(root, n, use_milano)
        print(
            f"{n} budget variants of {'Milan' if use_milano else 'a synthetic scenario'}: "
            f"{len(base.areas)} areas, {len(base.interventions)} interventions, "
            f"{len(base.partners)} partners, {len(base.capacities)} capacity rows"
        )
        print("target: 100 Milan variants within 15 s with --jobs 2")
        for jobs in (1, 2):
            time_batch(folders, jobs, loader, "batch")
        if use_milano:
            # the same variants under the equity measure of before issue 10 (min): what the
            # default worst_share measure costs the solver, all else equal
            other = root / "min"
            other.mkdir()
            folders = write_variants(other, n, use_milano, 'equity_measure = "min"')
            time_batch(folders, 2, loader, 'batch with equity_measure = "min"')
    values = list(np.linspace(0.5, 1.5, 10))
    for reuse in (False, True):
        solver = WarmSolver(reuse=reuse)
        start = time.perf_counter()
        sweep(base, "budget.scale", values, solver)
        seconds = time.perf_counter() - start
        how = "one model reused" if reuse else "rebuilt each time"
        print(
            f"sweep of {len(values)} budgets, {how}: {seconds:6.1f} s "
            f"(models built {solver.built}, reused {solver.reused})"
        )
    print(peak_memory())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
