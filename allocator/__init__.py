"""allocator: where the money and people against child poverty should go, neighbourhood by
neighbourhood.

The folders are the pipeline (see ``docs/architecture.md``)::

    inputs/        files → validated Scenario
    optimization/  Scenario → model (pure) → solved → RunResult (the pipeline)
    postprocess/   solution → plan, KPIs, invariants, why (limits, marginal values)
    outputs/       run folders written and read back
    studies/       many solves: rules of thumb, variants, compare, sweep, frontier, batch
    render/        words and numbers, console summary, charts, maps, the HTML report
    datasets/      the Milan builder, needs estimation, synthetic scenarios, the template
"""

__version__ = "0.1.0"
