"""One way to run the many solves of a study: here, in local worker processes, or on Dask.

A study is a :class:`Setup` and a list of items. The setup is what every solve shares (the
scenario, the plans to measure): it is sent once to each worker, which prepares it once (loads
the scenario, builds the model) and keeps it for as long as it lives. Each item is only what
varies (a budget, a need vector, a folder); its result comes back small (figures, never a model).

Three engines, the same results (each item's result depends on the setup and the item alone, and
results come back in the items' order):

- ``inline``: in this process, one item after another (``jobs = 1``);
- ``local``: worker processes on this machine (spawned: a forked child inherits HiGHS's state
  from a parent that has solved before, and fails);
- ``dask``: a Dask distributed cluster, a ``LocalCluster`` on this machine when no scheduler
  address is given, or any cluster reachable at ``tcp://HOST:PORT`` (``dask-jobqueue`` on a
  batch system, Kubernetes, a cloud).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from allocator.errors import UsageError

ENGINES = ("local", "dask")
"""What ``--engine`` accepts."""


class Setup(Protocol):
    """What every item of a study shares; picklable (it travels to the workers)."""

    @property
    def token(self) -> str:
        """Names this setup: a worker that already prepared it reuses the prepared state."""
        ...

    def prepare(self) -> Callable[[Any], Any]:
        """Runs once per worker: returns the function that handles one item."""
        ...


_PREPARED: dict[str, Callable[[Any], Any]] = {}
"""Prepared setups of this process, by token (a module global lives as long as the worker)."""
_KEEP = 2
"""How many prepared setups a worker keeps (the oldest is dropped: each holds a model)."""


def handler(setup: Setup) -> Callable[[Any], Any]:
    """The item handler of ``setup`` in this process, prepared on first use."""
    prepared = _PREPARED.get(setup.token)
    if prepared is None:
        while len(_PREPARED) >= _KEEP:
            _PREPARED.pop(next(iter(_PREPARED)))
        prepared = _PREPARED[setup.token] = setup.prepare()
    return prepared


_INSTALLED: dict[str, Setup] = {}
"""The setup of this local worker process (given once, when the process starts)."""


def _install(setup: Setup) -> None:
    """Worker-process initializer: keep the setup, prepare it on the first item."""
    _INSTALLED["setup"] = setup


def _run_installed(index: int, item: Any) -> tuple[int, Any]:
    return index, handler(_INSTALLED["setup"])(item)


def _run_with(setup: Setup, index: int, item: Any) -> tuple[int, Any]:
    return index, handler(setup)(item)


class Executor:
    """Runs a setup over items; yields ``(index, result)`` as items finish."""

    name = "inline"
    workers = 1
    scheduler: str | None = None
    """The Dask scheduler's address (None: none, or a LocalCluster here);
    :func:`allocator.render.facts.executor_words` says where the work runs."""

    def map(self, setup: Setup, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        run = handler(setup)
        for index, item in enumerate(items):
            yield index, run(item)

    def close(self) -> None:
        """Free what the executor holds (processes, a cluster)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """Worker processes on this machine; each prepares the setup once, then serves many items."""

    name = "local"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise UsageError("--jobs: give at least 1 worker")
        self.workers = workers

    def map(self, setup: Setup, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(items) <= 1:
            yield from Executor.map(self, setup, items)
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(self.workers, len(items)),
            mp_context=context,
            initializer=_install,
            initargs=(setup,),
        ) as pool:
            futures: list[Future[tuple[int, Any]]] = [
                pool.submit(_run_installed, index, item) for index, item in enumerate(items)
            ]
            for future in as_completed(futures):
                yield future.result()


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster here, or the cluster at ``scheduler``."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(
                "--engine dask needs Dask distributed: pip install 'allocator[distributed]'"
            ) from None
        self.scheduler = scheduler
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(scheduler, timeout=30)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(
                    f"--scheduler {scheduler}: no Dask scheduler answers there ({exc}); give "
                    "tcp://HOST:PORT of a running scheduler, or leave it out for a local cluster"
                ) from None
        self.workers = max(len(self.client.scheduler_info().get("workers", {})), 1)

    def map(self, setup: Setup, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        if not items:
            return
        shared = self.client.scatter(setup, broadcast=True, hash=False)
        futures = [
            self.client.submit(_run_with, shared, index, item, pure=False)
            for index, item in enumerate(items)
        ]
        for future in dask_completed(futures):
            yield future.result()
            future.release()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(engine: str = "local", jobs: int = 2, scheduler: str | None = None) -> Executor:
    """The executor ``--engine``, ``--jobs`` and ``--scheduler`` ask for.

    ``local`` with one job runs here; ``dask`` starts a LocalCluster of ``jobs`` workers when no
    scheduler address is given.
    """
    if engine not in ENGINES:
        raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    if jobs < 1:
        raise UsageError("--jobs: give at least 1 worker")
    if engine == "dask":
        return DaskExecutor(scheduler, jobs)
    return LocalExecutor(jobs) if jobs > 1 else Executor()


def run_all(setup: Setup, items: Sequence[Any], executor: Executor | None = None) -> list[Any]:
    """Every item's result, in the items' order, whichever engine ran them."""
    results: list[Any] = [None] * len(items)
    for index, result in (executor or Executor()).map(setup, items):
        results[index] = result
    return results


def default_jobs() -> int:
    """Worker processes when none are asked for: the cores, at most 2 (a shared laptop)."""
    return max(1, min(os.cpu_count() or 1, 2))
