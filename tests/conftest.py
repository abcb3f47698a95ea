"""Shared fixtures."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from allocator.cli.base import using_loader
from allocator.inputs.loading import load_scenario
from allocator.inputs.schema import Scenario
from allocator.optimization.pipeline import RunResult, run_scenario
from allocator.optimization.solve import SolveStatus
from allocator.postprocess.invariants import check_plan
from tests.toy import toy_load

# The suite (and CI) replays the same examples every run; HYPOTHESIS_PROFILE=explore searches anew
# with many more (how the tie-break and zero-need bugs were found).
settings.register_profile("replay", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "replay"))

SHARED_MILANO = Path(__file__).resolve().parents[2] / "shared" / "data" / "milano"
"""The Milan reference data beside the repository (../shared), when present."""
BOUNDARIES = SHARED_MILANO / "milano_nil_boundaries.geojson"
"""The Comune's NIL boundaries (dataset ds964)."""


def solved(scenario: Scenario) -> RunResult:
    """Solve to optimality and check the invariants on the plan (capacity, budget, earmarks, staff,
    balance): the helper of the exact, negotiation and property tests."""
    result = run_scenario(scenario)
    assert result.status is SolveStatus.OPTIMAL, result.facts
    assert result.plan is not None
    assert check_plan(scenario, result.plan) == []
    return result


@pytest.fixture(scope="session")
def milano_run() -> RunResult:
    """The bundled Milan scenario, solved once per test session."""
    result = run_scenario(load_scenario(None))
    assert result.plan is not None
    return result


@pytest.fixture
def boundaries() -> Path:
    """The NIL boundary file, or a skip when ../shared is not beside the repository."""
    if not BOUNDARIES.is_file():
        pytest.skip(f"the NIL boundary file is not there: {BOUNDARIES}")
    return BOUNDARIES


@pytest.fixture
def toy_loading() -> Iterator[None]:
    """The commands load toy scenarios (by name, see tests/toy.py) instead of real folders."""
    with using_loader(toy_load):
        yield


@pytest.fixture(autouse=True)
def _private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test records its runs in its own archive of plans, never in outputs/history.sqlite."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("ALLOCATOR_HISTORY", str(folder / "history.sqlite"))
