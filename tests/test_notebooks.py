"""Every notebook runs headless, start to end, with this interpreter's kernel; none is stored with
outputs; and what each shows a planner is Italian, with names rather than ids: every output cell
is scanned for the English and internal words of :func:`leaks`' lists."""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from allocator.inputs.loading import load_scenario
from allocator.postprocess.kpis import KPIS

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 900
"""Seconds a cell may take before it counts as hung (the shared machine is slow, never a speed
test: speed is measured in benchmarks/)."""

STATUS_WORDS = ("optimal", "feasible", "infeasible")
"""The solver's statuses as the code names them (planners read ottimo, ammissibile, …)."""
OUTPUT_COLUMNS = (
    "gross_cost",
    "funded_cost",
    "max_served",
    "served",
    "floor",
    "floor_wanted",
    "shortfall",
    "clipped",
    "share_used",
    "staff_fte",
    "area_name",
    "intervention_name",
    "partner_name",
    "funder_name",
    "limit_label",
    "reachable_unmet",
    "weighted_unmet",
    "money_available",
    "idle_places",
    "usable_places",
    "net_cost_per_place",
    "cost_to_use",
    "places_per_need",
    "with_negotiation",
    "without_negotiation",
    "served_min",
    "served_max",
    "served_optimum",
    "funded_min",
    "funded_max",
    "funded_optimum",
    "distance_from_optimum",
    "delta_beneficiaries",
    "delta_euros",
    "better_beneficiaries_served",
    "better_weighted_coverage",
    "unspent_reason",
    "beneficiaries_served_gain",
    "weighted_coverage_gain",
    "objective_gain",
    "budget.scale",
)
"""Column ids of the output tables (plan, why, rules, negotiation, compare, alternatives, studies)
that no input file has: an input column (``area_id``, ``need``, ``baseline.csv``) may be named by
an error message about that file."""
ENGLISH = ("public", "private", "dtype", "True", "False", "None", "nan", "NaN")
"""English values and Python's or pandas' own words (a raw Series, a flag, a missing value)."""
PATTERNS = {
    "scientific notation": r"\b\d+(?:[.,]\d+)?[eE][+-]?\d+\b",
    "a raw dict": r"\{\s*['\"]\w+['\"]\s*:",
    "the solver's banner": r"Running HiGHS|Copyright \(c\)",
}


@cache
def milan_ids() -> tuple[str, ...]:
    """The Milan scenario's ids that have a name beside them (partners, roles, areas, and the
    interventions whose id is not a plain word the name also uses, like ``doposcuola``)."""
    scenario = load_scenario(None)
    ids = [p.partner_id for p in scenario.partners if p.name != p.partner_id]
    ids += [r.role_id for r in scenario.staff if r.name != r.role_id]
    ids += [a.area_id for a in scenario.areas if a.name != a.area_id]
    ids += [i.intervention_id for i in scenario.interventions if "_" in i.intervention_id]
    return tuple(ids)


@cache
def leak_pattern() -> re.Pattern[str]:
    words = [*STATUS_WORDS, *(k.key for k in KPIS), *OUTPUT_COLUMNS, *ENGLISH, *milan_ids()]
    alternatives = [rf"(?<![\w.]){re.escape(w)}(?![\w])" for w in words]
    return re.compile("|".join([*alternatives, *PATTERNS.values()]))


def leaks(text: str) -> list[str]:
    """Every English or internal word, pattern or id in ``text``, with a little context."""
    return [
        text[max(m.start() - 30, 0) : m.end() + 30].replace("\n", " ")
        for m in leak_pattern().finditer(text)
    ]


def shown_text(output: dict[str, Any]) -> str:
    """What an output shows a planner as text: a stream; else the richest form Jupyter shows
    (the HTML's text, nothing for an image, else the plain text)."""
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data")
    if not isinstance(data, dict):
        return ""
    if "text/html" in data:
        return html.unescape(re.sub(r"<[^>]*>", " ", str(data["text/html"])))
    if any(kind.startswith("image/") for kind in data):
        return ""
    return str(data.get("text/plain", ""))


@pytest.fixture(scope="module")
def kernel_here(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 'python3' kernelspec running this very interpreter, first on JUPYTER_PATH.

    A kernelspec elsewhere (the user's, another venv's) could otherwise start a Python without
    the package; JUPYTER_PATH comes before every other kernel folder.
    """
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (allocator)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(folder))
        from jupyter_client.kernelspec import KernelSpecManager

        found = KernelSpecManager().get_kernel_spec("python3")
        assert found.argv[0] == sys.executable
        yield "python3"


@pytest.fixture(scope="module")
def executed(kernel_here: str) -> Callable[[Path], Any]:
    """The notebook at a path run start to end (once per module), with its outputs."""
    done: dict[Path, Any] = {}

    def run(path: Path) -> Any:
        if path not in done:
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                kernel_name=kernel_here,
                timeout=CELL_TIMEOUT,
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute()  # raises CellExecutionError on any error
            done[path] = notebook
        return done[path]

    return run


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, executed: Callable[[Path], Any]) -> None:
    notebook = executed(path)
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    assert outputs, "the notebook showed nothing"
    assert not [o for o in outputs if o.output_type == "error"]
    if path.name.startswith("03"):
        shown = "\n".join(shown_text(o) for o in outputs)
        assert "bilancio -10%" in shown and "prima l'equità" in shown  # the variants' names
        assert "base (2)" not in shown and "base (3)" not in shown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_shows_a_planner_only_italian_and_names(
    path: Path, executed: Callable[[Path], Any]
) -> None:
    notebook = executed(path)
    found = [
        f"cell {number}: …{leak}…"
        for number, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        for leak in leaks(shown_text(output))
    ]
    assert not found, "\n".join(found[:40])


def test_the_scan_finds_each_kind_of_leak() -> None:
    samples = {
        "Stato: optimal": "optimal",
        "Running HiGHS 1.16.0 (git hash: f3f113d): Copyright (c) 2026": "Running HiGHS",
        "obiettivo 2.3e+04 e 1e-05": "e+04",
        "{'budget_total': 9333333.0}": "{'budget_total'",
        "floor_wanted 52,0": "floor_wanted",
        "weighted_coverage 0,49": "weighted_coverage",
        "clipped    False": "False",
        "copertura nan": "nan",
        "SYN-0335  399": "SYN-0335",
        "personale community_social_worker (FTE)": "community_social_worker",
        "Name: beneficiaries, dtype: float64": "dtype",
    }
    for text, leak in samples.items():
        assert any(leak in found for found in leaks(text)), text
    clean = "Esito: ottimo. 20.431 beneficiari, copertura 49,9%, 9.313.729 € (baseline.csv)"
    assert leaks(clean) == []


def test_the_scan_reads_what_jupyter_shows() -> None:
    # the plain text is not shown when there is HTML: Jupyter shows the HTML
    shown = {"text/html": "<td>ottimo</td>", "text/plain": "status optimal"}
    table = {"output_type": "execute_result", "data": shown}
    chart = {"output_type": "display_data", "data": {"image/png": "…", "text/plain": "<Figure>"}}
    stream = {"output_type": "stream", "name": "stdout", "text": "Stato: optimal\n"}
    assert shown_text(table).strip() == "ottimo"
    assert shown_text(chart) == ""
    assert leaks(shown_text(stream)) != []
