"""The options that choose where a study's many solves run (``--engine``, ``--scheduler``,
``--jobs``), shared by batch, sweep, frontier and uncertainty."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine", help="local (worker processes here) or dask (a Dask cluster; see README)."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: tcp://HOST:PORT of a running scheduler (default: a "
        "LocalCluster here).",
    ),
]
JobsOption = Annotated[
    int, typer.Option("--jobs", help="Worker processes (local, or of the Dask LocalCluster).")
]
