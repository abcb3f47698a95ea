"""Run folders under kills and races (issue 15): trials that count outcomes.

    python benchmarks/run_folder_trials.py [KILLS] [RACES] [SCENARIO]

* Kill trials: ``allocator run`` is started (alternately a fresh destination and ``--overwrite`` of
  a complete earlier run), and killed with SIGKILL at a random moment while it writes (after its
  staging folder appears). Counted: what the destination holds afterwards (complete new, complete
  old, absent, or half-written, which must never happen), the debris left beside it, and whether
  the next run cleans that debris (with a notice) and succeeds.
* Race trials: two runs to the same ``--out`` without ``--overwrite`` started together; counted:
  their exit codes (exactly one 0 and one 2 expected).

Prints the figures and the machine. The scenario defaults to a small synthetic one (fast); pass a
folder (e.g. scenarios/milano) to use another.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocator.outputs.names import KPIS_FILE, RESULT_FILES, RUN_FILE  # noqa: E402

DEBRIS = re.compile(r"\.out\.(tmp|old)-\d+-[0-9a-f]+")


def command(scenario: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), "run", str(scenario), "--out", str(out), *extra]


def state(out: Path, old_created: str | None) -> str:
    """What the destination holds: new, old, absent, or partial (never acceptable)."""
    if not out.exists():
        return "absent"
    names = {p.name for p in out.iterdir()}
    if not set(RESULT_FILES) <= names:
        return "partial"
    try:
        json.loads((out / KPIS_FILE).read_text())
        created = json.loads((out / RUN_FILE).read_text())["created"]
    except (ValueError, KeyError):
        return "partial"
    return "old" if created == old_created else "new"


def debris(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if DEBRIS.fullmatch(p.name)]


def kill_while_writing(scenario: Path, out: Path, overwrite: bool, rng: random.Random) -> bool:
    """Start a run, wait for its staging folder, kill it a random moment later. Returns whether
    the kill came before the run ended by itself."""
    extra = ["--quiet", "--overwrite"] if overwrite else ["--quiet"]
    process = subprocess.Popen(
        command(scenario, out, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while process.poll() is None and not any(
        p.name.startswith(".out.tmp-") for p in out.parent.iterdir()
    ):
        time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.6))
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return killed


def kill_trials(scenario: Path, trials: int, work: Path) -> None:
    rng = random.Random(15)
    outcomes: Counter[str] = Counter()
    later: Counter[str] = Counter()
    reference = work / "reference"
    subprocess.run(command(scenario, reference, "--quiet"), check=True, capture_output=True)
    old_created = json.loads((reference / RUN_FILE).read_text())["created"]
    for trial in range(trials):
        parent = work / f"kill{trial}"
        parent.mkdir()
        out = parent / "out"
        overwrite = trial % 2 == 1
        if overwrite:
            shutil.copytree(reference, out)
        killed = kill_while_writing(scenario, out, overwrite, rng)
        left = debris(parent)
        mode = "overwrite" if overwrite else "fresh"
        outcomes[
            f"{mode}: {'killed' if killed else 'finished'}, {state(out, old_created)}, "
            f"debris {len(left)}"
        ] += 1
        time.sleep(0.01)  # debris must be older than the next run
        done = subprocess.run(
            command(scenario, out, "--quiet", "--overwrite"), capture_output=True, text=True
        )
        cleaned = not debris(parent)
        noticed = all(str(p) in done.stderr for p in left)
        later[
            f"next run: exit {done.returncode}, {state(out, old_created)}, "
            f"debris cleaned {cleaned}, each named {noticed}"
        ] += 1
    print(f"kill -9 while writing: {trials} trials")
    for line, count in sorted(outcomes.items()):
        print(f"  {count:4d}  {line}")
    for line, count in sorted(later.items()):
        print(f"  {count:4d}  {line}")


def race_trials(scenario: Path, trials: int, work: Path) -> None:
    outcomes: Counter[str] = Counter()
    for trial in range(trials):
        out = work / f"race{trial}" / "out"
        out.parent.mkdir()
        runs = [
            subprocess.Popen(
                command(scenario, out, "--quiet"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        codes = sorted(run.wait() for run in runs)
        complete = set(RESULT_FILES) <= {p.name for p in out.iterdir()}
        outcomes[
            f"exits {codes}, folder complete {complete}, debris {len(debris(out.parent))}"
        ] += 1
    print(f"two runs to one --out started together: {trials} trials")
    for line, count in sorted(outcomes.items()):
        print(f"  {count:4d}  {line}")


def small_scenario(folder: Path) -> Path:
    from allocator.datasets.synth import synth_scenario

    return synth_scenario(folder, areas=8, interventions=4, partners=40, seed=1)


def main() -> None:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    races = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    work = Path(tempfile.mkdtemp(prefix="run-folder-trials-"))
    try:
        scenario = Path(sys.argv[3]) if len(sys.argv) > 3 else small_scenario(work / "scenario")
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; scenario {scenario}"
        )
        started = time.perf_counter()
        kill_trials(scenario, kills, work)
        race_trials(scenario, races, work)
        print(f"{time.perf_counter() - started:.0f} s in all")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
