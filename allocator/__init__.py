"""allocator: where the money and people against child poverty should go, neighbourhood by
neighbourhood.

The folders are the pipeline (``docs/architecture.md`` draws it)::

    inputs/        files → validated Scenario
    optimization/  Scenario → model (pure) → solved → RunResult (the pipeline)
    postprocess/   solution → plan, KPIs, invariants, why (limits, marginal values)
    outputs/       run folders written and read back
    studies/       many solves: rules of thumb, variants, compare, sweep, frontier, batch
    render/        words and numbers, console summary, charts, maps, the HTML report
    datasets/      the Milan builder, needs estimation, synthetic scenarios, the template

The public API below is what the notebooks and the meeting page use; each step can be called alone::

    import allocator
    scenario = allocator.load_scenario("scenarios/milano")
    result = allocator.run_scenario(scenario)          # an outcome, never an exception
    allocator.write_outputs(result, "outputs/milano")
    why = allocator.explain(result)

or everything at once, as ``allocator run`` and the meeting page make it::

    bundle = allocator.plan(scenario, allocator.RoomNote(label="riunione di marzo"))
    bundle.write("outputs/marzo"); bundle.record()     # run folder, archive of plans

Names are imported on first use, so ``import allocator`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

PUBLIC_API: dict[str, str] = {
    # inputs
    "load_scenario": "allocator.inputs.loading",
    "Scenario": "allocator.inputs.schema",
    "InputError": "allocator.errors",
    # optimization
    "run_scenario": "allocator.optimization.pipeline",
    "RunResult": "allocator.optimization.pipeline",
    "build_model": "allocator.optimization.model",
    "solve": "allocator.optimization.solve",
    # postprocess
    "explain": "allocator.render.explanations",
    "KPIS": "allocator.postprocess.kpis",
    "kpi_label": "allocator.postprocess.kpis",
    # outputs
    "write_outputs": "allocator.outputs.run_folder",
    # studies
    "compare_results": "allocator.studies.compare",
    "compare_many": "allocator.studies.compare_inputs",
    "from_result": "allocator.studies.compare_inputs",
    "rule_plans": "allocator.studies.rules",
    "sweep": "allocator.studies.sweep",
    "next_money": "allocator.studies.sweep",
    "frontier": "allocator.studies.frontier",
    "rules_placed": "allocator.studies.frontier",
    "with_setting": "allocator.studies.variants",
    # negotiation: locks, transition limits, their price, near-optimal alternatives
    "with_locks": "allocator.optimization.negotiation",
    "price_of_negotiation": "allocator.studies.price",
    "transition_table": "allocator.postprocess.transition",
    "near_optimal": "allocator.studies.alternatives",
    "write_alternatives": "allocator.render.ranges",
    "alternatives_frame": "allocator.render.ranges",
    "ranges_chart": "allocator.render.ranges",
    "price_sentence": "allocator.render.negotiation",
    "transition_sentence": "allocator.render.negotiation",
    # one complete run: what every face renders
    "plan": "allocator.render.bundle",
    "PlanBundle": "allocator.render.bundle",
    "RoomNote": "allocator.render.bundle",
    "from_bundle": "allocator.render.report_runs",
    # the notebooks' tables: Italian headers, names for ids, numbers as planners read them
    "planner_table": "allocator.render.notebook_tables",
    "kpi_table": "allocator.render.notebook_tables",
    "kpi_columns": "allocator.render.notebook_tables",
    "rule_lines": "allocator.render.notebook_tables",
    "next_money_sentence": "allocator.render.gains",
    # render
    "print_summary": "allocator.render.summary",
    "build_report": "allocator.render.report",
    "write_report": "allocator.render.report",
    "read_run": "allocator.render.report_runs",
    "number": "allocator.render.formats",
    "coverage_by_area": "allocator.render.plotting",
    "served_versus_need": "allocator.render.plotting",
    "funders_spending": "allocator.render.plotting",
    "budget_outcome": "allocator.render.tradeoffs",
    "efficiency_equity_frontier": "allocator.render.tradeoffs",
    "scenario_areas": "allocator.render.maps",
    "area_map": "allocator.render.maps",
    "MapKeys": "allocator.render.maps",
    # datasets
    "write_template": "allocator.datasets.template",
}
"""Public name → the module that defines it."""

__all__ = ["PUBLIC_API", "__version__", *PUBLIC_API]


def __getattr__(name: str) -> Any:
    module = PUBLIC_API.get(name)
    if module is None:
        raise AttributeError(f"module 'allocator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
