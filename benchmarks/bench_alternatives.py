"""Time ``allocator alternatives`` on the bundled Milan default (24 areas): the optimum, then the
least and most money and beneficiaries of every area within the slack, and the alternatives.

Run: ``python benchmarks/bench_alternatives.py [--slack 0.02] [--count 5] [--by area|partner]``.
Target (issue 12): within 30 s on a 2-core machine, by area.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from allocator.inputs.loading import load_scenario
from allocator.studies.alternatives import near_optimal

TARGET_SECONDS = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slack", type=float, default=0.02)
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--by", choices=("area", "partner"), default="area")
    args = parser.parse_args()
    scenario = load_scenario(None)
    start = time.perf_counter()
    outcome = near_optimal(scenario, slack=args.slack, count=args.count, by=args.by)
    seconds = time.perf_counter() - start
    assert outcome.ok, outcome.facts
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"load average {load:.1f}"
    )
    print(
        f"Milan, by {args.by}: {len(outcome.ranges)} rows, {outcome.solves} re-solves, "
        f"{len(outcome.alternatives)} alternatives, slack {args.slack:g}: {seconds:.1f} s "
        f"(optimum {sum(outcome.optimum.timings.values()):.1f} s)"
    )
    if args.by == "area":
        verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
        print(f"target {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
