"""Every notebook runs headless, start to end, with this interpreter's kernel; none is stored with
outputs."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


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


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_here: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=kernel_here,
        timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on any error
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    shown = "\n".join(output_text(o) for c in notebook.cells for o in c.get("outputs", []))
    assert "Running HiGHS" not in shown and "Copyright" not in shown  # no solver banner
    assert not re.search(r"\d[eE][+-]\d\d", shown), "a number in scientific notation"
    if path.name.startswith("03"):
        assert "bilancio -10%" in shown and "prima l'equità" in shown  # the variants' names
        assert "base (2)" not in shown and "base (3)" not in shown


def output_text(output: dict[str, object]) -> str:
    """What a cell output shows as text (streams, plain and HTML results)."""
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data")
    if isinstance(data, dict):
        return "\n".join(str(data.get(kind, "")) for kind in ("text/plain", "text/html"))
    return ""
