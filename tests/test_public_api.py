"""The public API the notebooks use: every name resolves, and the steps chain on a toy scenario."""

from __future__ import annotations

import ast
import importlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import allocator
from tests.toy import toy_scenario

pytestmark = pytest.mark.exact

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", sorted(allocator.PUBLIC_API))
def test_every_public_name_resolves_to_its_module(name: str) -> None:
    value = getattr(allocator, name)
    module = importlib.import_module(allocator.PUBLIC_API[name])
    assert value is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        allocator.no_such_thing  # noqa: B018


def test_the_steps_chain_through_the_public_api(tmp_path: Path) -> None:
    result = allocator.run_scenario(toy_scenario(100.0))
    assert result.has_plan and result.plan is not None
    folder = allocator.write_outputs(result, tmp_path / "run")
    assert (Path(folder) / "kpis.json").exists()
    assert allocator.kpi_label("coverage") == "copertura del bisogno"
    assert allocator.number(1234.5, "it", 1) == "1.234,5"


def allocator_uses(source: str) -> Iterator[str]:
    """What a piece of code takes from the package: ``allocator`` itself, ``allocator.<name>`` for
    each name read from it (by ``from … import`` or as an attribute), or a submodule's name."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "allocator")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "allocator":
            yield from (f"{node.module}.{a.name}" for a in node.names)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "allocator"
        ):
            yield f"allocator.{node.attr}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebooks_use_only_the_public_api(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    uses = {use for source in code for use in allocator_uses(source)}
    public = {"allocator", *(f"allocator.{name}" for name in allocator.PUBLIC_API)}
    assert uses, "the notebook uses nothing of allocator"
    assert not uses - public, f"not from the public API: {sorted(uses - public)}"


def test_the_check_of_the_notebooks_sees_submodules() -> None:
    source = (
        "import allocator.render\nfrom allocator.render.maps import area_map\nallocator.solve\n"
    )
    assert sorted(allocator_uses(source)) == [
        "allocator.render",
        "allocator.render.maps.area_map",
        "allocator.solve",
    ]
