"""The same study on a 2-worker Dask LocalCluster as here: the same results."""

from __future__ import annotations

import pandas as pd
import pytest

from allocator.studies.executor import DaskExecutor, make_executor
from allocator.studies.sweep import sweep
from allocator.studies.uncertainty import spread_sampler, uncertainty
from tests.test_uncertainty import small

pytestmark = [pytest.mark.distributed, pytest.mark.slow]


def test_dask_local_cluster_gives_the_results_of_a_local_run() -> None:
    pytest.importorskip("distributed")
    s = small()
    sampler = spread_sampler(s)
    assert sampler is not None
    here = uncertainty(s, sampler, samples=8, seed=2)
    budgets = [0.5, 0.8, 1.0, 1.4]
    curve = sweep(s, "budget.scale", budgets)
    with make_executor("dask", jobs=2) as executor:
        assert isinstance(executor, DaskExecutor) and executor.workers == 2
        there = uncertainty(s, sampler, samples=8, seed=2, executor=executor)
        curve_there = sweep(s, "budget.scale", budgets, executor=executor)
    for name in ("areas", "samples", "partners", "parameters"):
        pd.testing.assert_frame_equal(getattr(here, name), getattr(there, name))
    pd.testing.assert_frame_equal(curve, curve_there)
