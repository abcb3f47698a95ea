"""Fuzzing: mutated Milan scenarios (issue 15) and corrupted small scenarios (issue 21), each
through the command line in process.

Every command must end with a plan (0), an input problem named (2) or an explained infeasibility
(3): never exit 4 (an input that validated but the solver could not take) and never a traceback.
Seeded and bounded: ``FUZZ_RUNS`` Milan scenarios (300 by default), ``FUZZ_SEED`` (15);
``FUZZ_CASES`` corrupted small scenarios (60 by default), ``FUZZ_CASES_SEED`` (21). A campaign:
``FUZZ_CASES=300 .venv/bin/python -m pytest tests/test_fuzz.py -m slow -k corrupted -s``.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from allocator.cli import app
from tests.fuzz_corruptions import Corruption, corrupted_case
from tests.fuzz_scenarios import milano_slice, mutated_scenario, mutations

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("FUZZ_RUNS", "300"))
SEED = int(os.environ.get("FUZZ_SEED", "15"))
CASES = int(os.environ.get("FUZZ_CASES", "60"))
CASES_SEED = int(os.environ.get("FUZZ_CASES_SEED", "21"))
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


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def failure(runner_result: Any, command: str) -> str | None:
    """What is wrong with one command's outcome, or None."""
    crashed = runner_result.exception is not None and not isinstance(
        runner_result.exception, SystemExit
    )
    if crashed:
        return f"{command}: {runner_result.exception!r}"
    if runner_result.exit_code not in ALLOWED or "Traceback" in runner_result.output:
        return f"{command} exit {runner_result.exit_code}: {runner_result.output.strip()[-300:]}"
    return None


def test_corrupted_small_scenarios_validate_and_run_to_0_2_or_3_leaving_inputs_unchanged(
    tmp_path: Path,
) -> None:
    """Random small scenarios (synthetic or the small factory's, CSV or xlsx) with random
    corruptions: `validate` and `run` each exit 0, 2 or 3, agree on whether the input is bad
    (both 2 or neither), and leave every input file byte for byte as it was."""
    rng = random.Random(CASES_SEED)
    runner = CliRunner()
    codes: Counter[tuple[int, int]] = Counter()
    kinds: Counter[str] = Counter()
    failures = []
    for index in range(CASES):
        folder = tmp_path / f"c{index}"
        changes: list[Corruption] = corrupted_case(rng, folder)
        kinds.update(c.kind for c in changes)
        before = digests(folder)
        checked = runner.invoke(app, ["validate", str(folder)])
        ran = runner.invoke(
            app, ["run", str(folder), "--out", str(tmp_path / f"o{index}"), "--quiet"]
        )
        codes[checked.exit_code, ran.exit_code] += 1
        problems = [failure(checked, "validate"), failure(ran, "run")]
        if (checked.exit_code == 2) != (ran.exit_code == 2):
            problems.append(f"validate {checked.exit_code} but run {ran.exit_code}")
        if digests(folder) != before:
            problems.append("an input file changed")
        found = [p for p in problems if p]
        if found:
            failures.append(
                f"case {index}: {'; '.join(map(str, changes))}\n    " + " | ".join(found)
            )
    history = runner.invoke(app, ["history", "list"])
    assert history.exit_code == 0, history.output  # the archive the runs wrote is intact
    by_command = {
        "validate": dict(
            sorted(Counter(v for (v, _), n in codes.items() for _ in range(n)).items())
        ),
        "run": dict(sorted(Counter(r for (_, r), n in codes.items() for _ in range(n)).items())),
    }
    figures = f"{CASES} cases (seed {CASES_SEED}): exits {by_command}; corruptions {dict(kinds)}"
    print(figures)
    assert not failures, f"{figures}\n{len(failures)} cases failed:\n" + "\n".join(failures[:25])
