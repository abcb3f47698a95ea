"""How long ``allocator run`` takes, step by step, and its peak memory.

    python benchmarks/bench_run.py [--areas 25] [--interventions 10] [--partners 500] [--repeat 3]

Generates a synthetic scenario with the package's seeded generator (``allocator synth``), then
times loading, building, solving, extracting and writing in this process, and the whole command
line end to end in a fresh process (imports included). Target (issue 2): under 3 s end to end on
a 2-core machine for 25 areas, 10 interventions and 500 partners. Also times the bundled Milan
scenarios. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from allocator.datasets.synth import synth_scenario
from allocator.inputs.loading import load_scenario
from allocator.optimization.model import build_model
from allocator.optimization.pipeline import RunResult
from allocator.optimization.solve import solve
from allocator.outputs.run_folder import write_outputs
from allocator.postprocess.results import extract

ROOT = Path(__file__).resolve().parents[1]


def steps(folder: Path, out: Path) -> dict[str, float]:
    """Seconds of each step of one run, in this process."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    scenario = load_scenario(folder)
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    model = build_model(scenario)
    times["build"] = time.perf_counter() - start
    start = time.perf_counter()
    outcome = solve(model)
    times["solve"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = extract(model, outcome)
    times["extract"] = time.perf_counter() - start
    start = time.perf_counter()
    result = RunResult(scenario, outcome.status, plan=plan, outcome=outcome, model=model)
    write_outputs(result, out, overwrite=True)
    times["write"] = time.perf_counter() - start
    times["total"] = sum(times.values())
    times["variables"] = float(len(model.problem.variables()))
    times["constraints"] = float(len(model.problem.constraints))
    return times


def end_to_end(folder: Path, out: Path) -> float:
    """Seconds of ``allocator run`` in a fresh interpreter (summary, short explanation and the
    comparison with the rules of thumb included)."""
    start = time.perf_counter()
    command = [sys.executable, str(ROOT / "cli.py"), "run", str(folder), "--overwrite"]
    # as a planner types it: summary, explanation and rules of thumb included
    subprocess.run(
        [*command, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def report(label: str, folder: Path, work: Path, repeat: int) -> None:
    runs = [steps(folder, work / "out") for _ in range(repeat)]
    best = {k: min(r[k] for r in runs) for k in runs[0]}
    e2e = min(end_to_end(folder, work / "cli") for _ in range(repeat))
    print(
        f"{label}: {best['variables']:.0f} variables, {best['constraints']:.0f} constraints | "
        + " ".join(f"{k} {best[k]:.3f}s" for k in ("load", "build", "solve", "extract", "write"))
        + f" | in-process {best['total']:.3f}s | end to end (fresh process) {e2e:.3f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=25)
    parser.add_argument("--interventions", type=int, default=10)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = synth_scenario(
            work / "synthetic",
            areas=args.areas,
            interventions=args.interventions,
            partners=args.partners,
            funders=5,
            staff_roles=2,
            seed=1,
        )
        report(
            f"synthetic {args.areas} areas × {args.interventions} interventions × "
            f"{args.partners} partners",
            folder,
            work,
            args.repeat,
        )
        for name in ("milano", "milano-citta"):
            report(f"scenarios/{name}", ROOT / "scenarios" / name, work, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (max RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
