"""When ``allocator run`` shows the plan, and when it has written everything.

    python benchmarks/bench_first_line.py [SCENARIO] [--repeats 3]

Runs ``python cli.py run`` in a fresh process (imports included) with its output piped, and
prints, for each repeat, the seconds until its first line (the plan's key figures, printed as
soon as the plan is solved) and until it ends (the rules of thumb, the explanation and the run
folder). Issue 22's targets on an idle 2-core machine: 1.5 s and 3 s. Prints figures with the
load average; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine

ROOT = Path(__file__).resolve().parents[1]


def one_run(scenario: str | None) -> tuple[float, float]:
    """(seconds to the first line, seconds to the end) of one ``allocator run``."""
    with tempfile.TemporaryDirectory() as scratch:
        args = [sys.executable, "cli.py", "run", "--no-history", "--out", f"{scratch}/run"]
        start = time.monotonic()
        process = subprocess.Popen(
            [*args, *([scenario] if scenario else [])],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        first = None
        for line in process.stdout:
            if first is None and line.strip():
                first = time.monotonic() - start
        process.wait()
        end = time.monotonic() - start
    return (end if first is None else first), end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print(machine())
    firsts, ends = [], []
    for _ in range(options.repeats):
        first, end = one_run(options.scenario)
        firsts.append(first)
        ends.append(end)
        load = os.getloadavg()[0]
        print(f"first line {first:.2f} s, whole run {end:.2f} s (load {load:.2f})")
    print(
        f"median: plan on screen {statistics.median(firsts):.2f} s (target 1.5 s), "
        f"whole run {statistics.median(ends):.2f} s (target 3 s)"
    )


if __name__ == "__main__":
    main()
