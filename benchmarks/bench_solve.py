"""Where one solve's time goes: the Milan MILP (or another scenario's) handed to HiGHS under
variations of the model and of the solver's options, each timed in CPU seconds (median of
``--repeats``; the machine is shared, CPU seconds say what the solve costs), with the nodes
explored and the objective (all variations must agree on it within the MIP gap).

    python benchmarks/bench_solve.py [SCENARIO] [--repeats 3]

Variations:

- ``as run``: the model ``allocator run`` solves, HiGHS's default options, one thread;
- ``equity min``: ``policy.equity_measure = "min"``, the measure before issue 10 (another
  objective: its figure says what the worst_share term costs the solver);
- ``no equity``: ``policy.equity_weight = 0`` (another objective too);
- ``started at the optimum``: HiGHS given the optimal plan as its starting solution (the best any
  warm start can do);
- ``no RINS/RENS``: HiGHS's sub-MIP heuristics RINS and RENS switched off;
- ``funders pooled``: the funders without earmarks merged into one (the same optimum: they are
  interchangeable), fewer payment columns.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
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
from allocator.studies.variants import with_setting

Options = dict[str, bool | float | str]
"""HiGHS options by name."""
NO_SUB_MIPS: Options = {"mip_heuristic_run_rins": False, "mip_heuristic_run_rens": False}


def pooled(scenario: Scenario) -> Scenario:
    """The funders without earmarks merged into one, with their amounts summed."""
    earmarked = {e.funder_id for e in scenario.earmarks}
    free = [f for f in scenario.funders if f.funder_id not in earmarked]
    if len(free) < 2:
        return scenario
    pool = free[0].model_copy(
        update={"funder_id": "pool", "amount": sum(scenario.funder_amount(f) for f in free)}
    )
    kept = tuple(f for f in scenario.funders if f.funder_id in earmarked)
    budget = scenario.settings.budget.model_copy(update={"scale": 1.0})
    settings = scenario.settings.model_copy(update={"budget": budget, "funders": {}})
    return scenario.model_copy(update={"funders": (*kept, pool), "settings": settings})


def exported(scenario: Scenario) -> highspy.HighsLp:
    """The scenario's model as HiGHS receives it from PuLP."""
    model = build_model(scenario)
    model.problem.solve(pulp.HiGHS(msg=False, threads=1, timeLimit=1e-3))
    lp: highspy.HighsLp = model.problem.solverModel.getLp()
    return lp


def timed(
    lp: highspy.HighsLp, repeats: int, options: Options, start: bool = False
) -> tuple[float, int, float, highspy.HighsSolution]:
    """Median CPU seconds, nodes, objective and solution of ``repeats`` cold solves."""
    seconds, solution = [], None
    if start:
        _, _, _, solution = timed(lp, 1, {})
    for _ in range(repeats):
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("mip_rel_gap", 1e-4)
        for key, value in options.items():
            highs.setOptionValue(key, value)
        highs.passModel(lp)
        if solution is not None:
            highs.setSolution(solution)
        cpu = time.process_time()
        highs.run()
        seconds.append(time.process_time() - cpu)
    info = highs.getInfo()
    return (
        statistics.median(seconds),
        int(info.mip_node_count),
        float(info.objective_function_value),
        highs.getSolution(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    scenario = load_scenario(args.scenario, [])
    print(f"{scenario.name}: one MILP solve, CPU seconds (median of {args.repeats})")
    variations: list[tuple[str, Callable[[], Scenario], Options, bool]] = [
        ("as run", lambda: scenario, {}, False),
        ("equity min", lambda: with_setting(scenario, "policy.equity_measure", "min"), {}, False),
        ("no equity", lambda: with_setting(scenario, "policy.equity_weight", 0.0), {}, False),
        ("started at the optimum", lambda: scenario, {}, True),
        ("no RINS/RENS", lambda: scenario, NO_SUB_MIPS, False),
        ("funders pooled", lambda: pooled(scenario), {}, False),
    ]
    for label, variant, options, start in variations:
        lp = exported(variant())
        seconds, nodes, objective, _ = timed(lp, args.repeats, options, start)
        print(
            f"  {label:<24} {seconds:6.2f} s CPU  {nodes:5d} nodes  objective {-objective:,.2f}"
            f"  ({lp.num_col_} columns, {lp.num_row_} rows)",
            flush=True,
        )
    print(peak_memory())


if __name__ == "__main__":
    main()
