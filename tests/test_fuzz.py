"""Fuzzing (issue 15): mutated Milan scenarios, each run end to end through the command line.

Every run must end with a plan (0), an input problem named (2) or an explained infeasibility (3):
never exit 4 (an input that validated but the solver could not take) and never a traceback.
Seeded and bounded: ``FUZZ_RUNS`` scenarios (300 by default), ``FUZZ_SEED`` (15 by default).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.fuzz_scenarios import milano_slice, mutated_scenario, mutations

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("FUZZ_RUNS", "300"))
SEED = int(os.environ.get("FUZZ_SEED", "15"))
ALLOWED = {0, 2, 3}


def test_mutated_milan_scenarios_end_in_a_plan_an_input_problem_or_infeasibility(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    base = tmp_path / "base"
    tables = milano_slice(base)
    runner = CliRunner()
    codes: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    failures = []
    for index in range(RUNS):
        changes = mutations(rng, tables)
        folder = mutated_scenario(tmp_path / f"s{index}", base, tables, changes)
        result = runner.invoke(
            app, ["run", str(folder), "--out", str(tmp_path / f"o{index}"), "--quiet"]
        )
        code = result.exit_code
        codes[code] += 1
        kinds.update(c.kind for c in changes)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if code not in ALLOWED or crashed or "Traceback" in result.output:
            what = repr(result.exception) if crashed else result.output.strip()[-300:]
            failures.append(f"exit {code}: {'; '.join(map(str, changes))}\n    {what}")
    exits = dict(sorted(codes.items()))
    figures = f"{RUNS} runs (seed {SEED}): exits {exits}; mutations {dict(kinds)}"
    print(figures)
    assert not failures, f"{figures}\n{len(failures)} runs failed:\n" + "\n".join(failures[:25])
