"""Issue 22's targets for one scenario, each beside HiGHS alone on the same model.

    python benchmarks/bench_targets.py [SCENARIO] [--repeats 3] [--set key=value]...

Measured in this run, with the machine's load printed beside every figure (medians of
``--repeats``; wall seconds and CPU seconds, the machine being shared):

- ``HiGHS alone``: the plan's model written to MPS and solved by ``highspy`` directly, HiGHS's
  default options, one thread, the scenario's MIP gap: the yardstick every figure is divided by;
- ``solve``: the project's solve of the same model (``optimization.solve.solve``, both passes:
  the MILP and the deterministic split), in this process; target 1.2 × HiGHS alone;
- ``plan from process start``: a fresh interpreter that imports the package, loads the scenario
  and solves the plan (``run_scenario``); target 1.5 s;
- ``whole run``: ``allocator run`` in a fresh process, every comparison included (the rules of
  thumb and their dominating plans, on the worker processes it starts); target 3 s.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import highspy
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine, peak_memory

from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Scenario
from allocator.optimization.model import build_model
from allocator.optimization.solve import solve
from allocator.optimization.tiebreak import break_ties

ROOT = Path(__file__).resolve().parents[1]
Figure = tuple[float, float]
"""(wall seconds, CPU seconds)."""

PLAN_CHILD = """
import sys, time
from pathlib import Path
from allocator.inputs.loading import load_scenario
from allocator.optimization.pipeline import run_scenario
result = run_scenario(load_scenario(Path(sys.argv[1]), sys.argv[2:]))
print(result.status.value, time.process_time(), flush=True)
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def median(figures: list[Figure]) -> Figure:
    return statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)


def highs_alone(mps: Path, mip_gap: float) -> Figure:
    """HiGHS reading the MPS file and solving it, default options but one thread."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", mip_gap)
    highs.readModel(str(mps))
    wall, cpu = time.perf_counter(), time.process_time()
    highs.run()
    return time.perf_counter() - wall, time.process_time() - cpu


def project_solve(scenario: Scenario) -> Figure:
    """The project's solve of a freshly built model: the MILP, then the deterministic split."""
    model = build_model(scenario)
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = solve(model)
    if scenario.settings.solver.deterministic:
        break_ties(model, outcome)
    return time.perf_counter() - wall, time.process_time() - cpu


def write_mps(scenario: Scenario, path: Path) -> None:
    """The plan's model as the project hands it to HiGHS, written to MPS."""
    model = build_model(scenario)
    model.problem.solve(pulp.HiGHS(msg=False, threads=1, timeLimit=1e-3))
    model.problem.solverModel.writeModel(str(path))


def fresh(command: list[str], marker: bool) -> Figure:
    """Wall seconds from starting a fresh interpreter to its end, and its CPU seconds (its
    workers' included); with ``marker`` the child prints its own CPU seconds at the plan."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - wall
    if marker:
        return seconds, float(done.stdout.split()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu


def report(label: str, figure: Figure, target: str, yardstick: Figure) -> None:
    wall, cpu = figure
    print(
        f"  {label:<26} {wall:6.2f} s wall {cpu:6.2f} s CPU  = {wall / yardstick[0]:5.2f}× / "
        f"{cpu / yardstick[1]:5.2f}× HiGHS alone  (target {target})  {load()}",
        flush=True,
    )


def repeat(n: int, step: Callable[[], Figure]) -> Figure:
    return median([step() for _ in range(n)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "milano")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    print(machine())
    scenario = load_scenario(args.scenario, args.overrides)
    print(f"{scenario.name}: medians of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "plan.mps"
        write_mps(scenario, mps)
        gap = scenario.settings.solver.mip_gap
        alone = repeat(args.repeats, lambda: highs_alone(mps, gap))
        print(f"  {'HiGHS alone (MPS)':<26} {alone[0]:6.2f} s wall {alone[1]:6.2f} s CPU  {load()}")
        report("solve", repeat(args.repeats, lambda: project_solve(scenario)), "1.2×", alone)
        child = [sys.executable, "-c", PLAN_CHILD, str(args.scenario), *args.overrides]
        plan = repeat(args.repeats, lambda: fresh(child, True))
        report("plan from process start", plan, "1.5 s", alone)
        sets = [part for key in args.overrides for part in ("--set", key)]
        command = [
            sys.executable, str(ROOT / "cli.py"), "run", str(args.scenario), *sets,
            "--out", str(Path(tmp) / "run"), "--overwrite", "--no-history", "--quiet",
        ]  # fmt: skip
        report("whole run", repeat(args.repeats, lambda: fresh(command, False)), "3 s", alone)
    print(peak_memory())


if __name__ == "__main__":
    main()
