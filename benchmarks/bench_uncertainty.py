"""How long ``allocator uncertainty`` takes on Milan: N samples re-optimised (target: 200 samples
within 60 s with 2 workers), with each plan held fixed measured too. Prints the machine and the
peak memory. Run: ``python benchmarks/bench_uncertainty.py [N] [--engine local|dask]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine, peak_memory

from allocator.datasets.needs import need_sampler
from allocator.inputs.loading import load_scenario
from allocator.render.facts import executor_words
from allocator.studies.executor import make_executor
from allocator.studies.uncertainty import uncertainty


def main(samples: int = 200, engine: str = "local", jobs: int = 2) -> None:
    print(machine())
    scenario = load_scenario(None)
    sampler = need_sampler(scenario)
    start = time.perf_counter()
    with make_executor(engine, jobs) as executor:
        started = time.perf_counter() - start
        study = uncertainty(scenario, sampler, samples, seed=1, executor=executor)
        where = executor_words(executor, "en")
    seconds = time.perf_counter() - start
    statuses = study.samples.loc[study.samples["plan"] == "reoptimised", "status"]
    print(
        f"uncertainty of Milan ({len(scenario.areas)} NIL, {len(sampler.dimensions)} uncertain "
        f"quantities), {samples} samples re-optimised on {where}: {seconds:.1f} s "
        f"({started:.1f} s starting the workers; target 200 samples within 60 s); "
        f"statuses {statuses.value_counts().to_dict()}"
    )
    print(peak_memory())


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    engine = "dask" if "--engine" in sys.argv and "dask" in sys.argv else "local"
    main(int(args[0]) if args else 200, engine)
